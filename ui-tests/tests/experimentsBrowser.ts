/**
 * Helpers of the Experiments browser test: the seed script in Python, what
 * the panel's table shows (read from the page), the filter box, CSV.
 */
import { expect } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The project's virtual environment: `<repo>/.venv`, here and in CI. */
export const PYTHON = path.resolve(
  __dirname,
  '..',
  '..',
  '.venv',
  'bin',
  'python'
);
/** `python seed_runs.py <args>`: its JSON answer; throws with its stderr. */
export function seedScript(...args: string[]): any {
  return pythonScript('seed_runs.py', ...args);
}

/** `python <script> <args>` of a script beside the tests: its JSON answer. */
export function pythonScript(script: string, ...args: string[]): any {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`No Python at ${PYTHON}: create the project's .venv`);
  }
  const result = spawnSync(PYTHON, [path.join(__dirname, script), ...args], {
    encoding: 'utf-8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024
  });
  if (result.status !== 0) {
    throw new Error(
      `${script} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr}`
    );
  }
  return JSON.parse(result.stdout);
}

/** The store folder of the server under test. */
export async function storeDirOf(page: Page): Promise<string> {
  const info = await getJSON(page, '/experiments/api/info');
  expect(typeof info.store_dir).toBe('string');
  return info.store_dir;
}

export function getJSON(page: Page, url: string): Promise<any> {
  return page.evaluate(async (url: string) => {
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`${url}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  }, url);
}

/** A number as the panel writes it: the panel's own formatter. */
export { formatNumber } from '../../src/common/format';

/** `1,234 runs, 2 selected` → 1234. */
export function runCount(text: string): number {
  const match = /^([\d,]+) runs?/.exec(text.trim());
  if (!match) {
    throw new Error(`Not a run count: ${JSON.stringify(text)}`);
  }
  return Number(match[1].replace(/,/g, ''));
}

/** One drawn row of the table. */
export interface ITableRow {
  /** 0-based row index in the table. */
  index: number;
  type: 'run' | 'group' | 'pending';
  /** A run row's run id (from its name cell). */
  id: string | null;
  selected: boolean;
  classes: string;
  /** Text (and tooltip) of each drawn cell, by column id. */
  cells: { [column: string]: { text: string; title: string } };
  /** A group row's value and run count as shown. */
  group: { value: string; count: string } | null;
}

/** The drawn rows of the panel's table, in order (null: no table). */
export function readTable(page: Page): Promise<ITableRow[] | null> {
  return page.evaluate(() => {
    const grid = document.querySelector<HTMLElement>(
      '.jp-ExperimentsBrowser .jp-ExperimentsTable'
    );
    if (!grid) {
      return null;
    }
    const headerRow = grid.querySelector('.jp-ExperimentsTable-headerRow')!;
    const headerId = (h: Element) =>
      h
        .querySelector('.jp-ExperimentsTable-headerText')
        ?.getAttribute('title') ?? '';
    // Pinned columns sit in a block of their own; the others are placed
    // absolutely, in the same order in the header and in every row.
    const pinned = Array.from(
      headerRow.querySelectorAll(
        ':scope > .jp-ExperimentsTable-pinned > [role=columnheader]'
      )
    ).map(headerId);
    const centre = Array.from(
      headerRow.querySelectorAll(':scope > [role=columnheader]')
    ).map(headerId);
    const cellOf = (cell: Element) => ({
      text: (cell.textContent ?? '').trim(),
      title:
        cell.querySelector('[title]:not(button)')?.getAttribute('title') ?? ''
    });
    const rows = Array.from(
      grid.querySelectorAll<HTMLElement>('[role=row][aria-rowindex]')
    ).map(row => {
      const type = row.classList.contains('jp-mod-group')
        ? 'group'
        : row.classList.contains('jp-mod-run')
          ? 'run'
          : 'pending';
      const cells: { [column: string]: { text: string; title: string } } = {};
      // Its pinned cells are in the block that sticks to the left, owned by
      // the row (aria-owns); that part holds the name and a group's label.
      const part = grid.querySelector<HTMLElement>(
        `#${row.getAttribute('aria-owns')}`
      )!;
      const pinnedCells = Array.from(
        part.querySelectorAll(':scope > [role=gridcell]')
      );
      pinnedCells.forEach((cell, i) => (cells[pinned[i]] = cellOf(cell)));
      Array.from(row.querySelectorAll(':scope > [role=gridcell]')).forEach(
        (cell, i) => (cells[centre[i]] = cellOf(cell))
      );
      const title =
        part
          .querySelector('.jp-ExperimentsTable-name')
          ?.getAttribute('title') ?? '';
      const id = /\(([^()]*)\): double-click/.exec(title)?.[1] ?? null;
      const toggle = part.querySelector('.jp-ExperimentsTable-groupToggle');
      return {
        index: Number(row.getAttribute('aria-rowindex')) - 1,
        type,
        id,
        selected: row.getAttribute('aria-selected') === 'true',
        classes: row.className,
        cells,
        group: toggle
          ? {
              value: toggle.querySelector('strong')?.textContent ?? '',
              count:
                toggle.querySelector('.jp-ExperimentsTable-count')
                  ?.textContent ?? ''
            }
          : null
      };
    });
    return rows.sort((a, b) => a.index - b.index) as any;
  });
}

/**
 * The drawn rows once every one of them has loaded (no "Loading…" rows),
 * with at least `atLeast` rows drawn.
 */
