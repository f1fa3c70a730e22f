/**
 * The Compare panel on seeded runs: three runs selected in the browser's
 * table open Compare; differences only shows exactly the params that differ
 * (as `jx.compare_runs` says); the loss chart's hover values are the store's
 * (as `jx.get_metrics` reads them); smoothing redraws; parallel coordinates
 * brush; images follow the step slider; the progress view marks the runs
 * that improved; the share link brings the comparison back.
 */
import { expect, Locator, Page, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  applyFilter,
  filterText,
  pythonScript,
  runRow,
  sharedView,
  storeDirOf
} from './experimentsBrowser';

const SEED = 'seed_compare.py';

test.use({ viewport: { width: 1600, height: 1000 } });

async function openBrowser(page: Page, filter: string): Promise<Locator> {
  await page.evaluate(async (filter: string) => {
    await (window as any).jupyterapp.commands.execute('experiments:open-browser', {
      state: { filter, orderBy: [{ key: 'started', descending: false }] }
    });
  }, filter);
  const panel = page.locator('.jp-ExperimentsBrowser');
  await expect(panel).toBeVisible();
  return panel;
}

/** The chart's canvas as a data URL: what is drawn. */
function drawn(chart: Locator): Promise<string> {
  return chart.locator('canvas').evaluate(c => (c as HTMLCanvasElement).toDataURL());
}

