/**
 * User paths around the run sidebar: its settings, its command, and the
 * banner shown when the kernel's environment lacks the package.
 */
import { expect, galata, test } from '@jupyterlab/galata';

const SIDEBAR = 'jp-experiments-run';

/** Runs recorded for notebooks whose path ends with `name`. */
async function runsOf(
  page: import('@jupyterlab/galata').IJupyterLabPageFixture,
  name: string
): Promise<any[]> {
  return page.evaluate(async (name: string) => {
    const reply = await (await fetch('/experiments/api/runs?limit=200')).json();
    return reply.runs.filter((run: any) =>
      (run.notebook_path ?? '').endsWith(name)
    );
  }, name);
}

test.describe('with run tracking and checkpoints turned off', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-experiments:capture': { trackRuns: false, checkpoints: false }
    }
  });

  test('executions record no run and take no checkpoint', async ({ page }) => {
    await page.notebook.createNew('untracked.ipynb');
    await page.notebook.setCell(0, 'code', 'x = 1\nprint(x)');
    await page.notebook.runCell(0);
    await expect(page.locator('.jp-OutputArea-output').first()).toHaveText(
      '1'
    );
    // Both would be there within a second when turned on.
    await page.waitForTimeout(3000);
    expect(await runsOf(page, 'untracked.ipynb')).toEqual([]);
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('experiments:history');
    });
    await expect(page.locator('.jp-Experiments-history')).toContainText(
      'No checkpoints yet'
    );
  });
});

test('with the defaults the same execution records a run', async ({ page }) => {
  await page.notebook.createNew('tracked.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1\nprint(x)');
  await page.notebook.runCell(0);
  await expect.poll(async () => (await runsOf(page, 'tracked.ipynb')).length).toBe(1);
});

test('experiments:show-run opens the run sidebar', async ({ page }) => {
  await page.notebook.createNew('shown.ipynb');
  await expect(page.locator(`#${SIDEBAR}`)).toBeHidden();
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('experiments:show-run');
  });
  await expect(page.locator(`#${SIDEBAR}`)).toBeVisible();
});

test('a kernel without the package shows how to install it, and executions are still recorded', async ({
  page
}) => {
  await page.notebook.createNew('bare.ipynb');
  await page.sidebar.openTab(SIDEBAR);
  const sidebar = page.locator(`#${SIDEBAR}`);
  // Make the package unimportable in this kernel, as in an environment
  // without it; the next run attaches again and finds it missing.
  await page.notebook.setCell(
    0,
    'code',
    "import sys\nsys.modules['jupyterlab_experiments'] = None"
  );
  await page.notebook.runCell(0);
  await expect(sidebar.locator('.jp-Experiments-warning')).toHaveCount(0);
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('experiments:new-run');
  });
  await page.notebook.addCell('code', 'print(2)');
  await page.notebook.runCell(1);
  const banner = sidebar.locator('.jp-Experiments-warning');
  await expect(banner).toContainText('is not installed in this kernel');
  await expect(banner.locator('pre')).toHaveText(
    '%pip install jupyterlab-experiments'
  );
  await expect(sidebar.locator('.jp-Experiments-status')).toHaveText('running');
  const runs = await runsOf(page, 'bare.ipynb');
  expect(runs.length).toBe(2);
});
