import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const HISTORY = 'jp-experiments-history';

// 4×4 PNGs: red and blue, each with one green pixel at (0, 0).
const RED =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAGUlEQVR4nGNk+M/wn5EBAhj/MyAAEwMuDgCIhAMFycy8/gAAAABJRU5ErkJggg==';
const BLUE =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAH0lEQVR4nFXHoQEAAAjDsIz/fwaDgKo0mjQQViinNwOEiAMFfNUDBgAAAABJRU5ErkJggg==';

const code = (id: string, source: string, outputs: unknown[] = []) => ({
  id,
  cell_type: 'code',
  source,
  metadata: {},
  execution_count: null,
  outputs
});
/** An nbformat 4.5 notebook of these cells, with a Python kernelspec. */
const notebook = (cells: unknown[]) =>
  JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python' }
    },
    cells
  });
const image = (png: string) => ({
  output_type: 'display_data',
  data: { 'image/png': png, 'text/plain': '<Figure>' },
  metadata: {}
});

test('two checkpoints diffed from History: an edit, an addition, a move and a changed image; restore with undo', async ({
  page,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebook([
      code('c1', 'a = 1'),
      code('c2', 'b = 2'),
      code('c3', 'c = 3'),
      code('c4', 'plot()', [image(RED)]),
      code('c5', 'd = 4')
    ]),
    'text',
    `${tmpPath}/diff.ipynb`
  );
  await page.notebook.openByPath(`${tmpPath}/diff.ipynb`);
  await page.notebook.activate('diff.ipynb');
  await page.sidebar.openTab(HISTORY);
  const rows = page.locator(`#${HISTORY} .jp-Experiments-checkpoint`);

  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('experiments:checkpoint')
  );
  await expect(rows).toHaveCount(1);

  // Edit c1, move c3 below c5, change c4's image, add a cell at the end.
  await page.evaluate(
    ({ blue }) => {
      const app = (window as any).jupyterapp;
      const panel = app.shell.currentWidget;
      const shared = panel.content.model.sharedModel;
      shared.transact(() => {
        shared.cells[0].setSource('a = 10');
        shared.cells[3].setOutputs([
          {
            output_type: 'display_data',
            data: { 'image/png': blue, 'text/plain': '<Figure>' },
            metadata: {}
          }
        ]);
        shared.moveCell(2, 4);
        shared.insertCell(5, {
          cell_type: 'code',
          source: 'e = 5',
          metadata: {}
        });
      });
    },
    { blue: BLUE }
  );
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('experiments:checkpoint')
  );
  await expect(rows).toHaveCount(2);

  // The newest checkpoint against the previous one.
  const newest = rows.first();
  await newest.locator('.jp-Experiments-checkpointSummary').click();
  await newest.getByRole('button', { name: 'Show diff' }).click();
  const diff = page.locator('.jp-ExperimentsDiff');
  await expect(diff).toBeVisible();
  const cells = diff.locator('.jp-ExperimentsDiff-cell');
  await expect(diff.locator('.jp-ExperimentsDiff-summary')).toContainText(
    '2 cells changed'
  );
  await expect(diff.locator('.jp-ExperimentsDiff-summary')).toContainText(
    '1 added'
  );
  await expect(diff.locator('.jp-ExperimentsDiff-summary')).toContainText(
    '1 moved'
  );
  // Exactly four changes, of the right kinds: c1 and c4 modified, c3 moved, e added.
  await expect(cells.and(page.locator('[data-kind="modified"]'))).toHaveCount(
    2
  );
  await expect(cells.and(page.locator('[data-kind="added"]'))).toHaveCount(1);
  await expect(cells.and(page.locator('[data-kind="removed"]'))).toHaveCount(0);
  await expect(cells.and(page.locator('[data-moved="true"]'))).toHaveCount(1);
  await expect(cells.and(page.locator('[data-moved="true"]'))).toContainText(
    'c = 3'
  );
  await expect(cells.and(page.locator('[data-kind="added"]'))).toContainText(
    'e = 5'
  );
  const edited = cells.filter({ hasText: 'a = 10' });
  await expect(edited).toHaveAttribute('data-kind', 'modified');
  await expect(edited).toContainText('a = 1');

  // `SCREENSHOT=1 make test-ui` refreshes the README's picture.
  if (process.env.SCREENSHOT) {
    await page.addStyleTag({ content: '.Toastify { display: none; }' });
    await page.screenshot({
      path: path.resolve(__dirname, '..', '..', 'docs', 'diff.png')
    });
  }

  // The image: swipe, then the pixel difference (4×4, every pixel but the green one differs).
  const imageDiff = diff.locator('.jp-ExperimentsDiff-image');
  await expect(imageDiff).toHaveCount(1);
  await imageDiff.getByRole('button', { name: 'Swipe' }).click();
  const slider = imageDiff.locator('input[type="range"]');
  await expect(slider).toBeVisible();
  await slider.fill('20');
  await imageDiff.getByRole('button', { name: 'Pixel difference' }).click();
  await expect(imageDiff.locator('.jp-ExperimentsDiff-pixelCount')).toHaveText(
    /15 differing pixels/
  );

  // Restore c1's old source into the open notebook, then undo it.
  await edited.getByTitle('Restore this cell').click();
  const sourceOf = () =>
    page.evaluate(() => {
      const app = (window as any).jupyterapp;
      const panel = Array.from(app.shell.widgets('main')).find((w: any) =>
        w.context?.path?.endsWith('diff.ipynb')
      );
      return panel.content.model.sharedModel.cells[0].getSource() as string;
    });
  await expect.poll(sourceOf).toBe('a = 1');
  await page.notebook.activate('diff.ipynb');
  await page.notebook.enterCellEditingMode(0);
  await page.keyboard.press('Control+z');
  await expect.poll(sourceOf).toBe('a = 10');
});

