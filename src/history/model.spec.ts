import { NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import { METADATA_KEY } from '../common/notebookId';
import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  closeNotebook,
  codeCell,
  notebook,
  openNotebook,
  quietWarnings,
  settle
} from '../testing/notebooks';
import type { ICheckpoints } from '../tokens';
import { HistoryModel, PAGE_SIZE } from './model';

const NOTEBOOK_ID = '0c4f5a6e-2b1d-4e3f-8a9b-7c6d5e4f3a2b';
const commit = (n: number) => n.toString(16).padStart(40, '0');

describe('HistoryModel', () => {
  let panel: NotebookPanel;
  let notebooks: {
    currentWidget: NotebookPanel | null;
    currentChanged: Signal<any, any>;
  };
  let checkpointed: Signal<any, { panel: NotebookPanel; commit: string }>;
  let client: FakeExperimentsClient;
  let model: HistoryModel;

  beforeAll(quietWarnings);

  beforeEach(async () => {
    panel = await openNotebook(
      notebook([codeCell('a', 'x = 1')], {
        [METADATA_KEY]: { notebook_id: NOTEBOOK_ID }
      } as any)
    );
    notebooks = { currentWidget: panel, currentChanged: new Signal(panel) };
    checkpointed = new Signal(panel);
    client = new FakeExperimentsClient();
    // 120 checkpoints, the newest (119) first.
    for (let n = 0; n < 120; n++) {
      client.git.addCheckpoint(NOTEBOOK_ID, { commit: commit(n) });
    }
    model = new HistoryModel(
      notebooks as any,
      { checkpointed } as unknown as ICheckpoints,
      client
    );
  });

  afterEach(() => {
    model.dispose();
    closeNotebook(panel);
  });

  it('loads the newest page when shown, then older pages by commit', async () => {
    model.setActive(true);
    await settle();
    expect(model.checkpoints.map(c => c.commit)).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => commit(119 - i))
    );
    expect(model.total).toBe(120);
    expect(model.hasMore).toBe(true);

    await model.loadMore();
    await model.loadMore();

    expect(client.callsTo('git.log')).toEqual([
      [NOTEBOOK_ID, { limit: PAGE_SIZE, before_commit: undefined }],
      [NOTEBOOK_ID, { limit: PAGE_SIZE, before_commit: commit(70) }],
      [NOTEBOOK_ID, { limit: PAGE_SIZE, before_commit: commit(20) }]
    ]);
    expect(model.checkpoints.map(c => c.commit)).toEqual(
      Array.from({ length: 120 }, (_, i) => commit(119 - i))
    );
    expect(model.hasMore).toBe(false);

    await model.loadMore();
    expect(client.callsTo('git.log')).toHaveLength(3);
  });

  it('loads nothing while hidden', async () => {
    notebooks.currentChanged.emit(panel);
    await settle();
    expect(client.calls).toEqual([]);
  });

  it('reloads the newest page when the current notebook is checkpointed', async () => {
    await model.reload();
    await model.loadMore();
    client.git.addCheckpoint(NOTEBOOK_ID, { commit: commit(120) });

    checkpointed.emit({ panel, commit: commit(120) });
    await settle();

    expect(model.checkpoints).toHaveLength(PAGE_SIZE);
    expect(model.checkpoints[0].commit).toBe(commit(120));
    expect(model.total).toBe(121);
  });

  it('ignores checkpoints of other notebooks', async () => {
    await model.reload();
    checkpointed.emit({ panel: {} as NotebookPanel, commit: commit(500) });
    await settle();
    expect(client.callsTo('git.log')).toHaveLength(1);
  });

  it('shows an empty history for a notebook without an id, without asking', async () => {
    panel.model!.deleteMetadata(METADATA_KEY);
    await model.reload();
    expect(model.checkpoints).toEqual([]);
    expect(model.hasNotebook).toBe(true);
    expect(client.calls).toEqual([]);
  });
});
