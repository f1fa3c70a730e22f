import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { resolve } from 'path';

const REPORT = '.jp-Experiments-validationPanel';

// Galata proxies the kernels and sessions APIs and cannot relay a kernel
// interrupt (its empty reply is parsed as JSON): talk to the real server, and
// shut the notebook's kernel down at the end of each test.
test.use({
  kernels: async ({}, use) => use(null),
  sessions: async ({}, use) => use(null)
});

test.afterEach(async ({ page }) => {
  await page.evaluate(async () => {
    const panel = (window as any).jupyterapp.shell.widgets('main');
    for (const widget of Array.from(panel) as any[]) {
      await widget.sessionContext?.shutdown();
    }
  });
});

function code(
  id: string,
  source: string,
  executionCount: number | null,
  printed?: string
) {
  return {
    id,
    cell_type: 'code',
    metadata: {},
    source,
    execution_count: executionCount,
    outputs: printed
      ? [{ output_type: 'stream', name: 'stdout', text: printed }]
      : []
  };
}

function notebook(cells: unknown[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3 (ipykernel)',
        language: 'python'
      }
    },
    cells
  };
}

/** Write a notebook with the saved outputs we want, open it, wait for its kernel. */
async function openNotebook(
  page: IJupyterLabPageFixture,
  path: string,
  content: unknown
): Promise<void> {
  expect(
    await page.contents.uploadContent(JSON.stringify(content), 'text', path)
  ).toBe(true);
  await page.notebook.openByPath(path);
  await page.notebook.activate(path.split('/').pop()!);
  await page.evaluate(async () => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
  });
}

/** Run code in the notebook's own kernel, as the user would. */
async function executeInUserKernel(
  page: IJupyterLabPageFixture,
  code: string
): Promise<void> {
  await page.evaluate(async (code: string) => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    await panel.sessionContext.session.kernel.requestExecute({ code }).done;
  }, code);
}

function getJSON(page: IJupyterLabPageFixture, url: string): Promise<any> {
  return page.evaluate(async (url: string) => {
    const response = await fetch(url);
    return response.json();
  }, url);
}