test('the toolbar diffs a notebook with its last checkpoint; the file browser diffs two notebooks; a diff exports and comes back after a reload', async ({
  page,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebook([code('x1', 'x = 1'), code('x2', 'y = 2')]),
    'text',
    `${tmpPath}/one.ipynb`
  );
  await page.contents.uploadContent(
    notebook([code('x1', 'x = 1'), code('x2', 'y = 3'), code('x3', 'z')]),
    'text',
    `${tmpPath}/two.ipynb`
  );
  await page.notebook.openByPath(`${tmpPath}/one.ipynb`);

  // No checkpoint yet: the button says so instead of opening an empty diff.
  const button = page.locator(
    '.jp-NotebookPanel-toolbar [data-command="experiments:diff-checkpoint"]'
  );
  await button.click();
  await expect(
    page.locator('.jp-toast-message', { hasText: 'has no checkpoint yet' })
  ).toHaveCount(1);
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('experiments:checkpoint')
  );
  await expect(
    page.locator('.jp-toast-message', {
      hasText: /^Checkpoint [0-9a-f]{7} taken/
    })
  ).toHaveCount(1);
  // An unsaved edit is part of "now".
  await page.notebook.setCell(1, 'code', 'y = 20');
  await button.click();
  const diff = page.locator('.jp-ExperimentsDiff:visible');
  await expect(diff.locator('.jp-ExperimentsDiff-summary')).toHaveText(
    /^1 cell changed/
  );
  await expect(diff).toContainText('one.ipynb (now)');
  await expect(
    diff.locator('.jp-ExperimentsDiff-cell[data-kind="modified"]')
  ).toContainText('y = 20');

  // Export the old side as a script, next to the notebook.
  await diff.getByRole('button', { name: 'Export ▾' }).click();
  await diff.getByRole('menuitem', { name: /@ [0-9a-f]{7} as \.py$/ }).click();
  const listing = () =>
    page.evaluate(async (folder: string) => {
      const response = await fetch(`/api/contents/${folder}?content=1`);
      return (await response.json()).content.map(
        (f: any) => f.name
      ) as string[];
    }, tmpPath);
  await expect
    .poll(async () =>
      (await listing()).filter(name => /^one-[0-9a-f]{7}\.py$/.test(name))
    )
    .toHaveLength(1);

  // Two notebooks selected in the file browser, diffed from the context menu;
  // JupyterLab saves the layout a moment later, with both diffs in it.
  const saved = page.waitForRequest(
    request =>
      request.method() === 'PUT' &&
      request.url().includes('/api/workspaces') &&
      (request.postData() ?? '').includes(
        `experiments-diff:${tmpPath}/one.ipynb|${tmpPath}/two.ipynb`
      )
  );
  await page.locator('.jp-DirListing-item', { hasText: 'one.ipynb' }).click();
  await page
    .locator('.jp-DirListing-item', { hasText: 'two.ipynb' })
    .click({ modifiers: ['Shift'] });
  await page
    .locator('.jp-DirListing-item', { hasText: 'two.ipynb' })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Diff the Two Notebooks' }).click();
  const pair = page.locator('.jp-ExperimentsDiff:visible');
  await expect(pair.locator('.jp-ExperimentsDiff-summary')).toHaveText(
    /^1 cell changed, 1 added/
  );
  await expect(pair).toContainText('two.ipynb (now)');

  // Both diffs come back with the layout.
  await saved;
  // (galata's own reload waits for a Launcher, which a restored layout has not.)
  await page.evaluate(() => location.reload());
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await expect(page.locator('.lm-TabBar-tab', { hasText: '→' })).toHaveCount(2);
  await expect(
    page.locator('.jp-ExperimentsDiff:visible .jp-ExperimentsDiff-summary')
  ).toHaveText(/^1 cell changed/);
});

