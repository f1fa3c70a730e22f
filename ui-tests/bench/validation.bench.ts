/**
 * Report panel responsiveness while a 500-cell notebook validates: every
 * animation frame's gap and every long task in the page, from the command to
 * the verdict. Target: no frame over 100 ms. Writes bench/validation-ui-report.md.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const CELLS = 500;
const TARGET_MS = 100;
const REPORT = path.resolve(
  __dirname,
  '..',
  '..',
  'bench',
  'validation-ui-report.md'
);

// The real kernels and sessions API (galata's stand-in cannot relay every call).
test.use({
  kernels: async ({}, use) => use(null),
  sessions: async ({}, use) => use(null)
});

function notebook() {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
    },
    // Every tenth cell's saved output differs, so rows of every kind render.
    cells: Array.from({ length: CELLS }, (_, i) => ({
      id: `c${i}`,
      cell_type: 'code',
      metadata: {},
      source: `x${i} = ${i}\nprint('value', x${i})`,
      execution_count: i + 1,
      outputs: [
        {
          output_type: 'stream',
          name: 'stdout',
          text: `value ${i % 10 === 0 ? i + 1 : i}\n`
        }
      ]
    }))
  };
}

test('report panel while 500 cells validate: frame gaps', async ({
  page,
  tmpPath
}) => {
  const file = `${tmpPath}/five-hundred.ipynb`;
  await page.evaluate(
    async ({ file, content }) => {
      const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
      const response = await fetch(`/api/contents/${file}`, {
        method: 'PUT',
        headers: { 'X-XSRFToken': xsrf },
        body: JSON.stringify({ type: 'notebook', format: 'json', content })
      });
      if (!response.ok) {
        throw new Error(`${file}: ${response.status}`);
      }
    },
    { file, content: notebook() }
  );
  await page.notebook.openByPath(file);
  await page.notebook.activate('five-hundred.ipynb');

  const measured = await page.evaluate(async () => {
    const gaps: number[] = [];
    const longTasks: number[] = [];
    const observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        longTasks.push(entry.duration);
      }
    });
    observer.observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    let running = true;
    const frame = (time: number) => {
      gaps.push(time - last);
      last = time;
      if (running) {
        requestAnimationFrame(frame);
      }
    };
    requestAnimationFrame(frame);
    const started = performance.now();
    const app = (window as any).jupyterapp;
    void app.commands.execute('experiments:validate');
    // Until the verdict shows.
    await new Promise<void>(resolve => {
      const check = () => {
        const verdict = document.querySelector(
          '.jp-Experiments-verdict:not(.jp-Experiments-verdict-running)'
        );
        if (verdict) {
          resolve();
        } else {
          setTimeout(check, 50);
        }
      };
      check();
    });
    running = false;
    observer.disconnect();
    return { gaps, longTasks, total: performance.now() - started };
  });
  const rows = page.locator('.jp-Experiments-validationCell');
  await expect(rows).toHaveCount(CELLS);
  await expect(
    page.locator('.jp-Experiments-validationCell[data-status="output-changed"]')
  ).toHaveCount(CELLS / 10);

  const sorted = [...measured.gaps].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const worst = sorted[sorted.length - 1];
  const over = sorted.filter(gap => gap > TARGET_MS).length;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const markdown = [
    '## Validation report panel: 500 cells validating (browser: ui-tests/bench/validation.bench.ts)',
    '',
    `A ${CELLS}-cell notebook (every tenth output changed) validated from the command to the ` +
      `verdict in ${(measured.total / 1000).toFixed(1)} s, the report panel open and filling ` +
      'in live; every animation frame of the page was timed.',
    '',
    '| figure | measured | target |',
    '| --- | --- | --- |',
    `| frames | ${sorted.length} | |`,
    `| median / p99 frame gap | ${ms(p(0.5))} / ${ms(p(0.99))} | |`,
    `| longest frame gap | ${ms(worst)} | ≤ ${TARGET_MS} ms |`,
    `| frames over ${TARGET_MS} ms | ${over} | 0 |`,
    `| long tasks (> 50 ms), longest | ${measured.longTasks.length}, ${ms(Math.max(0, ...measured.longTasks))} | |`,
    ''
  ].join('\n');
  fs.writeFileSync(REPORT, markdown);
  console.log(markdown);
});