test('a validation names the root cause, its consequence and the changed output, and leaves the user kernel alone', async ({
  page,
  tmpPath
}) => {
  const path = `${tmpPath}/analysis.ipynb`;
  await openNotebook(
    page,
    path,
    notebook([
      code('set-x', "x = 41\nkeep = 'validation'", 1),
      // Saved when x was 40: it prints 42 now.
      code('print-x', 'print(x + 1)', 2, '41\n'),
      // Never run before: the static check says so.
      code('load', "raise ValueError('no data')\ndf = [1, 2]", null),
      code('use-df', 'print(len(df))', null),
      code('ok', "print('ok')", 3, 'ok\n')
    ])
  );
  await executeInUserKernel(page, "keep = 'mine'");

  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('experiments:validate');
  });
  const report = page.locator(REPORT);
  await expect(report).toBeVisible();
  await expect(page.locator('.lm-TabBar-tab', { hasText: 'Validate analysis.ipynb' })).toBeVisible();
  expect(await placement(page)).toBe('below');
  await expect(report.locator('.jp-Experiments-verdict')).toHaveText(
    'Fails at cell 3',
    { timeout: 60000 }
  );
  const row = (index: number) =>
    report.locator(`.jp-Experiments-validationCell[data-index="${index}"]`);

  await expect(row(0)).toHaveAttribute('data-status', 'passed');
  await expect(row(2)).toHaveAttribute('data-status', 'failed');
  await expect(row(2).locator('.jp-Experiments-cellError')).toContainText(
    'ValueError: no data'
  );
  await expect(row(2).locator('.jp-Experiments-role')).toHaveText('root cause');
  await expect(row(3).locator('.jp-Experiments-role')).toHaveText(
    "follows from cell 3: name 'df' is not defined"
  );
  await expect(row(4)).toHaveAttribute('data-status', 'passed');
  for (const index of [0, 1, 2, 3, 4]) {
    await expect(row(index).locator('.jp-Experiments-duration')).toHaveText(
      /^\d+(\.\d)? (ms|s)/
    );
  }
  await expect(report.locator('.jp-Experiments-progress')).toContainText(
    '5 of 5 cells'
  );

  // The changed output, saved and new side by side, rendered by JupyterLab.
  await expect(row(1)).toHaveAttribute('data-status', 'output-changed');
  await row(1).getByRole('button', { name: 'Show details' }).click();
  await expect(
    row(1).locator('.jp-Experiments-savedOutputs .jp-OutputArea-output')
  ).toHaveText('41');
  await expect(
    row(1).locator('.jp-Experiments-newOutputs .jp-OutputArea-output')
  ).toHaveText('42');

  // The static check, before the run: two cells were never executed.
  const findings = report.locator('.jp-Experiments-staticCheck');
  await expect(findings.locator('summary')).toHaveText(
    'Static check: 2 findings about the saved outputs'
  );
  await findings.locator('summary').click();
  await expect(findings.locator('li')).toHaveCount(2);
  await expect(findings.locator('li').first()).toContainText('[3]');

  const badge = page.locator('.jp-Experiments-badge');
  await expect(badge).toHaveText('✗ fails at cell 3');

  // `SCREENSHOT=1 make test-ui` refreshes the README's picture of a report.
  if (process.env.SCREENSHOT) {
    await page.setViewportSize({ width: 1440, height: 1000 });
    await expect(badge).toBeVisible();
    await page.screenshot({
      path: resolve(__dirname, '..', '..', 'docs', 'validation.png')
    });
  }

  // Recorded in the store as a run of kind `validation`.
  const { validations } = await getJSON(
    page,
    `/experiments/api/validations?notebook_path=${encodeURIComponent(path)}`
  );
  expect(validations).toHaveLength(1);
  const runId = validations[0].runId;
  const stored = await getJSON(page, `/experiments/api/validations/${runId}`);
  expect(stored.verdict).toBe('failed');
  expect(stored.cells).toHaveLength(5);
  const runs = await getJSON(page, '/experiments/api/runs?limit=50');
  expect(
    runs.runs.filter((r: any) => r.id === runId).map((r: any) => r.kind)
  ).toEqual(['validation']);

  // JUnit export: one test case per code cell; two errors, one changed output.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    report.getByRole('button', { name: 'Export JUnit' }).click()
  ]);
  const xml = fs.readFileSync((await download.path())!, 'utf-8');
  expect(xml).toContain('<testsuite');
  expect(xml).toMatch(/<testsuite [^>]*tests="5"/);
  expect(xml).toMatch(/<testsuite [^>]*errors="2"/);
  expect(xml).toMatch(/<testsuite [^>]*failures="1"/);
  expect(xml).toContain('ValueError');

  // JSON export: the stored report.
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    report.getByRole('button', { name: 'Export JSON' }).click()
  ]);
  const exported = JSON.parse(fs.readFileSync((await json.path())!, 'utf-8'));
  expect(exported.verdict).toBe('failed');
  expect(exported.cells.map((c: any) => c.status)).toEqual(
    stored.cells.map((c: any) => c.status)
  );

  // A row selects its cell in the notebook.
  await row(3).locator('.jp-Experiments-validationSelect').click();
  expect(
    await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex
    )
  ).toBe(3);

  // With the report closed, the badge in the notebook's toolbar opens it again.
  await page.getByRole('tab', { name: 'Validate analysis.ipynb' }).getByTitle('Close').click();
  await expect(report).toHaveCount(0);
  await page.locator('.jp-NotebookPanel-toolbar .jp-Experiments-badge').click();
  await expect(report.locator('.jp-Experiments-verdict')).toHaveText(
    'Fails at cell 3'
  );
  await expect(row(3).locator('.jp-Experiments-role')).toHaveText(
    "follows from cell 3: name 'df' is not defined"
  );

  // The user's kernel never ran the notebook: its `keep` is still the user's.
  await page.notebook.activate('analysis.ipynb');
  await page.notebook.addCell('code', "print(keep, 'x' in dir())");
  await page.notebook.runCell(5);
  await expect(
    page.locator('.jp-NotebookPanel .jp-Cell').nth(5).locator('.jp-OutputArea-output')
  ).toHaveText('mine False');
  // The notebook's code changed: the validation no longer describes it.
  await expect(badge).toHaveText('validation outdated');
});

