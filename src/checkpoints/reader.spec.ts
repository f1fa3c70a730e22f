import type * as nbformat from '@jupyterlab/nbformat';

import { objectPath } from './git';
import { MemFs } from './memfs';
import { CheckpointReader, fsObjectReader, ICellChange } from './reader';
import { CheckpointWriter } from './writer';

function cell(id: string | undefined, source: string): nbformat.ICodeCell {
  return {
    cell_type: 'code',
    ...(id ? { id } : {}),
    metadata: {},
    source,
    execution_count: null,
    outputs: []
  };
}

function notebook(cells: nbformat.ICell[]): nbformat.INotebookContent {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

/** Writes the notebooks as successive checkpoints; returns their commits. */
async function history(
  ...notebooks: nbformat.INotebookContent[]
): Promise<{ commits: string[]; reader: CheckpointReader; reads: string[] }> {
  const objects = new Map<string, Uint8Array>();
  const writer = new CheckpointWriter();
  const commits: string[] = [];
  for (const nb of notebooks) {
    const checkpoint = await writer.checkpoint({
      notebook: nb,
      parent: commits[commits.length - 1] ?? null
    });
    checkpoint.objects.forEach(o => objects.set(o.oid, o.deflated));
    commits.push(checkpoint.commit);
  }
  const reads: string[] = [];
  const reader = new CheckpointReader(async oid => {
    reads.push(oid);
    const data = objects.get(oid);
    if (!data) {
      throw Object.assign(new Error(`no object ${oid}`), { code: 'ENOENT' });
    }
    return data;
  });
  return { commits, reader, reads };
}

const summary = (changes: ICellChange[]) =>
  changes.map(c => `${c.key}:${c.status}${c.moved ? ':moved' : ''}`);

describe('CheckpointReader', () => {
  const base = notebook(['a', 'b', 'c', 'd'].map(id => cell(id, id)));

  it('finds modified, added and removed cells', async () => {
    const next = notebook([
      cell('a', 'a'),
      cell('b', 'b changed'),
      cell('e', 'new'),
      cell('d', 'd')
    ]);
    const { commits, reader } = await history(base, next);
    const changes = await reader.changedCells(commits[0], commits[1]);
    expect(summary(changes)).toEqual([
      'a:unchanged',
      'b:modified',
      'e:added',
      'd:unchanged',
      'c:removed'
    ]);
    expect(changes[1]).toMatchObject({ oldIndex: 1, newIndex: 1 });
    expect(changes[4]).toMatchObject({
      oldIndex: 2,
      newIndex: null,
      newTree: null
    });
    expect(await reader.readCell(changes[1].newTree!)).toEqual(next.cells[1]);
    expect(await reader.readCell(changes[1].oldTree!)).toEqual(base.cells[1]);
  });

  it('marks only the cells that left their order as moved', async () => {
    const moved = notebook(['b', 'c', 'a', 'd'].map(id => cell(id, id)));
    const { commits, reader } = await history(base, moved);
    expect(summary(await reader.changedCells(commits[0], commits[1]))).toEqual([
      'b:unchanged',
      'c:unchanged',
      'a:unchanged:moved',
      'd:unchanged'
    ]);
  });

  it('reads no cell file to compare', async () => {
    const next = notebook([
      cell('a', 'a'),
      cell('b', 'x'),
      cell('c', 'c'),
      cell('d', 'd')
    ]);
    const { commits, reader, reads } = await history(base, next);
    await reader.changedCells(commits[0], commits[1]);
    // Two commits, two root trees, two cells/ trees; notebook.json is the
    // same blob in both, read once.
    expect(reads).toHaveLength(7);
  });

  it('pairs cells whose generated key changed with their old key', async () => {
    const old = notebook([cell(undefined, 'x = 1'), cell(undefined, 'y = 2')]);
    const inserted = notebook([cell(undefined, 'import os'), ...old.cells]);
    const { commits, reader } = await history(old, inserted);
    const changes = await reader.changedCells(commits[0], commits[1]);
    expect(
      changes.map(c => [c.status, c.moved, c.oldIndex, c.newIndex])
    ).toEqual([
      ['added', false, null, 0],
      ['unchanged', false, 0, 1],
      ['unchanged', false, 1, 2]
    ]);
    expect(changes[1].oldKey).toMatch(/^cell-0-/);
    expect(changes[1].key).toMatch(/^cell-1-/);
  });

  it('compares with an empty notebook', async () => {
    const { commits, reader } = await history(notebook([]), base);
    const changes = await reader.changedCells(commits[0], commits[1]);
    expect(changes.every(c => c.status === 'added')).toBe(true);
    expect(await reader.readNotebook(commits[0])).toEqual(notebook([]));
  });

  it('reads the commit', async () => {
    const { commits, reader } = await history(base, base);
    const info = await reader.readCheckpoint(commits[1]);
    expect(info.parents).toEqual([commits[0]]);
    expect(info.subject).toBe('Checkpoint');
    expect(info.tree).toBe((await reader.readCheckpoint(commits[0])).tree);
  });

  it('fails on a missing object', async () => {
    const { reader } = await history(base);
    await expect(reader.readNotebook('0'.repeat(40))).rejects.toThrow();
  });

  it('reads from a git directory in a MemFs', async () => {
    const fs = new MemFs();
    const writer = new CheckpointWriter();
    const checkpoint = await writer.checkpoint({
      notebook: base,
      parent: null
    });
    await fs.mkdir('/repo.git');
    await fs.mkdir('/repo.git/objects');
    for (const { oid, deflated } of checkpoint.objects) {
      const file = objectPath('/repo.git', oid);
      await fs
        .mkdir(file.slice(0, file.lastIndexOf('/')))
        .catch(() => undefined);
      await fs.writeFile(file, deflated);
    }
    const reader = new CheckpointReader(fsObjectReader(fs, '/repo.git'));
    expect(await reader.readNotebook(checkpoint.commit)).toEqual(base);
  });
});