export async function loadedRows(
  page: Page,
  atLeast = 1
): Promise<ITableRow[]> {
  let rows: ITableRow[] | null = null;
  await expect
    .poll(
      async () => {
        rows = await readTable(page);
        return (
          rows !== null &&
          rows.length >= atLeast &&
          rows.every(r => r.type !== 'pending')
        );
      },
      { timeout: 15_000, message: 'the table rows load' }
    )
    .toBe(true);
  return rows!;
}

/** Scroll the table: all the way `left` or `right`, and to `top` px. */
export async function scrollTable(
  page: Page,
  to: { horizontal?: 'left' | 'right'; top?: number }
): Promise<void> {
  await page.evaluate(to => {
    const grid = document.querySelector<HTMLElement>(
      '.jp-ExperimentsBrowser .jp-ExperimentsTable'
    )!;
    if (to.horizontal) {
      grid.scrollLeft = to.horizontal === 'left' ? 0 : grid.scrollWidth;
    }
    if (to.top !== undefined) {
      grid.scrollTop = to.top;
    }
  }, to);
  // The virtualizer draws the new window on the next frames.
  await page.evaluate(
    () =>
      new Promise<void>(resolve =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve()))
      )
  );
}

/**
 * Every run id of the table, top to bottom, read by scrolling through it
 * (the table draws only the rows on screen).
 */
export async function allRunIds(page: Page, count: number): Promise<string[]> {
  const ids: (string | null)[] = new Array(count).fill(null);
  const deadline = Date.now() + 60_000;
  await scrollTable(page, { top: 0 });
  while (ids.includes(null)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Rows never loaded: ${ids.filter(id => id === null).length} of ${count} missing`
      );
    }
    const rows = (await readTable(page)) ?? [];
    for (const row of rows) {
      if (row.type === 'run' && row.index < count) {
        ids[row.index] = row.id;
      }
    }
    const missing = ids.indexOf(null);
    if (missing < 0) {
      break;
    }
    // The first missing row to the top of the screen (once its page lands).
    const rowHeight = await page.evaluate(
      () =>
        document
          .querySelector('.jp-ExperimentsBrowser .jp-ExperimentsTable-row')
          ?.getBoundingClientRect().height ?? 26
    );
    await scrollTable(page, { top: Math.max(0, missing * rowHeight) });
    await page.waitForTimeout(50);
  }
  return ids as string[];
}

/** A column's header (drawn: scroll to its side first). */
export function header(panel: Locator, column: string): Locator {
  return panel
    .locator('[role=columnheader]')
    .filter({
      has: panel.page().locator(
        `.jp-ExperimentsTable-headerText[title="${column}"]`
      )
    });
}

/** The row of a run (when drawn). */
export function runRow(panel: Locator, runId: string): Locator {
  return panel.locator('.jp-ExperimentsTable-row').filter({
    has: panel.page().locator(`.jp-ExperimentsTable-name[title*="(${runId})"]`)
  });
}

/** The text in the filter box: a CodeMirror editor or a text input. */
export function filterText(box: Locator): Promise<string> {
  return box.evaluate(el =>
    el instanceof HTMLInputElement ? el.value : (el.textContent ?? '')
  );
}

/** Type a filter into the box and apply it with Enter, as a user does. */
export async function applyFilter(
  page: Page,
  box: Locator,
  filter: string
): Promise<void> {
  await box.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(filter, { delay: 5 });
  // Completion may have opened (values arrive once typing pauses): Enter
  // would pick an item, so close it first.
  const completion = page.locator('.cm-tooltip-autocomplete');
  await page.waitForTimeout(500);
  if (await completion.isVisible()) {
    await page.keyboard.press('Escape');
    await expect(completion).toBeHidden();
  }
  expect(await filterText(box)).toBe(filter);
  await page.keyboard.press('Enter');
}

/** RFC 4180 CSV: rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The numbers of a group's aggregate tooltip: `mean m ± s\nmin a, max b, n runs`. */
export function parseAggregate(title: string): {
  mean: number;
  std: number | null;
  min: number;
  max: number;
  count: number;
} {
  const number = '(-?[\\d.]+(?:e[-+]?\\d+)?)';
  const match = new RegExp(
    `^mean ${number}(?: ± ${number})?\\nmin ${number}, max ${number}, (\\d+) runs?$`
  ).exec(title);
  if (!match) {
    throw new Error(`Not an aggregate: ${JSON.stringify(title)}`);
  }
  return {
    mean: Number(match[1]),
    std: match[2] === undefined ? null : Number(match[2]),
    min: Number(match[3]),
    max: Number(match[4]),
    count: Number(match[5])
  };
}

/** Whether two numbers agree to the five digits the panel shows. */
export function shownAs(shown: number, expected: number): boolean {
  return Math.abs(shown - expected) <= 1e-4 * Math.max(Math.abs(expected), 1e-12);
}

/** The view a share link carries (`?experiments=<base64url of 0x01 + JSON>`). */
export function sharedView(link: string): any {
  const encoded = new URL(link).searchParams.get('experiments');
  if (!encoded) {
    throw new Error(`No view in ${link}`);
  }
  const bytes = Buffer.from(encoded, 'base64url');
  expect(bytes[0]).toBe(1);
  return JSON.parse(bytes.subarray(1).toString('utf-8'));
}
