/**
 * The status bar item: the current run and last checkpoint, and background
 * failures made visible (a warning, one notification, details, retry).
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import type { Route } from '@playwright/test';

import {
  checkpointRepository,
  checkpointsOf,
  git,
  notebookId
} from './checkpointRepository';

const ITEM = '.jp-Experiments-statusItem';
const GIT_BATCH = /\/experiments\/api\/git\/batch(\?|$)/;
const RUNS = /\/experiments\/api\/runs(\?|$)/;

/** The ids of the runs recorded for the notebook at `path`, newest first. */
async function runIdOf(
  page: IJupyterLabPageFixture,
  path: string
): Promise<string[]> {
  return page.evaluate(async (path: string) => {
    const reply = await (await fetch('/experiments/api/runs?limit=200')).json();
    return reply.runs
      .filter((run: any) => run.notebook_path === path)
      .map((run: any) => run.id);
  }, path);
}

/** Answer with a server error, as a full disk or a crashed handler would. */
function failWith(message: string, counter: { count: number }) {
  return (route: Route) => {
    if (route.request().method() !== 'POST') {
      return route.continue();
    }
    counter.count++;
    return route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ message })
    });
  };
}

test('a failing checkpoint warns in the status bar and notifies once; the latest state lands once the server answers', async ({
  page,
  tmpPath
}) => {
  const path = `${tmpPath}/status.ipynb`;
  await page.notebook.createNew('status.ipynb');
  const item = page.locator(ITEM);
  await expect(item).toHaveText('No run yet · no checkpoint yet');

  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  const id = await notebookId(page);
  const gitDir = await checkpointRepository(page);
  await expect.poll(() => checkpointsOf(gitDir, id)).toHaveLength(1);
  const [runId] = await runIdOf(page, path);
  await expect(item).toHaveText(
    `Run ${runId.slice(0, 8)} · last checkpoint just now`
  );
  await expect(item).not.toHaveClass(/jp-mod-warning/);

  const failures = { count: 0 };
  await page.route(GIT_BATCH, failWith('No space left on device', failures));
  for (const k of [2, 3, 4]) {
    await page.notebook.setCell(0, 'code', `x = ${k}`);
    await page.notebook.runCell(0);
  }
  await expect(item).toHaveClass(/jp-mod-warning/);
  await expect(item).toHaveText(
    `⚠ checkpoint failed · Run ${runId.slice(0, 8)} · last checkpoint just now`
  );
  // Failed executions, then retries of the latest: still one notification.
  await expect.poll(() => failures.count).toBeGreaterThanOrEqual(3);
  const notices = page.locator('.Toastify__toast', {
    hasText: 'Checkpoint not saved'
  });
  await expect(notices).toHaveCount(1);
  await expect(notices).toContainText(`${path}): No space left on device`);

  // The details say what failed, why and what happens next.
  await item.locator('button').click();
  const dialog = page.locator('.jp-Dialog');
  const failure = dialog.locator('.jp-Experiments-failure');
  await expect(failure).toHaveCount(1);
  await expect(failure).toContainText('Checkpoint not saved');
  await expect(failure).toContainText(path);
  await expect(failure.locator('.jp-Experiments-failureMessage')).toHaveText(
    '500: No space left on device'
  );
  await expect(failure).toContainText('retried automatically');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await page.notebook.setCell(0, 'code', 'x = 5');
  await page.notebook.runCell(0);
  await expect(notices).toHaveCount(1);

  // The server answers again: the retry records the notebook as it is now.
  await page.unroute(GIT_BATCH);
  await expect
    .poll(() => checkpointsOf(gitDir, id), { timeout: 40000 })
    .toHaveLength(2);
  const ref = `refs/notebooks/${id}`;
  expect(git(gitDir, 'log', '-1', '--format=%s', ref).trim()).toBe(
    'Ran cell 1: x = 5'
  );
  await expect(item).not.toHaveClass(/jp-mod-warning/);
  await expect(item).toHaveText(
    `Run ${runId.slice(0, 8)} · last checkpoint just now`
  );
  await expect(
    page.locator('.Toastify__toast', { hasText: 'Checkpoint not saved' })
  ).toHaveCount(0);
});

test('a run the server could not start is shown with its reason; Retry starts a new one at the next execution', async ({
  page,
  tmpPath
}) => {
  const path = `${tmpPath}/unstarted.ipynb`;
  await page.notebook.createNew('unstarted.ipynb');
  const item = page.locator(ITEM);
  const failures = { count: 0 };
  await page.route(RUNS, failWith('database is locked', failures));
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await expect(item).toHaveClass(/jp-mod-warning/);
  await expect(item).toContainText('⚠ run not started');
  expect(failures.count).toBe(1);

  const failedRun = shownRun(await item.textContent());

  await page.unroute(RUNS);
  await item.locator('button').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Experiments-failureMessage')).toHaveText(
    '500: database is locked'
  );
  await dialog.getByRole('button', { name: 'Retry' }).click();
  await expect(item).toContainText('No run yet');
  await page.notebook.runCell(0);
  await expect(item).not.toHaveClass(/jp-mod-warning/);
  const newRun = shownRun(await item.textContent());
  expect(newRun).not.toBe(failedRun);
  // The new run is on the server with the execution recorded.
  await expect
    .poll(async () => {
      const [id] = (await runIdOf(page, path)).filter(id =>
        id.startsWith(newRun)
      );
      return id ? (await runOf(page, id)).executions.length : 0;
    })
    .toBe(1);
});

/** The short run id the status item shows. */
function shownRun(text: string | null): string {
  const match = /Run ([0-9a-f]{8})/.exec(text ?? '');
  expect(match).not.toBeNull();
  return match![1];
}

async function runOf(page: IJupyterLabPageFixture, id: string): Promise<any> {
  return page.evaluate(
    async (id: string) => (await fetch(`/experiments/api/runs/${id}`)).json(),
    id
  );
}

test('a notebook opened with a history shows its latest checkpoint, not "no checkpoint yet"', async ({
  page,
  browser,
  baseURL,
  tmpPath,
  waitForApplication
}) => {
  await page.notebook.createNew('reopened.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await page.notebook.save();
  const id = await notebookId(page);
  const gitDir = await checkpointRepository(page);
  await expect.poll(() => checkpointsOf(gitDir, id)).toHaveLength(1);

  // Another page: nothing of the first one's session is in its browser state.
  const { page: other } = await galata.newPage({
    baseURL: baseURL!,
    browser,
    tmpPath,
    waitForApplication
  });
  try {
    await other.notebook.openByPath(`${tmpPath}/reopened.ipynb`);
    await other.notebook.activate('reopened.ipynb');
    await expect(other.locator(ITEM)).toHaveText(
      /^No run yet · last checkpoint (just now|\d+ s ago)$/
    );
  } finally {
    await other.close();
  }
});
