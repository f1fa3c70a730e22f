/**
 * The Experiments browser on 1,000 runs from three notebooks: filter, sort,
 * group, bulk edits, share link, CSV export, `jx.search_runs`, and a run
 * logging live from a notebook. Every expectation is computed in Python by
 * `seed_runs.py expect`, over the store's runs, without the query grammar.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import {
  allRunIds,
  applyFilter,
  filterText,
  formatNumber,
  getJSON,
  header,
  ITableRow,
  loadedRows,
  parseAggregate,
  parseCsv,
  readTable,
  runCount,
  runRow,
  scrollTable,
  seedScript,
  sharedView,
  shownAs,
  storeDirOf
} from './experimentsBrowser';

/** An OR of a metric's maximum (not its last value) and a tag. */
const FILTER = 'metrics.acc.max > 0.9 OR tags.keep = "yes"';
const ORDER = 'metrics.acc.max DESC';
const GROUP_BY = 'params.batch';
const REFERENCE = {
  any: [
    ['metrics.acc.max', '>', 0.9],
    ['tags.keep', '=', 'yes']
  ],
  order: ['metrics.acc.max', true],
  group_by: GROUP_BY,
  columns: ['metrics.acc.max', 'params.lr'],
  fields: ['metrics.acc.max']
};

test.use({ viewport: { width: 1600, height: 1000 } });

