import { ApiError } from '../../rest';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import { emptyViewState, IViewState } from '../viewState';
import { checkViewName, SavedViewsModel } from './model';

const VIEW: IViewState = {
  ...emptyViewState(),
  filter: 'metrics.acc > 0.9',
  groupBy: 'params.optimizer'
};

describe('SavedViewsModel', () => {
  let client: FakeExperimentsClient;
  let model: SavedViewsModel;

  beforeEach(() => {
    client = new FakeExperimentsClient();
    model = new SavedViewsModel(client.views);
  });

  afterEach(() => model.dispose());

  it('lists the saved views with their states read back', async () => {
    client.views.saved.set('best', {
      name: 'best',
      state: { filter: 'tags.best' },
      updated: 1
    });
    client.views.saved.set('broken', {
      name: 'broken',
      state: { filter: 42 },
      updated: 2
    });
    const changed = jest.fn();
    model.changed.connect(changed);

    await model.refresh();

    expect(model.loaded).toBe(true);
    expect(model.views).toEqual([
      {
        name: 'best',
        state: { ...emptyViewState(), filter: 'tags.best' },
        updated: 1
      },
      { name: 'broken', state: null, updated: 2 }
    ]);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('saves the view under its trimmed name and lists it', async () => {
    expect(await model.save('  lr sweep ', VIEW)).toBe(true);
    expect(client.callsTo('views.save')).toEqual([['lr sweep', VIEW]]);
    expect(model.find('lr sweep')?.state).toEqual(VIEW);
  });

  it('refuses an empty name without asking the server', async () => {
    expect(await model.save('   ', VIEW)).toBe(false);
    expect(model.error).toBe('A view needs a name.');
    expect(client.callsTo('views.save')).toEqual([]);
    expect(checkViewName('x'.repeat(201))).toMatch(/at most 200/);
  });

  it('deletes a view', async () => {
    await model.save('a', VIEW);
    expect(await model.remove('a')).toBe(true);
    expect(model.views).toEqual([]);
  });

  it("keeps the list and says the server's reason when it fails", async () => {
    await model.save('a', VIEW);
    client.failNext('views.delete', new ApiError(500, 'database is locked'));
    expect(await model.remove('a')).toBe(false);
    expect(model.error).toBe('database is locked');
    expect(model.views.map(v => v.name)).toEqual(['a']);

    client.failNext('views.list', new ApiError(403, 'Forbidden'));
    await model.refresh();
    expect(model.error).toBe('Forbidden');
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('keeps only the latest of overlapping refreshes', async () => {
    const release = client.hold('views.list');
    const first = model.refresh();
    client.views.saved.set('late', { name: 'late', state: {}, updated: 0 });
    const second = model.refresh();
    release();
    await Promise.all([first, second]);
    expect(model.views.map(v => v.name)).toEqual(['late']);
  });
});
