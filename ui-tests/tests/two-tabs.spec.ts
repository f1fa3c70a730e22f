import { expect, galata, test } from '@jupyterlab/galata';

import {
  checkpointRepository,
  checkpointsOf,
  git,
  notebookId
} from './checkpointRepository';

test('two tabs checkpointing the same notebook in turn lose no checkpoint', async ({
  page,
  browser,
  baseURL,
  tmpPath,
  waitForApplication
}) => {
  await page.notebook.createNew('shared.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 0');
  await page.notebook.addCell('code', 'y = 0');
  await page.notebook.runCell(0);
  // The first checkpoint gave the notebook its id: saved, the other tab sees it.
  await page.notebook.save();
  const id = await notebookId(page);
  const gitDir = await checkpointRepository(page);
  await expect.poll(() => checkpointsOf(gitDir, id)).toHaveLength(1);
  const ran = ['x = 0'];

  const { page: other } = await galata.newPage({
    baseURL: baseURL!,
    browser,
    tmpPath,
    waitForApplication
  });
  try {
    await other.notebook.openByPath(`${tmpPath}/shared.ipynb`);
    await other.notebook.activate('shared.ipynb');
    expect(await notebookId(other)).toBe(id);

    // Each tab runs a cell in turn: every checkpoint after the first of a tab
    // finds the ref moved by the other tab (409) and is rebuilt on top.
    for (let k = 1; k <= 3; k++) {
      for (const [tab, cell, name] of [
        [page, 0, 'x'],
        [other, 1, 'y']
      ] as const) {
        await tab.notebook.setCell(cell, 'code', `${name} = ${k}`);
        await tab.notebook.runCell(cell);
        ran.push(`${name} = ${k}`);
        await expect
          .poll(() => checkpointsOf(gitDir, id))
          .toHaveLength(ran.length);
      }
    }
  } finally {
    await other.context().close();
  }

  // One linear history, newest first: every execution of both tabs.
  const ref = `refs/notebooks/${id}`;
  const subjects = git(gitDir, 'log', '--format=%s', ref).trim().split('\n');
  expect(subjects).toEqual(
    ran
      .reverse()
      .map(source => `Ran cell ${source.startsWith('x') ? 1 : 2}: ${source}`)
  );
  expect(git(gitDir, 'rev-list', '--merges', ref).trim()).toBe('');
  git(gitDir, 'fsck', '--strict');
});
