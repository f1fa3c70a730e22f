import { NotebookPanel } from '@jupyterlab/notebook';

import { METADATA_KEY, readNotebookId } from '../common/notebookId';
import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  closeNotebook,
  codeCell,
  notebook,
  openNotebook,
  quietWarnings,
  settle,
  until
} from '../testing/notebooks';
import { batchedReads } from './batchedReads';
import { ICheckpointCause, NotebookCheckpointer } from './checkpointer';
import { CheckpointReader } from './reader';

const NOTEBOOK_ID = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const REF = `refs/notebooks/${NOTEBOOK_ID}`;
const CONTENT = notebook([codeCell('a', 'x = 1'), codeCell('b', 'y = 0')], {
  [METADATA_KEY]: { notebook_id: NOTEBOOK_ID }
} as any);

function executed(cellIndex: number, executionCount: number): ICheckpointCause {
  return { cellIndex, trailers: { cellId: 'b', executionCount } };
}

/** A notebook tab: its panel, checkpointer and the commits that landed. */
async function openTab(
  client: FakeExperimentsClient,
  exists: (path: string) => boolean = () => false
) {
  const panel = await openNotebook(CONTENT);
  const landed: string[] = [];
  const separated: string[] = [];
  const checkpointer = new NotebookCheckpointer(panel, client, {
    landed: commit => landed.push(commit),
    exists: async path => exists(path),
    separated: original => separated.push(original)
  });
  const setSource = (index: number, source: string) =>
    panel.model!.cells.get(index).sharedModel.setSource(source);
  return { panel, checkpointer, landed, separated, setSource };
}

describe('NotebookCheckpointer', () => {
  let client: FakeExperimentsClient;
  let reader: CheckpointReader;
  const panels: NotebookPanel[] = [];
  const open = async (exists?: (path: string) => boolean) => {
    const tab = await openTab(client, exists);
    panels.push(tab.panel);
    return tab;
  };

  beforeAll(quietWarnings);

  beforeEach(() => {
    client = new FakeExperimentsClient();
    reader = new CheckpointReader(
      batchedReads(oids => client.git.readObjects(oids))
    );
  });

  afterEach(() => {
    panels.splice(0).forEach(closeNotebook);
  });

  it('collapses the requests made while a checkpoint is in flight into one, of the latest state', async () => {
    const { checkpointer, landed, setSource } = await open();
    const release = client.hold('git.write');
    checkpointer.request(executed(1, 1));
    await until(() => client.callsTo('git.write').length === 1);

    for (let n = 2; n <= 6; n++) {
      setSource(1, `y = ${n}`);
      checkpointer.request(executed(1, n));
    }
    await settle();
    expect(client.callsTo('git.write')).toHaveLength(1);
    release();

    await until(() => landed.length === 2);
    await settle(50);
    expect(landed).toHaveLength(2);
    expect(client.callsTo('git.write')).toHaveLength(2);

    const [first, second] = await Promise.all(
      landed.map(commit => reader.readCheckpoint(commit))
    );
    expect(first.parents).toEqual([]);
    expect(second.parents).toEqual([landed[0]]);
    expect(second.trailers.executionCount).toBe(6);
    expect(client.git.refs.get(REF)).toBe(landed[1]);
    const cells = (await reader.readNotebook(landed[1])).cells;
    expect(cells.map(cell => cell.source)).toEqual(['x = 1', 'y = 6']);
    expect((await reader.readNotebook(landed[0])).cells[1].source).toBe(
      'y = 0'
    );
  });

  it('asks which objects the server lacks only for its first checkpoint', async () => {
    const { checkpointer, landed, setSource } = await open();
    checkpointer.request(executed(1, 1));
    await until(() => landed.length === 1);
    setSource(1, 'y = 2');
    checkpointer.request(executed(1, 2));
    await until(() => landed.length === 2);

    expect(client.callsTo('git.missing')).toHaveLength(1);
    // The second ships the changed cell's objects only, not the notebook again.
    const [firstWrite, secondWrite] = client.callsTo('git.write') as [
      { oid: string }[],
      unknown
    ][];
    expect(secondWrite[0].length).toBeLessThan(firstWrite[0].length);
  });

  it('builds on top of the checkpoint another tab wrote meanwhile', async () => {
    const tab = await open();
    const other = await open();
    tab.checkpointer.request(executed(1, 1));
    await until(() => tab.landed.length === 1);
    other.checkpointer.request(executed(0, 1));
    await until(() => other.landed.length === 1);
    expect(client.git.refs.get(REF)).toBe(other.landed[0]);

    tab.setSource(1, 'y = 2');
    tab.checkpointer.request(executed(1, 2));
    await until(() => tab.landed.length === 2);

    const writes = client.callsTo('git.write') as [unknown, { old: string }][];
    // Refused (the ref moved), then written on top of the other tab's commit.
    expect(writes.map(([, ref]) => ref.old)).toEqual([
      null,
      tab.landed[0],
      tab.landed[0],
      other.landed[0]
    ]);
    expect((await reader.readCheckpoint(tab.landed[1])).parents).toEqual([
      other.landed[0]
    ]);
    expect(client.git.refs.get(REF)).toBe(tab.landed[1]);
  });

  it('gives a copy of a notebook (its original still there) an id and history of its own', async () => {
    client.git.addCheckpoint(NOTEBOOK_ID, {
      commit: 'c'.repeat(40),
      notebook_path: 'original.ipynb'
    });
    const { panel, checkpointer, landed, separated } = await open(
      path => path === 'original.ipynb'
    );
    checkpointer.request(executed(1, 1));
    await until(() => landed.length === 1);

    expect(separated).toEqual(['original.ipynb']);
    const id = readNotebookId(panel.model!.getMetadata(METADATA_KEY));
    expect(id).not.toBe(NOTEBOOK_ID);
    expect(client.git.refs.get(`refs/notebooks/${id}`)).toBe(landed[0]);
    expect(client.git.refs.has(REF)).toBe(false);
    expect((await reader.readCheckpoint(landed[0])).parents).toEqual([]);
  });

  it('keeps the history of a renamed notebook (its old path is gone)', async () => {
    client.git.addCheckpoint(NOTEBOOK_ID, {
      commit: 'c'.repeat(40),
      notebook_path: 'old-name.ipynb'
    });
    client.git.refs.set(REF, 'c'.repeat(40));
    const { checkpointer, landed, separated } = await open(() => false);
    checkpointer.request(executed(1, 1));
    await until(() => landed.length === 1);

    expect(separated).toEqual([]);
    expect(client.git.refs.get(REF)).toBe(landed[0]);
    expect((await reader.readCheckpoint(landed[0])).parents).toEqual([
      'c'.repeat(40)
    ]);
  });

  it('takes a checkpoint on demand: the commit and the notebook it recorded', async () => {
    const { panel, checkpointer, landed, setSource } = await open();
    setSource(0, 'x = 42');
    const taken = await checkpointer.now({ cellIndex: null, trailers: {} });
    expect(taken.commit).toBe(landed[landed.length - 1]);
    expect(taken.notebook).toEqual(panel.model!.toJSON());
    expect((await reader.readNotebook(taken.commit)).cells[0].source).toBe(
      'x = 42'
    );
  });

  it('is disposed without an error after its notebook model was (a closing notebook)', async () => {
    const { panel, checkpointer } = await open();
    panel.context.model.dispose();
    expect(() => checkpointer.dispose()).not.toThrow();
  });
});
