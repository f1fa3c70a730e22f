import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const SIDEBAR = 'jp-experiments-run';

test.describe('Experiments sidebar', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadFile(
      path.join(EXAMPLES, 'demo.ipynb'),
      `${tmpPath}/demo.ipynb`
    );
    await page.contents.uploadFile(
      path.join(EXAMPLES, 'data', 'train.csv'),
      `${tmpPath}/data/train.csv`
    );
  });

  test('shows the run of the example notebook live', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.openByPath(`${tmpPath}/demo.ipynb`);
    await page.notebook.activate('demo.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    const sidebar = page.locator(`#${SIDEBAR}`);
    await expect(sidebar.locator('.jp-Experiments-empty')).toContainText(
      'Run a cell to start a run'
    );

    await page.notebook.runCellByCell();

    // Params from the `parameters` cell and from jx.log_params.
    const params = sidebar.locator('[data-section="Parameters"]');
    await expect(params.locator('[data-param="lr"] td').first()).toHaveText(
      '0.05'
    );
    await expect(
      params.locator('[data-param="objective"] td').first()
    ).toHaveText('regression');

    // A metric with its last value and a drawn sparkline.
    const metric = sidebar.locator('[data-metric="loss"]');
    await expect(metric).toBeVisible();
    await expect(metric.locator('path')).toHaveAttribute('d', /^M.*L/);

    // The logged image loads.
    const image = sidebar.locator('[data-image="fit"] img');
    await expect(image).toBeVisible();
    expect(
      await image.evaluate(img => (img as HTMLImageElement).naturalWidth)
    ).toBeGreaterThan(0);

    // The data input with its hash.
    const data = sidebar.locator('[data-path$="train.csv"]');
    await expect(data.locator('code')).toHaveText(/^[0-9a-f]{12}$/);

    // Environment and executed cells.
    await expect(sidebar.locator('[data-environment]')).toContainText(
      /python 3\./i
    );
    const cells = await page.notebook.getCellCount();
    const codeCells = await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      const panel = app.shell.currentWidget;
      return panel.content.widgets.filter(
        (c: any) => c.model.type === 'code'
      ).length;
    });
    expect(codeCells).toBeLessThanOrEqual(cells);
    await expect(
      sidebar.locator('.jp-Experiments-executions li')
    ).toHaveCount(codeCells);

    // Each value says which cell produced it: following the link selects it.
    await page.notebook.selectCells(0);
    await metric.locator('.jp-Experiments-cellLink').click();
    const active = await page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      return panel.content.activeCell.model.sharedModel.getSource();
    });
    expect(active).toContain('jx.log_metric("loss"');

    // Each execution links to the checkpoint taken after it, which opens read-only.
    const lastExecution = sidebar
      .locator('.jp-Experiments-executions li')
      .last();
    await expect(
      lastExecution.locator('.jp-Experiments-checkpointLink')
    ).toHaveText(/^[0-9a-f]{7}$/);
    await lastExecution.locator('.jp-Experiments-checkpointLink').click();
    await expect(page.locator('.jp-Experiments-checkpointView')).toBeVisible();
    await page.notebook.activate('demo.ipynb');

    // `SCREENSHOT=1 make test-ui` refreshes the README's picture.
    if (process.env.SCREENSHOT) {
      await sidebar.evaluate(element => (element.scrollTop = 0));
      await page.screenshot({
        path: path.resolve(__dirname, '..', '..', 'docs', 'screenshot.png')
      });
    }
  });

  test('a new run starts after experiments:new-run', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.openByPath(`${tmpPath}/demo.ipynb`);
    await page.notebook.activate('demo.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    const sidebar = page.locator(`#${SIDEBAR}`);
    await page.notebook.runCell(1);
    const name = sidebar.locator('.jp-Experiments-runName');
    await expect(name).toBeVisible();
    const first = await name.textContent();

    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('experiments:new-run');
    });
    await expect(sidebar.locator('.jp-Experiments-status')).toHaveText(
      'finished'
    );
    await page.notebook.runCell(1);
    await expect(sidebar.locator('.jp-Experiments-status')).toHaveText(
      'running'
    );
    await expect(name).not.toHaveText(first!);
  });
});

test('the server extension answers through the page', async ({ page }) => {
  const info = await page.evaluate(async () => {
    const response = await fetch('/experiments/api/info');
    return response.json();
  });
  expect(info.store_dir).toMatch(/experiments-ui-/);
});

test.describe('Run lifecycle', () => {
  // A kernel restart ends the run the same way; restarting does not complete
  // under this test server, so the test replaces the kernel instead.
  test('a new kernel ends the run and the next execution starts another', async ({
    page
  }) => {
    await page.notebook.createNew('restart.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    const sidebar = page.locator(`#${SIDEBAR}`);
    await page.notebook.setCell(0, 'code', 'x = 1');
    await page.notebook.runCell(0);
    const status = sidebar.locator('.jp-Experiments-status');
    await expect(status).toHaveText('running');
    const first = await sidebar.locator('.jp-Experiments-runName').textContent();

    await page.evaluate(async () => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      await panel.sessionContext.changeKernel({ name: 'python3' });
    });
    await expect(status).toHaveText('finished');

    await page.notebook.runCell(0);
    await expect(status).toHaveText('running');
    await expect(sidebar.locator('.jp-Experiments-runName')).not.toHaveText(
      first!
    );
  });

  test('log messages from a kernel are relayed into the run and kept out of the notebook', async ({
    page
  }) => {
    await page.notebook.createNew('relay.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    const sidebar = page.locator(`#${SIDEBAR}`);
    // What a kernel of another language emits (docs/logging-protocol.md).
    await page.notebook.setCell(
      0,
      'code',
      [
        'from IPython.display import publish_display_data',
        'publish_display_data({"application/vnd.jupyterlab-experiments.log+json":',
        '    {"batch": {"params": [{"key": "relayed", "value": 3}],',
        '               "metrics": [{"key": "acc", "value": "NaN", "step": 0}]}}})'
      ].join('\n')
    );
    await page.notebook.runCell(0);
    await expect(
      sidebar.locator('[data-param="relayed"] td').first()
    ).toHaveText('3');
    await expect(
      sidebar.locator('[data-metric="acc"] .jp-Experiments-value')
    ).toHaveText('NaN');
    // Nothing of the message stays in the notebook, so nothing is saved.
    const outputs = await page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      return panel.content.widgets[0].model.outputs.length;
    });
    expect(outputs).toBe(0);
  });
});