test('Compare: side by side, charts, parallel coordinates, images, progress and the share link', async ({
  page
}) => {
  test.setTimeout(150_000);
  const storeDir = await storeDirOf(page);
  const seeded = pythonScript(SEED, 'seed', storeDir);
  const [a, b, c] = seeded.ids as string[];
  const compared = [a, b, c];
  const fromJx = pythonScript(SEED, 'jx', storeDir, ...compared);
  await page.sidebar.close('left');

  const browser = await openBrowser(page, seeded.filter);
  await expect(browser.locator('.jp-ExperimentsBrowser-count')).toHaveText('4 runs');

  const compare = page.locator('.jp-ExperimentsCompare');
  await test.step('three runs selected in the table open Compare', async () => {
    await runRow(browser, a).locator('.jp-ExperimentsTable-name').click();
    await runRow(browser, b).locator('.jp-ExperimentsTable-name').click({ modifiers: ['Control'] });
    await runRow(browser, c).locator('.jp-ExperimentsTable-name').click({ modifiers: ['Control'] });
    await browser.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(compare).toBeVisible();
    await expect(compare.locator('.jp-ExperimentsCompare-table thead th[data-run-id]')).toHaveCount(3);
  });

  await test.step('differences only shows exactly the params that differ, as jx.compare_runs says', async () => {
    const params = compare.locator('.jp-ExperimentsCompare-table tbody[data-section="params"] tr[data-row]');
    await expect(params).toHaveCount(2);
    const shown = await params.evaluateAll(rows => rows.map(r => r.getAttribute('data-row')));
    expect(shown.sort()).toEqual(['params.lr', 'params.optimizer']);
    expect((fromJx.differs as string[]).filter(f => f.startsWith('params.'))).toEqual(shown.sort());
    // Off: every param, the same ones marked as such.
    await compare.getByLabel('Differences only').uncheck();
    await expect(params).toHaveCount(4);
    await expect(compare.locator('tr[data-row="params.batch"]')).toHaveAttribute('data-differs', 'false');
    await compare.getByLabel('Differences only').check();
  });

  const loss = compare.locator('.jp-ExperimentsCompare-chart[data-metric="loss"]');
  await test.step('the loss chart has three series whose hover values are the store\'s', async () => {
    await expect(loss.locator('.jp-ExperimentsCompare-plot')).toHaveAttribute('data-drawn', 'true');
    const over = loss.locator('.u-over');
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    const hover = loss.locator('.jp-ExperimentsCompare-hover');
    await expect(hover).toBeVisible();
    const step = Number((await hover.locator('.jp-ExperimentsCompare-hoverX').textContent())!.replace('step ', ''));
    expect(Number.isInteger(step)).toBe(true);
    const rows = hover.locator('.jp-ExperimentsCompare-hoverRow');
    await expect(rows).toHaveCount(3);
    for (const runId of compared) {
      const value = Number(await hover.locator(`[data-run-id="${runId}"]`).getAttribute('data-value'));
      expect(value).toBe(seeded.loss[runId][step]);
      expect(value).toBe(fromJx.loss[runId][step]);
    }
  });

  // `SCREENSHOT=1 make test-ui` refreshes the README's picture.
  if (process.env.SCREENSHOT) {
    await compare.locator('.jp-ExperimentsCompare-body').evaluate(node => (node.scrollTop = 0));
    await page.screenshot({
      path: path.resolve(__dirname, '..', '..', 'docs', 'compare.png')
    });
  }

  await test.step('smoothing changes the drawn path', async () => {
    const before = await drawn(loss);
    await compare.getByLabel('Smoothing').fill('0.8');
    await expect(loss.locator('.jp-ExperimentsCompare-plot')).toHaveAttribute('data-drawn', 'true');
    await expect.poll(() => drawn(loss)).not.toBe(before);
    await compare.getByLabel('Smoothing').fill('0');
  });

  await test.step('brushing a parallel-coordinates axis narrows the lines', async () => {
    const section = compare.locator('[data-section="parallel"]');
    await section.scrollIntoViewIfNeeded();
    const chart = section.locator('.jp-ExperimentsCompare-parallelChart');
    await expect(chart).toHaveAttribute('data-draw-ms', /\d/, { timeout: 30_000 });
    // The first axis (params.lr: 0.01, 0.03, 0.01) runs down the chart's left
    // edge, highest at the top: brushing its top third keeps run b only.
    const axes = section.locator('.jp-ExperimentsCompare-parallelAxisLabel');
    await expect(axes.first()).toHaveText(/lr/);
    const box = (await chart.boundingBox())!;
    const x = box.x + 48;
    const top = box.y + 48;
    const height = box.height - 48 - 24;
    await page.mouse.move(x, top - 4);
    await page.mouse.down();
    await page.mouse.move(x, top + height * 0.15, { steps: 4 });
    await page.mouse.move(x, top + height * 0.3, { steps: 4 });
    await page.mouse.up();
    await expect(section.locator('.jp-ExperimentsCompare-parallelCount')).toHaveText('1 of 3 runs');
    // The brush as a filter in the browser's box: with the suite's filter, it keeps run b only.
    await section.getByRole('button', { name: 'Use as filter' }).click();
    const filterBox = browser.getByLabel('Filter runs');
    await expect.poll(() => filterText(filterBox)).toMatch(/^params\.lr (BETWEEN|>=) /);
    await applyFilter(page, filterBox, `(${await filterText(filterBox)}) AND ${seeded.filter}`);
    await expect(browser.locator('.jp-ExperimentsBrowser-count')).toHaveText('1 run');
    await expect(runRow(browser, b)).toBeVisible();
    await page.evaluate(() => (window as any).jupyterapp.shell.activateById('jp-experiments-compare'));
    await section.getByRole('button', { name: 'Clear brush' }).click();
    await expect(section.locator('.jp-ExperimentsCompare-parallelCount')).toHaveCount(0);
  });

  await test.step('the image step slider switches the images', async () => {
    const section = compare.locator('[data-section="images"]');
    await section.scrollIntoViewIfNeeded();
    const cell = section.locator(`.jp-ExperimentsCompare-imageCell[data-run-id="${a}"]`);
    const color = () =>
      cell.locator('img').evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        const context = canvas.getContext('2d')!;
        context.drawImage(img, 0, 0, 1, 1);
        return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
      });
    const slider = section.locator('.jp-ExperimentsCompare-stepSlider');
    await slider.fill('0');
    await expect.poll(color).toEqual(seeded.images[a]['0']);
    await slider.fill('1');
    await expect(section.locator('.jp-ExperimentsCompare-stepValue')).toHaveAttribute('data-step', '20');
    await expect.poll(color).toEqual(seeded.images[a]['20']);
  });

  await test.step('the share link brings the comparison back', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await compare.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const view = sharedView(link);
    expect(view.compare.runIds).toEqual(compared);
    const other = await page.context().newPage();
    try {
      await other.goto(link);
      const shared = other.locator('.jp-ExperimentsCompare');
      await expect(shared).toBeVisible({ timeout: 60_000 });
      await expect(shared.locator('.jp-ExperimentsCompare-table thead th[data-run-id]')).toHaveCount(3);
    } finally {
      await other.close();
    }
  });

  await test.step('a run the store does not have is named as gone', async () => {
    await page.evaluate(async (ids: string[]) => {
      await (window as any).jupyterapp.commands.execute('experiments:compare', {
        runIds: ids
      });
    }, [a, b, 'no-such-run']);
    await expect(compare.locator('.jp-ExperimentsCompare-gone')).toContainText('no-such-run');
    await expect(compare.locator('.jp-ExperimentsCompare-table thead th[data-run-id]')).toHaveCount(2);
  });

  await test.step('the progress view marks the runs that improved', async () => {
    await page.evaluate(async (filter: string) => {
      await (window as any).jupyterapp.commands.execute('experiments:open-browser', {
        state: { filter }
      });
    }, seeded.filter);
    await browser.getByRole('button', { name: 'Progress', exact: true }).click();
    const progress = page.locator('.jp-ExperimentsProgress');
    await expect(progress).toBeVisible();
    await progress.getByLabel('Metric', { exact: true }).selectOption('metrics.acc.max');
    const improved = progress.locator('.jp-ExperimentsCompare-improvement[data-run-id]');
    await expect(improved).toHaveCount(3);
    expect(await improved.evaluateAll(items => items.map(i => i.getAttribute('data-run-id')))).toEqual(
      seeded.improving
    );
  });
});