test('a large notebook is diffed in a worker; an unreadable one gets a message that says why', async ({
  page,
  tmpPath
}) => {
  // ~2.4 MB of outputs: above the size at which the diff leaves the page's thread.
  const big = (changed: string) =>
    notebook(
      Array.from({ length: 40 }, (_, i) =>
        code(`b${i}`, i === 7 ? changed : `x${i} = ${i}`, [
          {
            output_type: 'stream',
            name: 'stdout',
            text: `${i}`.padEnd(60_000, '.')
          }
        ])
      )
    );
  await page.contents.uploadContent(
    big('x7 = 7'),
    'text',
    `${tmpPath}/big1.ipynb`
  );
  await page.contents.uploadContent(
    big('x7 = 70'),
    'text',
    `${tmpPath}/big2.ipynb`
  );
  await page.evaluate(
    folder =>
      (window as any).jupyterapp.commands.execute('experiments:diff', {
        old: `${folder}/big1.ipynb`,
        new: `${folder}/big2.ipynb`
      }),
    tmpPath
  );
  const diff = page.locator('.jp-ExperimentsDiff:visible');
  await expect(diff.locator('.jp-ExperimentsDiff-summary')).toHaveText(
    /^1 cell changed/
  );
  await expect(
    diff.locator('.jp-ExperimentsDiff-cell[data-kind="modified"]')
  ).toContainText('x7 = 70');
  const workerLoaded = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .some(entry => entry.name.includes('lib_diff_worker_js'))
  );
  expect(workerLoaded).toBe(true);

  // Not a notebook: the server cannot read it, and the panel says so.
  await page.contents.uploadContent(
    '{"cells": [',
    'text',
    `${tmpPath}/broken.ipynb`
  );
  await page.evaluate(
    folder =>
      (window as any).jupyterapp.commands.execute('experiments:diff', {
        old: `${folder}/broken.ipynb`,
        new: `${folder}/big2.ipynb`
      }),
    tmpPath
  );
  await expect(
    page.locator('.jp-ExperimentsDiff:visible [role="alert"]')
  ).toContainText(/Unreadable Notebook|broken\.ipynb/);

  // A shortened checkpoint id is refused with what to use instead.
  await page.evaluate(
    () =>
      void (window as any).jupyterapp.commands.execute('experiments:diff', {
        old: '3f2a1c0',
        new: 'x.ipynb'
      })
  );
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Cannot diff the notebooks');
  await expect(dialog).toContainText('full 40-character id');
});
