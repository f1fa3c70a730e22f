/**
 * What the extension adds to JupyterLab's start-up: two servers of the same
 * JupyterLab, one with the extension (both halves) and one without, loaded in
 * turn in Chromium; the time from navigation to the launcher on screen, and
 * the requests the page sends to the extension before the user does anything.
 * Target: the median difference stays within 50 ms. Writes
 * bench/startup-report.md.
 */
import { expect, test } from '@playwright/test';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { untilServing } from './labServer';

const LOADS = 15;
const TARGET_MS = 50;
const REPORT = path.resolve(
  __dirname,
  '..',
  '..',
  'bench',
  'startup-report.md'
);
const PORTS = { with: 18911, without: 18912 };

/** Where this environment keeps its prebuilt JupyterLab extensions. */
function labextensionsDir(): string {
  return execFileSync(
    'python',
    [
      '-c',
      'import sys, os; print(os.path.join(sys.prefix, "share", "jupyter", "labextensions"))'
    ],
    { encoding: 'utf8' }
  ).trim();
}

/**
 * A server config that differs between the two servers only in the extension:
 * the one without it sees every other prebuilt extension through links.
 */
function serverConfig(root: string, withExtension: boolean): string {
  const lines = [
    'c.ServerApp.open_browser = False',
    'c.ServerApp.allow_root = True',
    'c.IdentityProvider.token = ""',
    'c.ServerApp.password = ""',
    'c.ServerApp.disable_check_xsrf = True',
    `c.ServerApp.root_dir = ${JSON.stringify(root)}`,
    `c.Experiments.store_dir = ${JSON.stringify(path.join(root, '.experiments'))}`
  ];
  if (!withExtension) {
    const installed = labextensionsDir();
    const others = fs.mkdtempSync(path.join(os.tmpdir(), 'labextensions-'));
    for (const name of fs.readdirSync(installed)) {
      if (name !== 'jupyterlab-experiments') {
        fs.symlinkSync(path.join(installed, name), path.join(others, name));
      }
    }
    lines.push(
      'c.ServerApp.jpserver_extensions = {"jupyterlab_experiments": False}',
      `c.LabApp.labextensions_path = [${JSON.stringify(others)}]`
    );
  }
  const file = path.join(
    root,
    `config-${withExtension ? 'with' : 'without'}.py`
  );
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function startServer(
  port: number,
  withExtension: boolean
): Promise<ChildProcess> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-bench-'));
  const server = spawn(
    'jupyter',
    [
      'lab',
      `--config=${serverConfig(root, withExtension)}`,
      `--port=${port}`,
      '--port-retries=0'
    ],
    { stdio: 'ignore' }
  );
  return untilServing(server, port);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

test('start-up: JupyterLab with and without the extension', async ({
  browser
}) => {
  test.setTimeout(600_000);
  const servers = [
    await startServer(PORTS.with, true),
    await startServer(PORTS.without, false)
  ];
  try {
    // The two pages differ in the extension alone.
    const html = async (port: number) =>
      (await fetch(`http://localhost:${port}/lab`)).text();
    expect(await html(PORTS.with)).toContain('jupyterlab-experiments');
    expect(await html(PORTS.without)).not.toContain('jupyterlab-experiments');
    expect(
      (await fetch(`http://localhost:${PORTS.without}/experiments/api/info`))
        .status
    ).toBe(404);

    const context = await browser.newContext();
    // The moment the launcher is first on screen, on the page's own clock.
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('.jp-Launcher-body')) {
          (window as any).__launcherAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    const extensionRequests: string[] = [];
    const chunks = new Set<string>();
    page.on('request', request => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/experiments/')) {
        extensionRequests.push(pathname);
      } else if (
        pathname.includes('/jupyterlab-experiments/static/') &&
        pathname.endsWith('.js')
      ) {
        chunks.add(
          pathname
            .split('/')
            .pop()!
            .replace(/\.[0-9a-f]+\.js$/, '')
        );
      }
    });

    const load = async (port: number) => {
      await page.goto(`http://localhost:${port}/lab?reset`);
      await page.waitForFunction(() => (window as any).__launcherAt, null, {
        timeout: 60_000
      });
      return page.evaluate(() => (window as any).__launcherAt as number);
    };

    // One warm-up load of each fills the browser's cache, as for a user who
    // opens JupyterLab every day.
    await load(PORTS.with);
    await load(PORTS.without);
    const times = { with: [] as number[], without: [] as number[] };
    let startupRequests = 0;
    for (let i = 0; i < LOADS; i++) {
      // Alternate which goes first, so drift in the machine's load is shared.
      const order: ('with' | 'without')[] =
        i % 2 ? ['without', 'with'] : ['with', 'without'];
      for (const which of order) {
        extensionRequests.length = 0;
        times[which].push(await load(PORTS[which]));
        if (which === 'with') {
          // Let late requests show up before counting them.
          await page.waitForTimeout(1000);
          startupRequests = Math.max(startupRequests, extensionRequests.length);
        }
      }
    }
    await context.close();
    // What one load fetched of the extension's code (sizes as built).
    const staticDir = path.resolve(
      __dirname,
      '..',
      '..',
      'jupyterlab_experiments',
      'labextension',
      'static'
    );
    const built = fs.readdirSync(staticDir).filter(f => f.endsWith('.js'));
    const kib = (names: string[]) =>
      (
        names.reduce((sum, name) => {
          const file = built.find(
            f => f.replace(/\.[0-9a-f]+\.js$/, '') === name
          );
          return (
            sum + (file ? fs.statSync(path.join(staticDir, file)).size : 0)
          );
        }, 0) / 1024
      ).toFixed(0);
    const allChunks = built.map(f => f.replace(/\.[0-9a-f]+\.js$/, ''));

    const withMs = median(times.with);
    const withoutMs = median(times.without);
    // Each round loads both, one after the other: the median of the rounds'
    // differences cancels what drifts in the machine's load between rounds.
    const difference = median(times.with.map((ms, i) => ms - times.without[i]));
    const met = difference <= TARGET_MS ? 'met' : 'NOT met';
    const ms = (v: number) => v.toFixed(0);
    fs.writeFileSync(
      REPORT,
      [
        '## Start-up: what the extension adds to JupyterLab',
        '',
        `Two servers of the same JupyterLab, with and without the extension, loaded in turn ${LOADS} times each in Chromium (after one warm-up load of each); time from navigation to the launcher on screen. Each round loads both, in alternating order. Target: the median of the rounds' differences <= ${TARGET_MS} ms.`,
        '',
        '| figure | value | target | |',
        '| --- | --- | --- | --- |',
        `| launcher on screen, with the extension (median; min–max) | ${ms(withMs)} ms; ${ms(Math.min(...times.with))}–${ms(Math.max(...times.with))} |  |  |`,
        `| launcher on screen, without it (median; min–max) | ${ms(withoutMs)} ms; ${ms(Math.min(...times.without))}–${ms(Math.max(...times.without))} |  |  |`,
        `| difference, median of the ${LOADS} rounds' (with − without) | ${ms(difference)} ms | <= ${TARGET_MS} ms | ${met} |`,
        `| difference of the medians | ${ms(withMs - withoutMs)} ms |  |  |`,
        `| ratio with / without | ${(withMs / withoutMs).toFixed(3)} |  |  |`,
        `| requests to the extension's REST API during start-up (no notebook open) | ${startupRequests} | 0 |  |`,
        `| the extension's code loaded at start-up | ${kib([...chunks])} KiB of ${kib(allChunks)} KiB built: ${[...chunks].sort().join(', ')} |  |  |`,
        ''
      ].join('\n')
    );
    expect(times.with).toHaveLength(LOADS);
  } finally {
    for (const server of servers) {
      server.kill();
    }
  }
});
