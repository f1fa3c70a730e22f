import { ApiError, IRunQuery } from '../rest';
import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  BrowserModel,
  IRunRow,
  groupFilter,
  idsFilter,
  REFRESH_MAX_IDS,
  IEditFailure,
  literal,
  orderByText
} from './model';

/** Let every pending reply of the fake client land. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}

/** `n` runs: run000 is the oldest; params lr, optim, epochs; metric acc. */
function seed(client: FakeExperimentsClient, n: number): void {
  for (let i = 0; i < n; i++) {
    const id = `run${String(i).padStart(3, '0')}`;
    client.runs.add({
      id,
      name: `name ${i}`,
      start_time: 1000 + i,
      status: 'finished',
      notebook_path: i % 2 ? 'b.ipynb' : 'a.ipynb',
      params: { lr: i % 3 === 0 ? 0.1 : 0.01, optim: 'adam', epochs: i }
    });
    client.runs.logMetric(id, 'acc', [i / 1000]);
  }
}

function listCalls(client: FakeExperimentsClient): IRunQuery[] {
  return client.callsTo('runs.list').map(args => args[0] as IRunQuery);
}

function runIds(model: BrowserModel, from = 0, to = model.rowCount): string[] {
  const ids: string[] = [];
  for (let i = from; i < to; i++) {
    const row = model.row(i);
    ids.push(
      row.type === 'run'
        ? row.run.id
        : row.type === 'group'
          ? `group:${row.key}`
          : 'pending'
    );
  }
  return ids;
}

describe('query-grammar texts', () => {
  it('quotes strings and leaves numbers bare', () => {
    expect(literal(0.5)).toBe('0.5');
    expect(literal("it's")).toBe("'it''s'");
    expect(literal(true)).toBe('true');
    expect(literal(NaN)).toBe("'NaN'");
    // In quotes the grammar reads a backslash as an escape: it is escaped.
    expect(literal('a\\b')).toBe("'a\\\\b'");
  });

  it("combines a group's value with the view's filter", () => {
    expect(groupFilter('', 'params.lr', 0.1)).toBe('params.lr = 0.1');
    expect(groupFilter('a = 1 OR b = 2', 'notebook', 'x.ipynb')).toBe(
      "(a = 1 OR b = 2) AND notebook = 'x.ipynb'"
    );
    expect(groupFilter('a = 1', 'tags.stage', null)).toBe(
      '(a = 1) AND tags.stage IS NULL'
    );
  });

  it('names runs by id, archived ones included', () => {
    expect(idsFilter(['a', "b'c"])).toBe(
      "id IN ('a', 'b''c') AND (archived OR NOT archived)"
    );
    expect(
      orderByText([
        { key: 'metrics.acc', descending: true },
        { key: 'name', descending: false }
      ])
    ).toBe('metrics.acc DESC, name ASC');
  });
});

