/// <reference types="node" />
import type * as nbformat from '@jupyterlab/nbformat';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { IGitObject } from './git';
import { cellKeys, normalise } from './layout';
import { CheckpointReader } from './reader';
import { referenceNotebooks } from '../testing/reference';
import { CheckpointWriter, ICheckpoint } from './writer';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the server would hold: shipped objects by oid. */
class Server {
  objects = new Map<string, Uint8Array>();

  receive(checkpoint: ICheckpoint): IGitObject[] {
    for (const { oid, deflated } of checkpoint.objects) {
      this.objects.set(oid, deflated);
    }
    return checkpoint.objects;
  }

  reader(): CheckpointReader {
    return new CheckpointReader(async oid => {
      const data = this.objects.get(oid);
      if (!data) {
        throw Object.assign(new Error(`no object ${oid}`), { code: 'ENOENT' });
      }
      return data;
    });
  }
}

/** Checkpoints and confirms, as the frontend will after a successful batch. */
async function ship(
  writer: CheckpointWriter,
  server: Server,
  request: Parameters<CheckpointWriter['checkpoint']>[0]
): Promise<ICheckpoint> {
  const checkpoint = await writer.checkpoint(request);
  server.receive(checkpoint);
  await writer.markKnown(checkpoint.objects.map(o => o.oid));
  return checkpoint;
}

function png(size: number, seed: number): string {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_SIGNATURE);
  for (let i = PNG_SIGNATURE.length; i < size; i++) {
    bytes[i] = (i * seed) % 251;
  }
  return Buffer.from(bytes).toString('base64');
}

function codeCell(
  id: string | undefined,
  source: string,
  outputs: nbformat.IOutput[] = [],
  count: number | null = 1
): nbformat.ICodeCell {
  return {
    cell_type: 'code',
    ...(id ? { id } : {}),
    metadata: {},
    source,
    execution_count: count,
    outputs
  };
}

const stream = (text: string): nbformat.IOutput => ({
  output_type: 'stream',
  name: 'stdout',
  text
});

const display = (image: string): nbformat.IOutput => ({
  output_type: 'display_data',
  data: { 'image/png': image, 'text/plain': '<Figure>' },
  metadata: {}
});

function sample(ids = true): nbformat.INotebookContent {
  const id = (s: string) => (ids ? s : undefined);
  return {
    nbformat: 4,
    nbformat_minor: ids ? 5 : 4,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
    cells: [
      {
        cell_type: 'markdown',
        ...(ids ? { id: 'intro' } : {}),
        metadata: {},
        source: '# Title'
      },
      codeCell(id('load'), 'x = 1', [stream('1\n')], 1),
      codeCell(id('plot'), 'plot(x)', [display(png(20000, 7919))], 2),
      codeCell(id('small'), 'y = 2\ny', [stream('2\n')], 3),
      codeCell(id('tail'), 'print("end")', [stream('end\n')], 4)
    ]
  };
}

/** The notebook with one cell changed as a re-execution would. */
function rerun(
  nb: nbformat.INotebookContent,
  index: number,
  source: string,
  output: nbformat.IOutput
): nbformat.INotebookContent {
  const cells = [...nb.cells];
  const cell = cells[index] as nbformat.ICodeCell;
  cells[index] = {
    ...cell,
    source,
    outputs: [output],
    execution_count: (cell.execution_count ?? 0) + 10
  };
  return { ...nb, cells };
}

/**
 * nbformat's validator (Python, from the project's environment) on each
 * original and reassembled notebook: the first line of its complaint, or null.
 */
function nbformatVerdicts(
  pairs: [string, unknown, unknown][]
): [string, string | null, string | null][] {
  const script = [
    'import json, sys, warnings',
    'import nbformat',
    "warnings.simplefilter('ignore')",
    'def verdict(nb):',
    '    try:',
    '        nbformat.validate(nbformat.from_dict(nb))',
    '    except nbformat.ValidationError as error:',
    '        return str(error).splitlines()[0]',
    '    return None',
    'pairs = json.load(sys.stdin)',
    'json.dump([[n, verdict(a), verdict(b)] for n, a, b in pairs], sys.stdout)'
  ].join('\n');
  return JSON.parse(
    execFileSync('python', ['-c', script], {
      input: JSON.stringify(pairs),
      encoding: 'utf8',
      maxBuffer: 1 << 26
    })
  );
}

