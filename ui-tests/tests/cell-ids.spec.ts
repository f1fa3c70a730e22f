import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  checkpointRepository,
  checkpointsOf,
  git,
  notebookId
} from './checkpointRepository';

/** A notebook of nbformat 4.4 (no cell ids), from the peers' test notebooks. */
const NB_4_4 = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'reference',
  'papermill',
  'nb_version_4.4.ipynb'
);

/** nbformat 4.5's cell id schema. */
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

function savedNotebook(page: any, filePath: string): Promise<any> {
  return page.evaluate(async (p: string) => {
    const response = await fetch(`/api/contents/${p}?content=1`);
    return (await response.json()).content;
  }, filePath);
}

test.describe('nbformat 4.4 notebooks', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    for (const name of ['old', 'a', 'b', 'c']) {
      await page.contents.uploadFile(NB_4_4, `${tmpPath}/${name}.ipynb`);
    }
  });

  test('are offered the upgrade to 4.5; then cells are saved and checkpointed with their ids', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.openByPath(`${tmpPath}/old.ipynb`);
    await page.notebook.activate('old.ipynb');
    const offer = page.locator('.Toastify__toast', {
      hasText: 'old.ipynb saves no cell ids'
    });
    await expect(offer).toBeVisible();

    // Before the upgrade, history keys cells by position and content.
    await page.notebook.runCell(0);
    const gitDir = await checkpointRepository(page);
    const id = await notebookId(page);
    const ref = `refs/notebooks/${id}`;
    await expect.poll(() => checkpointsOf(gitDir, id)).toHaveLength(1);
    expect(JSON.parse(git(gitDir, 'show', `${ref}:notebook.json`))).toEqual(
      expect.objectContaining({
        nbformat_minor: 4,
        cells: [
          expect.stringMatching(/^cell-0-[0-9a-f]{8}$/),
          expect.stringMatching(/^cell-1-[0-9a-f]{8}$/)
        ]
      })
    );

    // Read the file once saved: a read during the save would race the write.
    const save = page.waitForResponse(
      response =>
        response.request().method() === 'PUT' &&
        response.url().includes('/old.ipynb')
    );
    await offer.getByRole('button', { name: 'Upgrade to 4.5' }).click();
    expect((await save).ok()).toBe(true);
    const saved = await savedNotebook(page, `${tmpPath}/old.ipynb`);
    expect(saved.nbformat_minor).toBe(5);
    const ids: string[] = saved.cells.map((cell: any) => cell.id);
    expect(ids).toHaveLength(2);
    ids.forEach(cellId => expect(cellId).toMatch(CELL_ID));
    expect(new Set(ids).size).toBe(2);
    expect(saved.metadata.experiments.notebook_id).toBe(id);

    // The next checkpoint keys every cell by its id, and records the id in
    // each cell, unchanged cells included.
    await page.notebook.runCell(1);
    await expect.poll(() => checkpointsOf(gitDir, id)).toHaveLength(2);
    const recorded = JSON.parse(git(gitDir, 'show', `${ref}:notebook.json`));
    expect(recorded.nbformat_minor).toBe(5);
    // Running the last cell appended an empty one, unsaved.
    expect(recorded.cells.slice(0, 2)).toEqual(ids);
    for (const key of recorded.cells) {
      const cell = JSON.parse(git(gitDir, 'show', `${ref}:cells/${key}/cell.json`));
      expect(cell.id).toBe(key);
    }
    git(gitDir, 'fsck', '--strict');

    // The checkpoint reads back in the History panel.
    await page.sidebar.openTab('jp-experiments-history');
    const latest = page
      .locator('#jp-experiments-history .jp-Experiments-checkpoint')
      .first();
    await latest.locator('.jp-Experiments-checkpointSummary').click();
    await latest.getByRole('button', { name: 'Open' }).click();
    const view = page.locator('.jp-Experiments-checkpointView');
    await expect(view.locator('.jp-Cell').nth(1)).toContainText('print(var)');
    await expect(view.locator('.jp-OutputArea-output').first()).toHaveText(
      '1'
    );
  });

  test("are offered the upgrade once per session, and never after \"Don't ask again\"", async ({
    page,
    tmpPath
  }) => {
    const offerFor = (name: string) =>
      page.locator('.Toastify__toast', {
        hasText: `${name} saves no cell ids`
      });
    await page.notebook.openByPath(`${tmpPath}/a.ipynb`);
    await expect(offerFor('a.ipynb')).toHaveCount(1);
    await page.notebook.close();
    await page.notebook.openByPath(`${tmpPath}/a.ipynb`);
    await page.notebook.activate('a.ipynb');
    // The offer is made when the notebook is ready, before any cell can run.
    await page.notebook.runCell(0);
    await expect(offerFor('a.ipynb')).toHaveCount(1);

    await page.notebook.openByPath(`${tmpPath}/b.ipynb`);
    await offerFor('b.ipynb')
      .getByRole('button', { name: "Don't ask again" })
      .click();
    await expect(offerFor('b.ipynb')).toHaveCount(0);
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const settings = await (
            window as any
          ).jupyterapp.serviceManager.settings.fetch(
            'jupyterlab-experiments:capture'
          );
          return settings.raw;
        })
      )
      .toMatch(/"offerCellIds":\s*false/);

    await page.notebook.openByPath(`${tmpPath}/c.ipynb`);
    await page.notebook.activate('c.ipynb');
    await page.notebook.runCell(0);
    await expect(offerFor('c.ipynb')).toHaveCount(0);
  });
});
