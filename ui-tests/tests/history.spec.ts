import { expect, test } from '@jupyterlab/galata';

import { checkpointRepository, git, notebookId } from './checkpointRepository';

const HISTORY = 'jp-experiments-history';

test('every execution is checkpointed; a checkpoint opens and restores as it was', async ({
  page,
  tmpPath
}) => {
  await page.notebook.createNew('history.ipynb');
  await page.notebook.setCell(0, 'code', 'a = 1\na');
  await page.notebook.addCell('code', 'b = a + 1\nb');
  await page.notebook.addCell('code', 'print("third")');
  await page.sidebar.openTab(HISTORY);
  const history = page.locator(`#${HISTORY}`);
  const rows = history.locator('.jp-Experiments-checkpoint');

  await page.notebook.runCell(0);
  await expect(rows).toHaveCount(1);
  const id = await notebookId(page);
  await page.notebook.runCell(1);
  await expect(rows).toHaveCount(2);
  // Edit the first cell, unsaved, then run the third: the checkpoint holds the edit.
  await page.notebook.setCell(0, 'code', 'a = 100\na');
  await page.notebook.runCell(2);
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText('print("third")');

  // The second checkpoint (newest first) shows cell 2 as run, and cell 1 before the edit.
  const second = rows.nth(1);
  await second.locator('.jp-Experiments-checkpointSummary').click();
  await expect(second.locator('.jp-Experiments-changes')).toContainText(
    'modified'
  );
  // Against the latest checkpoint: the first cell was edited and the third ran
  // (running the last cell also appended an empty one).
  await second.getByRole('radio', { name: 'vs latest' }).check();
  await expect(
    second.locator('.jp-Experiments-changes li', { hasText: 'modified' })
  ).toHaveCount(2);
  await second.getByRole('button', { name: 'Open' }).click();
  const view = page.locator('.jp-Experiments-checkpointView');
  await expect(view).toBeVisible();
  await expect(view.locator('.jp-Cell').first()).toContainText('a = 1');
  await expect(view.locator('.jp-Cell').first()).not.toContainText('a = 100');
  await expect(view.locator('.jp-OutputArea-output').nth(1)).toHaveText('2');

  // Restoring writes a new notebook next to the original, equal to the checkpoint.
  const commit = await second.getAttribute('data-commit');
  await second.getByRole('button', { name: 'Restore as copy' }).click();
  const restoredPath = `${tmpPath}/history-checkpoint-${commit!.slice(0, 7)}.ipynb`;
  await expect
    .poll(async () => page.contents.fileExists(restoredPath))
    .toBe(true);
  const restored = await page.evaluate(async (p: string) => {
    const response = await fetch(`/api/contents/${p}?content=1`);
    return (await response.json()).content;
  }, restoredPath);
  expect(restored.cells.map((c: any) => c.source)).toEqual([
    'a = 1\na',
    'b = a + 1\nb',
    'print("third")'
  ]);
  expect(restored.cells[1].outputs[0].data['text/plain']).toBe('2');
  expect(restored.metadata.experiments.restored_from.commit).toBe(commit);

  // The repository is real git: the CLI lists the checkpoints and fsck is clean.
  const gitDir = await checkpointRepository(page);
  const log = git(gitDir, 'log', '--format=%s', `refs/notebooks/${id}`);
  expect(log.trim().split('\n')).toEqual([
    'Ran cell 3: print("third")',
    'Ran cell 2: b = a + 1',
    'Ran cell 1: a = 1'
  ]);
  git(gitDir, 'fsck', '--strict');
});

test('a copy of a notebook that kept its id gets a history of its own', async ({
  page,
  tmpPath
}) => {
  await page.notebook.createNew('original.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await page.notebook.save();
  const idOf = (path: string) =>
    page.evaluate(async (p: string) => {
      const response = await fetch(`/api/contents/${p}?content=1`);
      return (await response.json()).content.metadata.experiments;
    }, path);
  const original = (await idOf(`${tmpPath}/original.ipynb`)).notebook_id;
  expect(original).toMatch(/^[0-9a-f-]{36}$/);

  await page.evaluate(async (folder: string) => {
    const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
    await fetch(`/api/contents/${folder}`, {
      method: 'POST',
      headers: { 'X-XSRFToken': xsrf },
      body: JSON.stringify({ copy_from: `${folder}/original.ipynb` })
    });
  }, tmpPath);
  await page.notebook.openByPath(`${tmpPath}/original-Copy1.ipynb`);
  await page.notebook.activate('original-Copy1.ipynb');
  await page.notebook.runCell(0);
  await expect(page.locator('.jp-toast-message').last()).toContainText(
    'New history for this copy'
  );
  await page.notebook.save();
  const copy = await idOf(`${tmpPath}/original-Copy1.ipynb`);
  expect(copy.notebook_id).not.toBe(original);
  expect(copy.copied_from).toBe(original);
});

test('a renamed notebook keeps its history', async ({ page, tmpPath }) => {
  await page.notebook.createNew('before.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await page.notebook.save();
  const id = await notebookId(page);
  await page.notebook.close();
  await page.contents.renameFile(
    `${tmpPath}/before.ipynb`,
    `${tmpPath}/after.ipynb`
  );
  await page.notebook.openByPath(`${tmpPath}/after.ipynb`);
  await page.notebook.activate('after.ipynb');
  await page.notebook.runCell(0);
  await page.sidebar.openTab('jp-experiments-history');
  await expect(
    page.locator('#jp-experiments-history .jp-Experiments-checkpoint')
  ).toHaveCount(2);
  expect(await notebookId(page)).toBe(id);
});

test('experiments:checkpoint takes one on demand, edits included', async ({
  page
}) => {
  await page.notebook.createNew('manual.ipynb');
  await page.notebook.setCell(0, 'code', 'y = 2');
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('experiments:history');
  });
  const rows = page.locator(
    '#jp-experiments-history .jp-Experiments-checkpoint'
  );
  await expect(page.locator('#jp-experiments-history')).toContainText(
    'No checkpoints yet'
  );
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('experiments:checkpoint');
  });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Checkpoint');
  await expect(rows.first()).toContainText('on demand');
  await rows.first().locator('.jp-Experiments-checkpointSummary').click();
  await rows.first().getByRole('button', { name: 'Open' }).click();
  await expect(
    page.locator('.jp-Experiments-checkpointView .jp-Cell').first()
  ).toContainText('y = 2');
});

test('a checkpoint the server refuses is reported, not passed off as the previous one', async ({
  page
}) => {
  await page.notebook.createNew('refused.ipynb');
  await page.notebook.setCell(0, 'code', 'z = 1');
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('experiments:history');
    await (window as any).jupyterapp.commands.execute('experiments:checkpoint');
  });
  const rows = page.locator(
    '#jp-experiments-history .jp-Experiments-checkpoint'
  );
  await expect(rows).toHaveCount(1);

  // The next batch fails, as on a full disk (requests carry a cache buster).
  let refused = 0;
  await page.route(/\/experiments\/api\/git\/batch(\?|$)/, route => {
    refused++;
    return route.fulfill({
      status: 507,
      contentType: 'application/json',
      body: '{"message": "No space left on device"}'
    });
  });
  await page.notebook.setCell(0, 'code', 'z = 2');
  void page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('experiments:checkpoint')
  );
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Could not take a checkpoint');
  await expect(dialog).toContainText(
    'could not be written: No space left on device'
  );
  expect(refused).toBe(1);
  await dialog.getByRole('button').last().click();
  await expect(rows).toHaveCount(1);
});