describe('CheckpointWriter', () => {
  for (const [name, nb] of referenceNotebooks().notebooks) {
    it(`round-trips ${name} through git objects`, async () => {
      const server = new Server();
      const checkpoint = await ship(new CheckpointWriter(), server, {
        notebook: nb,
        parent: null
      });
      const back = await server.reader().readNotebook(checkpoint.commit);
      expect(back).toEqual(normalise(nb));
    });
  }

  it('reassembles notebooks nbformat’s own validator accepts', async () => {
    const pairs: [string, nbformat.INotebookContent, unknown][] = [];
    for (const [name, nb] of referenceNotebooks().notebooks) {
      const server = new Server();
      const checkpoint = await ship(new CheckpointWriter(), server, {
        notebook: nb,
        parent: null
      });
      pairs.push([
        name,
        nb,
        await server.reader().readNotebook(checkpoint.commit)
      ]);
    }
    const verdicts = nbformatVerdicts(pairs);
    // A reference notebook nbformat rejects is rejected for the same reason
    // once reassembled; every other one is accepted.
    const valid = verdicts.filter(([, original]) => original === null);
    expect(valid.length).toBeGreaterThan(90);
    expect(verdicts.filter(([, original, back]) => back !== original)).toEqual(
      []
    );
  });

  it('ships only what one re-executed cell changed', async () => {
    const server = new Server();
    const hinted = new CheckpointWriter();
    const plain = new CheckpointWriter();
    const first = sample();
    const one = await ship(hinted, server, { notebook: first, parent: null });
    await ship(plain, new Server(), { notebook: first, parent: null });
    // Blobs: notebook.json, 5 cell.json, 4 outputs.json, 1 image;
    // trees: 5 cells, 1 outputs/, cells/, root; the commit.
    expect(one.objects).toHaveLength(20);

    const second = rerun(first, 3, 'y = 3\ny', stream('3\n'));
    const request = { notebook: second, parent: one.commit, cellIndex: 3 };
    const two = await ship(hinted, server, {
      ...request,
      changedCellIds: new Set(['small'])
    });
    const twoPlain = await ship(plain, new Server(), request);
    // cell.json, outputs.json, the cell's tree, cells/, root tree, commit.
    expect(two.objects).toHaveLength(6);
    expect(twoPlain.objects).toHaveLength(6);
    expect(twoPlain.tree).toBe(two.tree);
    expect(await server.reader().readNotebook(two.commit)).toEqual(second);
  });

  it('ships one changed file when only the execution count changed', async () => {
    const server = new Server();
    const writer = new CheckpointWriter();
    const first = sample();
    const one = await ship(writer, server, { notebook: first, parent: null });
    // The same figure again: display_data has no execution count.
    const second = rerun(first, 2, 'plot(x)', display(png(20000, 7919)));
    const two = await ship(writer, server, {
      notebook: second,
      parent: one.commit
    });
    // cell.json, the cell's tree, cells/, root tree, commit: the image and
    // outputs.json are reused.
    expect(two.objects).toHaveLength(5);
  });

  it('ships notebook.json, root and commit when only the order changed', async () => {
    const server = new Server();
    const writer = new CheckpointWriter();
    const first = sample();
    const one = await ship(writer, server, { notebook: first, parent: null });
    const cells = [...first.cells];
    [cells[1], cells[4]] = [cells[4], cells[1]];
    const two = await ship(writer, server, {
      notebook: { ...first, cells },
      parent: one.commit,
      changedCellIds: new Set()
    });
    // cells/ lists subtrees by name, so its tree is unchanged.
    expect(two.objects).toHaveLength(3);
    expect(
      (await server.reader().readNotebook(two.commit)).cells.map(c => c.id)
    ).toEqual(['intro', 'tail', 'plot', 'small', 'load']);
  });

  it('reuses cells without ids when one is inserted above them', async () => {
    const server = new Server();
    const writer = new CheckpointWriter();
    const first = sample(false);
    const one = await ship(writer, server, { notebook: first, parent: null });
    const second = {
      ...first,
      cells: [codeCell(undefined, 'import os', [], null), ...first.cells]
    };
    const two = await ship(writer, server, {
      notebook: second,
      parent: one.commit
    });
    // The new cell's cell.json, outputs.json and tree; cells/ (every key
    // moved), notebook.json, root tree, commit.
    expect(two.objects).toHaveLength(7);
    expect(await server.reader().readNotebook(two.commit)).toEqual(second);
  });

  it('trusts the hint, with model ids for cells without nbformat ids', async () => {
    const writer = new CheckpointWriter();
    const first = sample(false);
    const cellIds = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const one = await ship(writer, new Server(), {
      notebook: first,
      parent: null,
      cellIds
    });
    const second = rerun(first, 3, 'y = 3', stream('3\n'));
    // A cell the hint does not name is not even read.
    const ignored = await writer.checkpoint({
      notebook: second,
      parent: one.commit,
      cellIds,
      changedCellIds: new Set(['m1'])
    });
    // The source changed, so did the generated key: cells/ is new, but no
    // file of the cell was written.
    expect(ignored.objects).toHaveLength(4);
    const seen = await writer.checkpoint({
      notebook: second,
      parent: one.commit,
      cellIds,
      changedCellIds: new Set(['m3'])
    });
    // cell.json, outputs.json and the cell's tree, a new cells/, root and
    // commit, besides the four still unconfirmed.
    expect(seen.objects).toHaveLength(10);
  });

  it('returns unconfirmed objects again, and drops confirmed bytes', async () => {
    const writer = new CheckpointWriter();
    const first = sample();
    const one = await writer.checkpoint({ notebook: first, parent: null });
    const second = rerun(first, 3, 'y = 3', stream('3\n'));
    const two = await writer.checkpoint({
      notebook: second,
      parent: one.commit
    });
    const oids = new Set(two.objects.map(o => o.oid));
    for (const { oid } of one.objects) {
      expect(oids.has(oid)).toBe(true);
    }
    expect(writer.pendingBytes).toBeGreaterThan(0);
    await writer.markKnown(oids);
    expect(writer.pendingBytes).toBe(0);
    expect(writer.isKnown(two.commit)).toBe(true);
    // Seeded as known (the server said it has them): nothing to send.
    const fresh = new CheckpointWriter();
    await fresh.markKnown(oids);
    const again = await fresh.checkpoint({
      notebook: second,
      parent: one.commit,
      cellIndex: 0
    });
    expect(again.objects.map(o => o.oid)).toEqual([again.commit]);
  });

  it('after a page load, asks which objects the server lacks and ships only those', async () => {
    const server = new Server();
    const first = sample();
    const one = await ship(new CheckpointWriter(), server, {
      notebook: first,
      parent: null
    });
    // A new writer, as after a reload, with one cell re-executed meanwhile.
    const reloaded = new CheckpointWriter();
    const second = rerun(first, 3, 'y = 3\ny', stream('3\n'));
    const asked: string[][] = [];
    const two = await ship(reloaded, server, {
      notebook: second,
      parent: one.commit,
      cellIndex: 3,
      missing: async oids => {
        asked.push(oids);
        return oids.filter(oid => !server.objects.has(oid));
      }
    });
    // Asked once about the whole notebook (20 objects, as a first checkpoint).
    expect(asked).toHaveLength(1);
    expect(asked[0]).toHaveLength(20);
    // cell.json, outputs.json, the cell's tree, cells/, root tree, commit.
    expect(two.objects).toHaveLength(6);
    for (const oid of asked[0]) {
      expect(reloaded.isKnown(oid)).toBe(true);
    }
    expect(reloaded.pendingBytes).toBe(0);
    expect(await server.reader().readNotebook(two.commit)).toEqual(
      normalise(second)
    );
    // The next checkpoint does not ask again and ships only its own change.
    const third = rerun(second, 3, 'y = 4\ny', stream('4\n'));
    const three = await ship(reloaded, server, {
      notebook: third,
      parent: two.commit,
      cellIndex: 3
    });
    expect(three.objects).toHaveLength(6);
    expect(asked).toHaveLength(1);
  });

  it('runs overlapping calls in order', async () => {
    const writer = new CheckpointWriter();
    const first = sample();
    const second = rerun(first, 3, 'y = 3', stream('3\n'));
    const [one, two] = await Promise.all([
      writer.checkpoint({ notebook: first, parent: null }),
      writer.checkpoint({ notebook: second, parent: null })
    ]);
    expect(one.tree).not.toBe(two.tree);
    expect(two.objects.length).toBe(one.objects.length + 6);
  });

  it('writes the message and author', async () => {
    const writer = new CheckpointWriter({
      now: () => new Date('2024-05-01T12:00:00Z')
    });
    const server = new Server();
    const checkpoint = await ship(writer, server, {
      notebook: sample(),
      parent: null,
      cellIndex: 3,
      trailers: {
        runId: 'run-1',
        cellId: 'small',
        executionCount: 3,
        status: 'ok',
        duration: 0.5
      }
    });
    expect(checkpoint.message).toBe(
      'Ran cell 4: y = 2\n\nRun-Id: run-1\nCell-Id: small\nExecution-Count: 3\nStatus: ok\nDuration: 0.500\n'
    );
    const info = await server.reader().readCheckpoint(checkpoint.commit);
    expect(info.timestamp).toBe(Date.parse('2024-05-01T12:00:00Z') / 1000);
    expect(info.trailers.runId).toBe('run-1');
  });
});