test('cancel stops a long cell and the validation kernel goes away', async ({
  page,
  tmpPath
}) => {
  const path = `${tmpPath}/slow.ipynb`;
  await openNotebook(
    page,
    path,
    notebook([
      code('sleep', 'import time\ntime.sleep(60)', 1),
      code('after', "print('after')", 2, 'after\n')
    ])
  );
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('experiments:validate');
  });
  const report = page.locator(REPORT);
  const first = report.locator('.jp-Experiments-validationCell[data-index="0"]');
  await expect(first).toHaveAttribute('data-status', 'running', {
    timeout: 60000
  });
  const validationSessions = async () =>
    (await getJSON(page, '/api/sessions')).filter(
      (s: any) => s.type === 'validation' && s.path.startsWith(tmpPath)
    );
  const [session] = await validationSessions();
  expect(session.path).toMatch(/\.validate-[0-9a-f-]+\.ipynb$/);
  expect(session.path.startsWith(tmpPath)).toBe(true);

  // Cancel once the kernel is in the sleep, not while it is still booting.
  await expect
    .poll(
      async () =>
        (await getJSON(page, `/api/kernels/${session.kernel.id}`))
          .execution_state,
      { timeout: 30000 }
    )
    .toBe('busy');
  await report.getByRole('button', { name: 'Cancel' }).click();
  await expect(report.locator('.jp-Experiments-verdict')).toHaveText(
    'Cancelled',
    { timeout: 30000 }
  );
  await expect(
    report.locator('.jp-Experiments-validationCell[data-index="1"]')
  ).toHaveAttribute('data-status', 'not-reached');
  await expect(report.getByRole('button', { name: 'Run again' })).toBeVisible();
  await expect.poll(validationSessions).toEqual([]);
  const kernels = await getJSON(page, '/api/kernels');
  expect(kernels.map((k: any) => k.id)).not.toContain(session.kernel.id);
});

test('a re-encoded image is the same picture; another colour is a change', async ({
  page,
  tmpPath
}) => {
  // The saved PNGs are written without compression, so their bytes differ
  // from what the kernel sends now; only the second has another colour.
  const pngs = spawnSync(
    'python',
    [
      '-c',
      [
        'import base64, io',
        'from PIL import Image',
        'for colour in [(200, 10, 10), (10, 200, 10)]:',
        '    buffer = io.BytesIO()',
        "    Image.new('RGB', (40, 30), colour).save(buffer, 'PNG', compress_level=0)",
        '    print(base64.b64encode(buffer.getvalue()).decode())'
      ].join('\n')
    ],
    { encoding: 'utf8' }
  );
  expect(pngs.status).toBe(0);
  const [same, other] = pngs.stdout.trim().split('\n');
  const image = (id: string, data: string) => ({
    ...code(
      id,
      [
        'import io',
        'from PIL import Image as Picture',
        'from IPython.display import Image',
        'buffer = io.BytesIO()',
        "Picture.new('RGB', (40, 30), (200, 10, 10)).save(buffer, 'PNG')",
        'Image(data=buffer.getvalue())'
      ].join('\n'),
      1
    ),
    outputs: [
      {
        output_type: 'execute_result',
        execution_count: 1,
        metadata: {},
        data: {
          'image/png': data,
          'text/plain': '<IPython.core.display.Image object>'
        }
      }
    ]
  });
  const path = `${tmpPath}/images.ipynb`;
  await openNotebook(
    page,
    path,
    notebook([image('same', same), image('other', other)])
  );
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('experiments:validate');
  });
  const report = page.locator(REPORT);
  const row = (index: number) =>
    report.locator(`.jp-Experiments-validationCell[data-index="${index}"]`);
  await expect(row(1)).toHaveAttribute('data-status', /passed|output-changed/, {
    timeout: 60000
  });
  await expect(row(0)).toHaveAttribute('data-status', 'passed');
  await expect(row(1)).toHaveAttribute('data-status', 'output-changed');
  // The stored report says which rule made the first cell pass.
  const rules = async () => {
    const { validations } = await getJSON(
      page,
      `/experiments/api/validations?notebook_path=${encodeURIComponent(path)}`
    );
    const stored = await getJSON(
      page,
      `/experiments/api/validations/${validations[0].runId}`
    );
    return stored.cells.map((cell: any) => cell.rules);
  };
  await expect
    .poll(rules)
    .toEqual([['execution-count', 'image-pixels'], ['execution-count']]);
});

