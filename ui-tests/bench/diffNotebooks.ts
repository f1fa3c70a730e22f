/**
 * Seeded pairs of notebooks for the diff view's benchmark: the same notebooks
 * on every run (xorshift32), nbformat 4.5 with cell ids, code cells of 3–15
 * lines with a small text output, a markdown cell every 7.
 */

export interface INotebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: Record<string, unknown>;
  cells: ICell[];
}

export interface ICell {
  id: string;
  cell_type: 'code' | 'markdown';
  metadata: Record<string, unknown>;
  source: string;
  execution_count?: number | null;
  outputs?: Record<string, unknown>[];
}

/** The edits between the two notebooks of `scatteredEdits`, by kind. */
export interface IEdits {
  source: number;
  move: number;
  insert: number;
  delete: number;
}

/** xorshift32: a number in [0, 1), the same sequence for the same seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () =>
    Math.floor(next() * 16).toString(16)
  ).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const METADATA = {
  kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
  language_info: { name: 'python', version: '3.11.7' }
};

/** One line of Python, the k-th of cell n. */
function codeLine(n: number, k: number, next: () => number): string {
  const v = `v${n}_${k}`;
  switch (Math.floor(next() * 6)) {
    case 0:
      return `${v} = np.mean(data[${n}][${k}:${k + 10}]) * ${next().toFixed(3)}`;
    case 1:
      return `for i in range(${1 + Math.floor(next() * 50)}):\n    ${v} = step(${v}, lr=${next().toFixed(4)})`;
    case 2:
      return `${v} = model.fit(x_train[${k}], y_train[${k}], epochs=${1 + Math.floor(next() * 20)})`;
    case 3:
      return `# the ${k}th step of item ${n}: ${next() < 0.5 ? 'smoothing' : 'scaling'}`;
    case 4:
      return `${v} = pd.DataFrame({"a": range(${k}), "b": [${n}] * ${k}}).describe()`;
    default:
      return `log.info("cell %d step %d", ${n}, ${k})`;
  }
}

/** Code of 3 to 15 lines (a loop line counts two). */
function codeSource(n: number, next: () => number): string {
  const target = 3 + Math.floor(next() * 13);
  const lines: string[] = [];
  for (let k = 0; lines.length < target; k++) {
    lines.push(...codeLine(n, k, next).split('\n'));
  }
  return lines.slice(0, target).join('\n');
}

/** A cell: markdown every 7, else code with a short text output. */
export function smallCell(n: number, next: () => number): ICell {
  const id = uuid(next);
  if (n % 7 === 0) {
    return {
      id,
      cell_type: 'markdown',
      metadata: {},
      source: `## Step ${n}\n\nWe now look at item ${n} and its score, then\nsmooth it over the last ${n % 20} runs.`
    };
  }
  const source = codeSource(n, next);
  const outputs =
    n % 5 === 2
      ? [
          {
            output_type: 'execute_result',
            execution_count: n,
            data: { 'text/plain': `Model(alpha=${next().toFixed(3)})` },
            metadata: {}
          }
        ]
      : [
          {
            output_type: 'stream',
            name: 'stdout',
            text: Array.from(
              { length: 1 + (n % 3) },
              (_, i) => `step ${i} score ${next().toFixed(5)}\n`
            ).join('')
          }
        ];
  return {
    id,
    cell_type: 'code',
    metadata: {},
    source,
    execution_count: n,
    outputs
  };
}

function notebook(cells: ICell[]): INotebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: METADATA, cells };
}

/** One line of a cell's source changed a little (a comment appended). */
function editLine(cell: ICell, next: () => number, tag: string): ICell {
  const lines = cell.source.split('\n');
  const line = Math.floor(next() * lines.length);
  lines[line] = `${lines[line]}  # ${tag}`;
  return { ...cell, source: lines.join('\n') };
}

/**
 * `count` cells, and a copy with `edits` at seeded places, each on a cell no
 * other edit touched: one line of a cell's source changed, a cell moved at
 * least 5 places, a new cell inserted, a cell deleted.
 */
export function scatteredEdits(
  count: number,
  edits: IEdits,
  seed = 2024
): { a: INotebook; b: INotebook } {
  const next = random(seed);
  const cells = Array.from({ length: count }, (_, n) => smallCell(n, next));
  const edited = cells.slice();
  const touched = new Set<string>();
  const untouched = (): number => {
    for (;;) {
      const i = Math.floor(next() * edited.length);
      if (!touched.has(edited[i].id)) {
        return i;
      }
    }
  };
  const kinds = (Object.entries(edits) as [keyof IEdits, number][]).flatMap(
    ([kind, n]) => Array.from({ length: n }, () => kind)
  );
  // A seeded shuffle, so kinds interleave.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  kinds.forEach((kind, k) => {
    if (kind === 'insert') {
      const cell = smallCell(count + k, next);
      touched.add(cell.id);
      edited.splice(Math.floor(next() * (edited.length + 1)), 0, cell);
      return;
    }
    const i = untouched();
    const cell = edited[i];
    touched.add(cell.id);
    if (kind === 'source') {
      edited[i] = editLine(cell, next, `edited ${k}`);
    } else if (kind === 'move') {
      edited.splice(i, 1);
      let to = i;
      while (Math.abs(to - i) < 5) {
        to = Math.floor(next() * (edited.length + 1));
      }
      edited.splice(to, 0, cell);
    } else {
      edited.splice(i, 1);
    }
  });
  return { a: notebook(cells), b: notebook(edited) };
}

/**
 * `count` cells, and a copy where every cell's source differs by one line:
 * every cell is a modified row, nothing folds.
 */
export function everyCellEdited(
  count: number,
  seed = 7
): { a: INotebook; b: INotebook } {
  const next = random(seed);
  const cells = Array.from({ length: count }, (_, n) => smallCell(n, next));
  const edited = cells.map((cell, n) => editLine(cell, next, `v${n} tuned`));
  return { a: notebook(cells), b: notebook(edited) };
}