test('the Experiments browser filters, sorts, groups, edits, shares and exports 1,000 runs, and shows a run logging live', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(170_000);
  const storeDir = await storeDirOf(page);
  const seeded = seedScript('seed', storeDir, '--runs', '1000');
  expect(seeded.seeded).toBe(1000);
  expect(seeded.notebooks).toHaveLength(3);
  const expectView = () => seedScript('expect', storeDir, JSON.stringify(REFERENCE));

  await page.sidebar.close('left');
  const panel = page.locator('.jp-ExperimentsBrowser');
  const count = panel.locator('.jp-ExperimentsBrowser-count');
  const filterBox = panel.getByLabel('Filter runs');

  await test.step('opens from the launcher on every run', async () => {
    const all = seedScript('expect', storeDir, '{}');
    expect(all.count).toBeGreaterThanOrEqual(1000);
    const card = page
      .locator('.jp-Launcher-section')
      .filter({
        has: page.locator('.jp-Launcher-sectionTitle', {
          hasText: /^Experiments$/
        })
      })
      .locator('.jp-LauncherCard', { hasText: 'Experiments' });
    await card.click();
    await expect(panel).toBeVisible();
    await expect(count).toHaveText(`${all.count.toLocaleString('en-US')} runs`);
    await loadedRows(page, 10);
  });

  const expected = expectView();
  await test.step('an OR filter on a metric maximum and a tag', async () => {
    // The filter tells a maximum from a last value: fewer runs end above 0.9.
    const byLast = seedScript(
      'expect',
      storeDir,
      JSON.stringify({ any: [['metrics.acc.last', '>', 0.9], REFERENCE.any[1]] })
    );
    expect(byLast.count).toBeLessThan(expected.count);
    expect(expected.count).toBeGreaterThan(50);

    await applyFilter(page, filterBox, FILTER);
    await expect(count).toHaveText(`${expected.count} runs`);
    expect(await filterText(filterBox)).toBe(FILTER);
  });

  await test.step('sorted by a metric column, from its header', async () => {
    await scrollTable(page, { horizontal: 'right' });
    // A metric's column shows its last value; its menu adds the maximum.
    await header(panel, 'metrics.acc').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Show its max' }).click();
    await scrollTable(page, { horizontal: 'right' });
    const maxHeader = header(panel, 'metrics.acc.max');
    await maxHeader.click();
    await expect(maxHeader).toHaveAttribute('aria-sort', 'descending');
    await scrollTable(page, { top: 0, horizontal: 'right' });
    await expect
      .poll(async () => (await loadedRows(page, 10)).map(r => r.id).slice(0, 10))
      .toEqual(expected.ids.slice(0, 10));
    const rows = await loadedRows(page, 10);
    rows.forEach((row, i) => {
      expect(row.id).toBe(expected.ids[i]);
      expect(row.cells['metrics.acc.max'].text).toBe(
        formatNumber(expected.values[i][0])
      );
    });
  });

  let csv: string[][] = [];
  await test.step('exports the view as CSV: its rows are the table rows', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await panel.getByRole('button', { name: 'Export' }).click();
        await page.getByRole('menuitem', { name: 'Download CSV' }).click();
      })()
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    csv = parseCsv(fs.readFileSync((await download.path())!, 'utf-8'));
    const [head, ...body] = csv;
    expect(body).toHaveLength(expected.count);
    const column = (label: string) => {
      const at = head.indexOf(label);
      expect(at, `CSV column ${label} in ${head.join(',')}`).toBeGreaterThanOrEqual(0);
      return at;
    };
    const name = column('Name');
    expect(body.map(r => r[name])).toEqual(expected.names);
    // Each drawn row holds the values of its CSV row, as the table shows them.
    const rows = await loadedRows(page, 10);
    const compared = ['params.batch', 'params.lr', 'metrics.acc', 'metrics.acc.max', 'metrics.loss'];
    for (const row of rows) {
      const line = body[row.index];
      expect(row.cells['name'].text).toBe(line[name]);
      for (const id of compared) {
        const cell = row.cells[id];
        expect(cell, `column ${id} drawn`).toBeDefined();
        const value = line[column(id)];
        expect(cell.text).toBe(
          id.startsWith('metrics.') ? formatNumber(Number(value)) : value
        );
      }
    }
  });

  await test.step('jx.search_runs returns the panel\'s runs, in its order', async () => {
    const searched = seedScript('search', storeDir, FILTER, ORDER);
    const shown = await allRunIds(page, expected.count);
    expect(shown).toEqual(expected.ids);
    expect(searched.ids).toEqual(shown);
    expect(searched.names).toEqual(csv.slice(1).map(r => r[csv[0].indexOf('Name')]));
  });

  let groupRows: ITableRow[] = [];
  await test.step('grouped by a param, with its aggregates', async () => {
    await panel.getByLabel('Group by').selectOption(GROUP_BY);
    await scrollTable(page, { top: 0, horizontal: 'right' });
    const groups = expected.groups as any[];
    await expect
      .poll(async () =>
        ((await readTable(page)) ?? [])
          .filter(r => r.type === 'group')
          .map(r => r.group!.value)
      )
      .toEqual(groups.map(g => String(g.value)));
    await expect(count).toHaveText(`${expected.count} runs`);
    groupRows = ((await readTable(page)) ?? []).filter(r => r.type === 'group');
    groups.forEach((group, i) => {
      const row = groupRows[i];
      expect(row.group!.count).toBe(`${group.count} runs`);
      for (const column of REFERENCE.columns) {
        const cell = row.cells[column];
        expect(cell, `aggregate of ${column} drawn`).toBeDefined();
        const shown = parseAggregate(cell.title);
        const want = group.aggregates[column];
        expect(shown.count, `${column} count in group ${group.value}`).toBe(want.count);
        for (const stat of ['mean', 'min', 'max'] as const) {
          expect(
            shownAs(shown[stat], want[stat]),
            `${column} ${stat} in group ${group.value}: ${shown[stat]} vs ${want[stat]}`
          ).toBe(true);
        }
        expect(cell.text).toBe(
          `${formatNumber(want.mean)} ± ${formatNumber(want.std)}`
        );
      }
    });
  });

  // The biggest group: its first two runs are tagged, the second archived.
  const groups = expected.groups as any[];
  const target = groups.reduce((a, b) => (b.count > a.count ? b : a));
  const [first, second] = target.ids as string[];
  await test.step('two runs tagged in bulk, one archived', async () => {
    const toggle = panel
      .locator('.jp-ExperimentsTable-groupToggle')
      .filter({ has: page.locator('strong', { hasText: new RegExp(`^${target.value}$`) }) });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect
      .poll(async () =>
        (await loadedRows(page))
          .filter(r => r.type === 'run' && r.classes.includes('jp-mod-inGroup'))
          .map(r => r.id)
          .slice(0, 5)
      )
      .toEqual(target.ids.slice(0, 5));

    await runRow(panel, first).locator('.jp-ExperimentsTable-name').click();
    await runRow(panel, second)
      .locator('.jp-ExperimentsTable-name')
      .click({ modifiers: ['Control'] });
    await expect(runRow(panel, first)).toHaveAttribute('aria-selected', 'true');
    await expect(runRow(panel, second)).toHaveAttribute('aria-selected', 'true');
    const bar = panel.getByRole('toolbar', { name: 'Selected runs' });
    await expect(bar).toContainText('2 runs selected');
    await expect(count).toHaveText(`${expected.count} runs, 2 selected`);

    await bar.getByRole('button', { name: 'Tag…', exact: true }).click();
    await bar.getByLabel('Tag: key or key=value').fill('reviewed=yes');
    await page.keyboard.press('Enter');
    for (const id of [first, second]) {
      await expect
        .poll(async () => (await getJSON(page, `/experiments/api/runs/${id}`)).tags)
        .toMatchObject({ reviewed: 'yes' });
    }

    await runRow(panel, second).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Archive', exact: true }).click();
    await expect(runRow(panel, second)).toHaveClass(/jp-mod-archived/);
    await expect
      .poll(async () => (await getJSON(page, `/experiments/api/runs/${second}`)).archived)
      .toBe(true);
    // In the store, as Python reads it.
    const stored = seedScript('get', storeDir, first, second);
    expect(stored[first].tags.reviewed).toBe('yes');
    expect(stored[second].tags.reviewed).toBe('yes');
    expect(stored[first].archived).toBe(false);
    expect(stored[second].archived).toBe(true);
    await expect(count).toContainText('2 selected');

    // `SCREENSHOT=1 make test-ui` refreshes the README's picture.
    if (process.env.SCREENSHOT) {
      await scrollTable(page, { horizontal: 'left' });
      await page.screenshot({
        path: path.resolve(__dirname, '..', '..', 'docs', 'browser.png')
      });
    }
  });

  const afterArchive = expectView();
  await test.step('the share link opens the same view in a new page', async () => {
    expect(afterArchive.count).toBe(expected.count - 1);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await panel.getByRole('button', { name: 'Copy link' }).click();
    await expect(panel.locator('.jp-ExperimentsCopyLink-note')).toHaveText('Link copied.');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const view = sharedView(link);
    expect(view.filter).toBe(FILTER);
    expect(view.orderBy).toEqual([{ key: 'metrics.acc.max', descending: true }]);
    expect(view.groupBy).toBe(GROUP_BY);
    expect([...view.selection].sort()).toEqual([first, second].sort());

    const other = await page.context().newPage();
    try {
      await other.goto(link);
      const shared = other.locator('.jp-ExperimentsBrowser');
      await expect(shared).toBeVisible({ timeout: 60_000 });
      await expect
        .poll(() => filterText(shared.getByLabel('Filter runs')))
        .toBe(FILTER);
      await expect(shared.getByLabel('Group by')).toHaveValue(GROUP_BY);
      // The archived run is hidden now, and still selected.
      await expect(shared.locator('.jp-ExperimentsBrowser-count')).toHaveText(
        `${afterArchive.count} runs, 2 selected`
      );
      await scrollTable(other, { top: 0, horizontal: 'right' });
      await expect(header(shared, 'metrics.acc.max')).toHaveAttribute(
        'aria-sort',
        'descending'
      );
      await expect
        .poll(async () =>
          ((await readTable(other)) ?? [])
            .filter(r => r.type === 'group')
            .map(r => `${r.group!.value}: ${r.group!.count}`)
        )
        .toEqual(
          (afterArchive.groups as any[]).map(g => `${g.value}: ${g.count} runs`)
        );
      const toggle = shared
        .locator('.jp-ExperimentsTable-groupToggle')
        .filter({ has: other.locator('strong', { hasText: new RegExp(`^${target.value}$`) }) });
      await toggle.click();
      await expect(runRow(shared, first)).toHaveAttribute('aria-selected', 'true');
      await expect(runRow(shared, second)).toHaveCount(0);
    } finally {
      await other.close();
    }
  });

  await test.step('a run logging from a notebook updates its row live', async () => {
    const token = `live-${Date.now()}`;
    await panel.getByLabel('Group by').selectOption('');
    await expect(count).toHaveText(`${afterArchive.count} runs, 2 selected`);
    const notebook = `${tmpPath}/live.ipynb`;
    const cell = (source: string) => ({
      cell_type: 'code',
      metadata: {},
      source,
      execution_count: null,
      outputs: []
    });
    expect(
      await page.contents.uploadContent(
        JSON.stringify({
          nbformat: 4,
          nbformat_minor: 5,
          metadata: {
            kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
          },
          cells: [
            cell(
              'import jupyterlab_experiments as jx\n' +
                `jx.set_tags({"keep": "yes", "live": "${token}"})\n` +
                'jx.log_metric("acc", 0.995)'
            ),
            cell('jx.log_metric("acc", 0.42)\njx.log_metric("loss", 0.125)')
          ]
        }),
        'text',
        notebook
      )
    ).toBe(true);
    // Beside the panel, which stays on screen.
    await page.evaluate(async path => {
      const app = (window as any).jupyterapp;
      const widget = await app.commands.execute('docmanager:open', {
        path,
        options: { mode: 'split-right' }
      });
      await widget.sessionContext.ready;
    }, notebook);
    await page.notebook.activate('live.ipynb');
    await page.notebook.runCell(0);
    await expect
      .poll(
        async () =>
          (
            await getJSON(
              page,
              `/experiments/api/runs?filter=${encodeURIComponent(`tags.live = "${token}"`)}`
            )
          ).runs.map((r: any) => r.id),
        { timeout: 10_000 }
      )
      .toHaveLength(1);
    const liveId = (
      await getJSON(
        page,
        `/experiments/api/runs?filter=${encodeURIComponent(`tags.live = "${token}"`)}`
      )
    ).runs[0].id;

    // The new run appears in the open table, best first, without a reload.
    const liveCell = async (column: string) => {
      await scrollTable(page, { horizontal: 'right' });
      const row = ((await readTable(page)) ?? []).find(r => r.id === liveId);
      return row?.cells[column]?.text ?? null;
    };
    await scrollTable(page, { top: 0 });
    await expect.poll(() => liveCell('metrics.acc'), { timeout: 5000 }).toBe('0.995');
    await expect(count).toHaveText(`${afterArchive.count + 1} runs, 2 selected`);

    // Its next values land in its row in place: no request lists the view again.
    await page.waitForTimeout(1500);
    const relisted: string[] = [];
    page.on('request', request => {
      const url = new URL(request.url());
      if (
        url.pathname.endsWith('/experiments/api/runs') &&
        url.searchParams.get('filter') === FILTER
      ) {
        relisted.push(request.url());
      }
    });
    const started = Date.now();
    await page.notebook.runCell(1);
    await expect.poll(() => liveCell('metrics.acc'), { timeout: 5000 }).toBe('0.42');
    await expect.poll(() => liveCell('metrics.loss'), { timeout: 5000 }).toBe('0.125');
    console.log(`live row updated ${Date.now() - started} ms after the cell ran`);
    expect(relisted).toEqual([]);
    expect(await liveCell('metrics.acc.max')).toBe('0.995');
  });
});