describe('BrowserModel', () => {
  let client: FakeExperimentsClient;
  let model: BrowserModel;

  beforeEach(() => {
    client = new FakeExperimentsClient();
  });

  afterEach(() => {
    model?.dispose();
  });

  describe('loading', () => {
    it('fetches the first page, then the pages scrolled to and the next', async () => {
      seed(client, 350);
      model = new BrowserModel(client);
      expect(model.status).toBe('loading');
      await settle();
      expect(model.status).toBe('ready');
      expect(model.total).toBe(350);
      expect(model.rowCount).toBe(350);
      expect(listCalls(client)).toEqual([
        {
          order_by: 'started DESC',
          summaries: ['last'],
          layout: 'columns',
          offset: 0,
          limit: 100
        }
      ]);
      // Only the figure the metric columns show.
      expect(Object.keys((model.row(0) as IRunRow).run.metrics.acc)).toEqual([
        'last'
      ]);
      // Newest first.
      expect(model.row(0)).toMatchObject({
        type: 'run',
        run: { id: 'run349' }
      });
      expect(model.row(150).type).toBe('pending');

      // Scrolled down: the page on screen, then the one after it.
      model.ensureRows(150, 190);
      await settle();
      expect(listCalls(client).map(q => q.offset)).toEqual([0, 100, 200]);
      expect(model.row(250)).toMatchObject({ run: { id: 'run099' } });
      expect(model.row(300).type).toBe('pending');

      // A page already here is not fetched again.
      model.ensureRows(0, 50);
      await settle();
      expect(listCalls(client)).toHaveLength(3);
    });

    it('starts again from the top when the filter changes', async () => {
      seed(client, 30);
      model = new BrowserModel(client);
      await settle();
      const states: string[] = [];
      model.stateChanged.connect((_, state) => states.push(state.filter));
      model.setFilter('params.lr = 0.1');
      await settle();
      expect(listCalls(client).pop()).toEqual({
        filter: 'params.lr = 0.1',
        order_by: 'started DESC',
        summaries: ['last'],
        layout: 'columns',
        offset: 0,
        limit: 100
      });
      expect(model.total).toBe(10);
      expect(runIds(model)[0]).toBe('run027');
      expect(states).toEqual(['params.lr = 0.1']);
    });

    it('drops the reply of a query that was replaced', async () => {
      seed(client, 30);
      const list = client.runs.list.bind(client.runs);
      const replies: (() => void)[] = [];
      client.runs.list = (query?: IRunQuery) =>
        new Promise((resolve, reject) =>
          replies.push(() => list(query).then(resolve, reject))
        );
      model = new BrowserModel(client);
      model.setFilter("notebook = 'a.ipynb'");
      expect(replies).toHaveLength(2);
      // The newer reply first, the older one late.
      replies[1]();
      await settle();
      replies[0]();
      await settle();
      expect(model.total).toBe(15);
      expect(runIds(model).every(id => Number(id.slice(3)) % 2 === 0)).toBe(
        true
      );
    });

    it('says why the runs could not be listed, and retries', async () => {
      seed(client, 3);
      client.failNext(
        'runs.list',
        new ApiError(400, "at 9: expected a value, found ')'")
      );
      model = new BrowserModel(client, { state: { filter: 'params.x >)' } });
      await settle();
      expect(model.status).toBe('error');
      expect(model.loadError).toMatchObject({
        status: 400,
        message: "at 9: expected a value, found ')'"
      });
      model.setFilter('');
      await settle();
      expect(model.status).toBe('ready');
      expect(model.total).toBe(3);
    });

    it('fetches a failed page again on retry', async () => {
      seed(client, 3);
      client.failNext('runs.list', new ApiError(500, 'database is locked'));
      model = new BrowserModel(client);
      await settle();
      expect(model.status).toBe('error');
      model.retry();
      await settle();
      expect(model.status).toBe('ready');
      expect(runIds(model)).toEqual(['run002', 'run001', 'run000']);
    });

    it('lists the trash when asked', async () => {
      seed(client, 3);
      client.runs.runs.get('run001')!.deleted = 5;
      model = new BrowserModel(client);
      await settle();
      expect(runIds(model)).toEqual(['run002', 'run000']);
      model.setTrash(true);
      await settle();
      expect(listCalls(client).pop()).toMatchObject({ trash: true });
      expect(runIds(model)).toEqual(['run001']);
    });
  });

  describe('columns', () => {
    it('shows the attributes, then each param and metric found', async () => {
      seed(client, 2);
      client.query.storeKeys = {
        params: ['batch size', 'lr'],
        metrics: ['acc', 'loss'],
        tags: [],
        env: []
      };
      model = new BrowserModel(client);
      await settle();
      expect(model.columns.map(c => c.id)).toEqual([
        'starred',
        'name',
        'notebook',
        'kind',
        'status',
        'started',
        'duration',
        'user',
        'tags',
        'verdict',
        'params.`batch size`',
        'params.epochs',
        'params.lr',
        'params.optim',
        'metrics.acc',
        'metrics.loss'
      ]);
      expect(model.columns.filter(c => c.pinned).map(c => c.id)).toEqual([
        'starred',
        'name'
      ]);
      // The state stays empty until the user changes a column.
      expect(model.state.columns).toEqual([]);
    });

    it('hides, pins, resizes and moves columns in the view state', async () => {
      seed(client, 2);
      model = new BrowserModel(client);
      await settle();
      const emitted = jest.fn();
      model.stateChanged.connect(emitted);
      model.setColumnHidden('user', true);
      model.setColumnPinned('params.lr', true);
      model.setColumnWidth('name', 220.4);
      model.moveColumn('metrics.acc', 'name');
      expect(emitted).toHaveBeenCalledTimes(4);
      const state = model.state.columns;
      expect(state.find(c => c.id === 'user')).toEqual({
        id: 'user',
        hidden: true
      });
      expect(state.find(c => c.id === 'params.lr')).toEqual({
        id: 'params.lr',
        pinned: true
      });
      expect(state.find(c => c.id === 'name')!.width).toBe(220);
      expect(model.visibleColumns.map(c => c.id).slice(0, 4)).toEqual([
        'starred',
        'metrics.acc',
        'name',
        'notebook'
      ]);
      expect(model.visibleColumns.some(c => c.id === 'user')).toBe(false);
    });

    it("adds a metric's other summaries beside it", async () => {
      seed(client, 2);
      model = new BrowserModel(client);
      await settle();
      expect(listCalls(client)).toHaveLength(1);
      model.addColumn('metrics.acc.max', 'metrics.acc');
      const ids = model.columns.map(c => c.id);
      expect(ids.indexOf('metrics.acc.max')).toBe(
        ids.indexOf('metrics.acc') + 1
      );
      // The rows are fetched again with the figure the new column shows.
      await settle();
      expect(listCalls(client).map(q => q.summaries)).toEqual([
        ['last'],
        ['last', 'max']
      ]);
      const run = (model.row(0) as IRunRow).run;
      expect(run.metrics.acc.max).toBe(
        client.runs.runs.get(run.id)!.metrics.acc.max
      );
      // Hiding it needs nothing new.
      model.setColumnHidden('metrics.acc.max', true);
      await settle();
      expect(listCalls(client)).toHaveLength(2);
      model.addColumn('not an id!');
      expect(model.columns).toHaveLength(ids.length);
    });

    it('applies a shared view, dropping what it cannot read', async () => {
      seed(client, 2);
      model = new BrowserModel(client);
      await settle();
      model.setState({
        filter: 'params.lr = 0.1',
        orderBy: [
          { key: 'metrics.acc', descending: true },
          { key: 'nonsense key', descending: false }
        ],
        columns: [{ id: 'params.lr', width: 90 }, { id: '%%' } as any],
        groupBy: null,
        selection: ['run000'],
        anchor: 'run000'
      });
      await settle();
      expect(model.state).toEqual({
        filter: 'params.lr = 0.1',
        orderBy: [{ key: 'metrics.acc', descending: true }],
        columns: [{ id: 'params.lr', width: 90 }],
        groupBy: null,
        selection: ['run000'],
        anchor: 'run000'
      });
      expect(model.columns[0].id).toBe('params.lr');
      expect(listCalls(client).pop()).toMatchObject({
        filter: 'params.lr = 0.1',
        order_by: 'metrics.acc DESC'
      });
      expect(model.takeAnchorIndex()).toBe(0);
      expect(model.takeAnchorIndex()).toBeNull();
    });
  });

  describe('sorting', () => {
    it('sorts on the server, several keys with shift', async () => {
      seed(client, 5);
      model = new BrowserModel(client);
      await settle();
      model.sortBy('name');
      await settle();
      expect(listCalls(client).pop()!.order_by).toBe('name ASC');
      expect(runIds(model)[0]).toBe('run000');
      model.sortBy('name');
      expect(model.sortOf('name')).toEqual({ descending: true, rank: 0 });
      // Numbers: best (highest) first.
      model.sortBy('metrics.acc', true);
      expect(orderByText(model.state.orderBy)).toBe(
        'name DESC, metrics.acc DESC'
      );
      model.sortBy('metrics.acc', true);
      expect(orderByText(model.state.orderBy)).toBe(
        'name DESC, metrics.acc ASC'
      );
      model.sortBy('metrics.acc', true);
      expect(orderByText(model.state.orderBy)).toBe('name DESC');
      // A plain click replaces every key.
      model.sortBy('params.lr');
      expect(orderByText(model.state.orderBy)).toBe('params.lr DESC');
      await settle();
      expect(listCalls(client).pop()!.order_by).toBe('params.lr DESC');
    });

    it('does not sort by the tags list', async () => {
      model = new BrowserModel(client);
      await settle();
      model.sortBy('tags');
      expect(model.isSortable('tags')).toBe(false);
      expect(orderByText(model.state.orderBy)).toBe('started DESC');
    });
  });

  describe('selection', () => {
    beforeEach(async () => {
      seed(client, 10);
      model = new BrowserModel(client);
      await settle();
    });

    it('selects one, toggles, and selects a range', () => {
      model.select(1);
      expect(model.selection).toEqual(['run008']);
      model.select(3, 'toggle');
      expect(model.selection).toEqual(['run008', 'run006']);
      model.select(3, 'toggle');
      expect(model.selection).toEqual(['run008']);
      model.select(5);
      model.select(2, 'range');
      expect([...model.selection].sort()).toEqual([
        'run004',
        'run005',
        'run006',
        'run007'
      ]);
      expect(model.state.selection).toHaveLength(4);
    });

    it('moves with the arrows, extends with shift, toggles with space', () => {
      model.moveFocus(1);
      expect(model.focusedIndex).toBe(0);
      model.moveFocus(-5);
      expect(model.focusedIndex).toBe(0);
      model.toggleFocused();
      expect(model.selection).toEqual(['run009']);
      model.moveFocus(1, true);
      model.moveFocus(1, true);
      expect([...model.selection].sort()).toEqual([
        'run007',
        'run008',
        'run009'
      ]);
      model.moveFocus(100);
      expect(model.focusedIndex).toBe(9);
    });

    it('opens the focused run', () => {
      const opened: string[] = [];
      model.opened.connect((_, id) => opened.push(id));
      model.open(2);
      expect(opened).toEqual(['run007']);
    });
  });

  describe('grouping', () => {
    it('lists groups with aggregates, and a group opens to its runs', async () => {
      seed(client, 9);
      model = new BrowserModel(client);
      await settle();
      model.setGroupBy('params.lr');
      await settle();
      const query = client.callsTo('runs.groups').pop()![0];
      expect(query).toEqual({
        group_by: 'params.lr',
        filter: undefined,
        // Not the grouped param itself.
        columns: ['params.epochs', 'metrics.acc']
      });
      expect(model.rowCount).toBe(2);
      const first = model.row(0);
      expect(first).toMatchObject({
        type: 'group',
        expanded: false,
        group: { value: 0.01, count: 6 }
      });
      expect(
        first.type === 'group' && first.group.aggregates['metrics.acc'].max
      ).toBe(0.008);
      expect(model.total).toBe(9);

      model.toggleGroup(first.type === 'group' ? first.key : '');
      await settle();
      expect(listCalls(client).pop()!.filter).toBe('params.lr = 0.01');
      expect(model.rowCount).toBe(2 + 6);
      expect(runIds(model)).toEqual([
        'group:0.01',
        'run008',
        'run007',
        'run005',
        'run004',
        'run002',
        'run001',
        'group:0.1'
      ]);
      // Space on a group row closes it.
      model.focus(0);
      model.toggleFocused();
      expect(model.rowCount).toBe(2);
    });

    it("keeps the view's filter inside a group", async () => {
      seed(client, 9);
      model = new BrowserModel(client, {
        state: { filter: "notebook = 'a.ipynb'", groupBy: 'params.lr' }
      });
      await settle();
      const last = model.row(1);
      expect(last).toMatchObject({ group: { value: 0.1, count: 2 } });
      model.toggleGroup(last.type === 'group' ? last.key : '');
      await settle();
      expect(listCalls(client).pop()!.filter).toBe(
        "(notebook = 'a.ipynb') AND params.lr = 0.1"
      );
      expect(runIds(model, 2)).toEqual(['run006', 'run000']);
    });
  });

  describe('edits', () => {
    const failures: IEditFailure[] = [];

    beforeEach(async () => {
      failures.length = 0;
      seed(client, 3);
      model = new BrowserModel(client);
      model.failed.connect((_, failure) => failures.push(failure));
      await settle();
    });

    const shown = (index: number) => {
      const row = model.row(index);
      if (row.type !== 'run') {
        throw new Error(`row ${index} is ${row.type}`);
      }
      return row;
    };

    it('shows a star at once, then the server copy', async () => {
      const release = client.hold('runs.update');
      const done = model.setStarred('run002', true);
      expect(shown(0).run.starred).toBe(true);
      expect(client.runs.runs.get('run002')!.starred).toBe(false);
      release();
      expect(await done).toBe(true);
      expect(client.callsTo('runs.update')).toEqual([
        ['run002', { starred: true }]
      ]);
      expect(shown(0).run.updated).toBe(1);
    });

    it('rolls back a refused edit and says why', async () => {
      client.failNext('runs.update', new ApiError(409, 'The run is locked'));
      expect(await model.rename('run001', 'new name')).toBe(false);
      expect(shown(1).run.name).toBe('name 1');
      expect(failures).toEqual([
        expect.objectContaining({
          action: 'rename',
          runIds: ['run001'],
          message: 'Could not rename run run001: The run is locked'
        })
      ]);
    });

    it('adds and removes tags, and saves notes', async () => {
      await model.addTag('run000', 'best');
      await model.addTag('run000', 'stage', 'prod');
      await model.removeTag('run000', 'best');
      await model.setNotes('run000', '# good');
      expect(shown(2).run.tags).toEqual({ stage: 'prod' });
      expect(shown(2).run.notes).toBe('# good');
      expect(client.callsTo('runs.update').map(a => a[1])).toEqual([
        { tags: { set: { best: '' } } },
        { tags: { set: { stage: 'prod' } } },
        { tags: { remove: ['best'] } },
        { notes: '# good' }
      ]);
      expect(model.keys.tags).toEqual(['best', 'stage']);
    });

    it('tags, untags, stars and archives the selection in one request each', async () => {
      model.select(0);
      model.select(2, 'toggle');
      await model.bulkTag({ reviewed: 'yes' });
      expect(client.callsTo('runs.bulk').pop()).toEqual([
        ['run002', 'run000'],
        { tags: { set: { reviewed: 'yes' } } }
      ]);
      expect(shown(0).run.tags).toEqual({ reviewed: 'yes' });
      expect(shown(1).run.tags).toEqual({});
      expect(shown(2).run.tags).toEqual({ reviewed: 'yes' });
      await model.bulkUntag(['reviewed']);
      expect(shown(2).run.tags).toEqual({});
      await model.bulkStar(true);
      expect(shown(0).run.starred && shown(2).run.starred).toBe(true);
      await model.bulkArchive(true);
      // Marked in place until the next query, which leaves them out.
      expect(shown(0).run.archived).toBe(true);
      model.reload();
      await settle();
      expect(runIds(model)).toEqual(['run001']);
    });

    it('rolls back a refused bulk edit on every run', async () => {
      model.select(0);
      model.select(1, 'range');
      client.failNext('runs.bulk', new ApiError(404, 'No run run001'));
      expect(await model.bulkArchive(true)).toBe(false);
      expect(shown(0).run.archived || shown(1).run.archived).toBe(false);
      expect(failures[0].message).toBe(
        'Could not archive 2 runs: No run run001'
      );
    });

    it('moves a run to the trash, restores and purges it', async () => {
      expect(await model.remove('run001')).toBe(true);
      expect(shown(1).run.deleted).not.toBeNull();
      expect(client.runs.runs.get('run001')!.deleted).not.toBeNull();
      model.setTrash(true);
      await settle();
      expect(runIds(model)).toEqual(['run001']);
      expect(await model.restore('run001')).toBe(true);
      expect(shown(0).run.deleted).toBeNull();
      await model.remove('run001');
      expect(await model.purge('run001')).toBe(true);
      expect(shown(0).gone).toBe(true);
      expect(client.runs.runs.has('run001')).toBe(false);
    });
  });

  describe('live updates', () => {
    beforeEach(async () => {
      seed(client, 5);
      model = new BrowserModel(client);
      await settle();
    });

    it('fetches only the changed runs and updates their rows', async () => {
      client.runs.logMetric('run003', 'acc', [0.9]);
      await model.refresh(['run003']);
      expect(listCalls(client).pop()).toEqual({
        filter: idsFilter(['run003']),
        limit: 1,
        trash: undefined
      });
      const row = model.row(1);
      expect(row.type === 'run' && row.run.metrics.acc.last).toBe(0.9);
    });

    it('marks a run that is gone', async () => {
      client.runs.runs.delete('run004');
      await model.refresh(['run004']);
      expect(model.row(0)).toMatchObject({ gone: true, run: { id: 'run004' } });
    });

    it('fetches the rows again when a new run appears', async () => {
      client.runs.add({ id: 'new', start_time: 5000 });
      await model.refresh(['new']);
      await settle();
      expect(model.total).toBe(6);
      expect(runIds(model)[0]).toBe('new');
    });

    it('reads the view again, not by id, when an event names many runs', async () => {
      const ids = Array.from({ length: REFRESH_MAX_IDS + 1 }, (_, i) => {
        const id = `bulk${String(i).padStart(3, '0')}`;
        client.runs.add({ id, start_time: 6000 + i });
        return id;
      });
      await model.refresh(ids);
      await new Promise(resolve => setTimeout(resolve, 1100));
      await settle();
      expect(listCalls(client).filter(q => q.filter?.includes('bulk'))).toEqual(
        []
      );
      expect(model.total).toBe(5 + ids.length);
    });

    it('follows the events of the server', async () => {
      client.runs.runs.get('run000')!.status = 'failed';
      client.events.emit(['run000']);
      await settle();
      expect(model.row(4)).toMatchObject({ run: { status: 'failed' } });
      client.events.emit(['run001'], 'deleted');
      expect(model.row(3)).toMatchObject({ gone: true });
      model.dispose();
      client.events.emit(['run002']);
      await settle();
      expect(
        listCalls(client).filter(q => q.filter?.includes('run002'))
      ).toEqual([]);
    });
  });
});