test('a checkpoint the server refuses leaves the validation unlinked, with a warning', async ({
  page,
  tmpPath
}) => {
  await openNotebook(
    page,
    `${tmpPath}/unlinked.ipynb`,
    notebook([code('one', 'print(1)', null)])
  );
  await page.route(/\/experiments\/api\/git\/batch(\?|$)/, route =>
    route.fulfill({
      status: 507,
      contentType: 'application/json',
      body: '{"message": "No space left on device"}'
    })
  );
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('experiments:validate');
  });
  const report = page.locator(REPORT);
  await expect(report.locator('.jp-Experiments-verdict')).toHaveText(
    'Runs top to bottom',
    { timeout: 60000 }
  );
  await expect(report.locator('.jp-Experiments-warning')).toContainText(
    'Not linked to a checkpoint'
  );
});

/** Where the report panel stands against the notebook panel. */
async function placement(
  page: IJupyterLabPageFixture
): Promise<'below' | 'beside' | 'elsewhere'> {
  const notebookBox = await page.locator('.jp-NotebookPanel').boundingBox();
  const reportBox = await page.locator(REPORT).boundingBox();
  if (!notebookBox || !reportBox) {
    return 'elsewhere';
  }
  if (reportBox.y >= notebookBox.y + notebookBox.height - 1) {
    return 'below';
  }
  return reportBox.x >= notebookBox.x + notebookBox.width - 1
    ? 'beside'
    : 'elsewhere';
}

test.describe('with settings from the Settings Editor', () => {
  test.describe('the report beside the notebook', () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        'jupyterlab-experiments:validation': { reportPlacement: 'beside' }
      }
    });

    test('opens to the notebook’s right', async ({ page, tmpPath }) => {
      await openNotebook(
        page,
        `${tmpPath}/beside.ipynb`,
        notebook([code('one', 'print(1)', null)])
      );
      await page.evaluate(() => {
        void (window as any).jupyterapp.commands.execute('experiments:validate');
      });
      const report = page.locator(REPORT);
      await expect(report.locator('.jp-Experiments-verdict')).toHaveText(
        'Runs top to bottom',
        { timeout: 60000 }
      );
      expect(await placement(page)).toBe('beside');
    });
  });


  test.describe('stop at the first error', () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        'jupyterlab-experiments:validation': { stopOnError: true }
      }
    });

    test('cells after a failure are not reached; Run again validates anew', async ({
      page,
      tmpPath
    }) => {
      const path = `${tmpPath}/stops.ipynb`;
      await openNotebook(
        page,
        path,
        notebook([code('fails', '1 / 0', null), code('after', 'print(1)', null)])
      );
      await page.evaluate(() => {
        void (window as any).jupyterapp.commands.execute('experiments:validate');
      });
      const report = page.locator(REPORT);
      const row = (index: number) =>
        report.locator(`.jp-Experiments-validationCell[data-index="${index}"]`);
      await expect(row(1)).toHaveAttribute('data-status', 'not-reached', {
        timeout: 60000
      });
      await expect(row(0)).toHaveAttribute('data-status', 'failed');

      const stored = async () =>
        (
          await getJSON(
            page,
            `/experiments/api/validations?notebook_path=${encodeURIComponent(path)}`
          )
        ).validations.filter((v: any) => v.verdict !== null).length;
      await expect.poll(stored).toBe(1);
      await report.getByRole('button', { name: 'Run again' }).click();
      await expect.poll(stored, { timeout: 60000 }).toBe(2);
      await expect(row(1)).toHaveAttribute('data-status', 'not-reached');
    });
  });

  test.describe('an invalid sanitizer', () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        'jupyterlab-experiments:validation': {
          sanitizers: [{ name: 'broken', regex: '(unclosed', replace: '' }]
        }
      }
    });

    test('is named, and nothing runs', async ({ page, tmpPath }) => {
      const path = `${tmpPath}/sanitized.ipynb`;
      await openNotebook(page, path, notebook([code('one', 'print(1)', null)]));
      await page.evaluate(() => {
        void (window as any).jupyterapp.commands.execute('experiments:validate');
      });
      const report = page.locator(REPORT);
      await expect(report.locator('.jp-Experiments-error')).toContainText(
        'Fix the sanitizers'
      );
      await expect(report.locator('.jp-Experiments-error')).toContainText(
        'broken'
      );
      const sessions = await getJSON(page, '/api/sessions');
      expect(sessions.filter((s: any) => s.type === 'validation')).toEqual([]);
    });
  });
});
