import {
  readNotebookId,
  withFreshNotebookId,
  withNotebookId
} from './notebookId';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('notebook identity', () => {
  it('reads only valid UUIDs', () => {
    expect(readNotebookId({ notebook_id: ID })).toBe(ID);
    expect(readNotebookId({ notebook_id: '../../etc' })).toBeNull();
    expect(readNotebookId(undefined)).toBeNull();
    expect(readNotebookId('text')).toBeNull();
  });

  it('keeps an existing id', () => {
    const metadata = { notebook_id: ID, other: 1 };
    const result = withNotebookId(metadata, () => 'new');
    expect(result).toEqual({ metadata, id: ID, created: false });
  });

  it('adds an id once, keeping other keys', () => {
    const result = withNotebookId({ other: 1 }, () => ID);
    expect(result.created).toBe(true);
    expect(result.metadata).toEqual({ other: 1, notebook_id: ID });
  });

  it('replaces an invalid id and ignores non-object metadata', () => {
    expect(withNotebookId({ notebook_id: 3 }, () => ID).id).toBe(ID);
    expect(withNotebookId(['x'], () => ID).metadata).toEqual({
      notebook_id: ID
    });
  });
});

describe('withFreshNotebookId', () => {
  it('gives a copy its own id and remembers the original', () => {
    expect(
      withFreshNotebookId({ notebook_id: ID, other: 1 }, () => 'new')
    ).toEqual({
      notebook_id: 'new',
      other: 1,
      copied_from: ID
    });
  });
});