describe('a real git repository', () => {
  let gitdir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', gitdir, ...args], {
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    });

  beforeEach(() => {
    gitdir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-'));
    execFileSync('git', ['init', '--bare', '-q', gitdir]);
  });

  afterEach(() => {
    fs.rmSync(gitdir, { recursive: true, force: true });
  });

  function store(objects: IGitObject[]): void {
    for (const { oid, deflated } of objects) {
      const dir = path.join(gitdir, 'objects', oid.slice(0, 2));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, oid.slice(2)), deflated);
    }
  }

  it('passes git fsck --strict and shows the trailers in git log', async () => {
    const writer = new CheckpointWriter();
    const notebooks = [
      sample(),
      ...referenceNotebooks()
        .notebooks.filter(([name]) =>
          /Inline Image|mixed-conflicts--1|cellids--base/.test(name)
        )
        .map(([, nb]) => nb)
    ];
    let parent: string | null = null;
    for (const [i, nb] of notebooks.entries()) {
      const checkpoint: ICheckpoint = await writer.checkpoint({
        notebook: nb,
        parent,
        cellIndex: 0,
        trailers: {
          runId: 'run-1',
          cellId: `cell-${i}`,
          executionCount: i,
          status: i ? 'ok' : 'error',
          duration: 0.25
        }
      });
      store(checkpoint.objects);
      await writer.markKnown(checkpoint.objects.map(o => o.oid));
      parent = checkpoint.commit;
    }
    const ref = 'refs/notebooks/0f8fad5b-d9cb-469f-a165-70867728950e';
    fs.mkdirSync(path.join(gitdir, 'refs', 'notebooks'), { recursive: true });
    fs.writeFileSync(path.join(gitdir, ref), `${parent}\n`);

    const fsck = git('fsck', '--strict', '--no-progress', '--no-dangling', ref);
    expect(fsck.toString()).toBe('');
    const log = git(
      'log',
      '--format=%s|%(trailers:key=Cell-Id,valueonly,separator=)|%(trailers:key=Status,valueonly,separator=)',
      ref
    )
      .toString()
      .trim()
      .split('\n');
    expect(log).toHaveLength(notebooks.length);
    expect(log[log.length - 1]).toBe('Ran cell 1: # Title|cell-0|error');
    expect(log[0]).toMatch(
      new RegExp(`^Ran cell 1: .*\\|cell-${notebooks.length - 1}\\|(ok|error)$`)
    );
    expect(git('log', '-1', '--format=%an <%ae>', ref).toString().trim()).toBe(
      'jupyterlab-experiments <checkpoints@localhost>'
    );

    // git reads the same files: the image decoded, notebook.json as JSON.
    const key = cellKeys(sample().cells)[2];
    const first = git('rev-list', '--max-parents=0', ref).toString().trim();
    const image = git(
      'cat-file',
      'blob',
      `${first}:cells/${key}/outputs/0-image-png`
    );
    expect([...image.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const notebookJson = JSON.parse(
      git('show', `${first}:notebook.json`).toString()
    );
    expect(notebookJson.cells).toEqual([
      'intro',
      'load',
      'plot',
      'small',
      'tail'
    ]);
  });
});
