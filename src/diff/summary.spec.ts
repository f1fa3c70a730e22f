/**
 * summarize: the counts of a summary line, hidden changes left out.
 */
import { diffNotebooks, summarize } from './index';

const code = (source: string, extra: any = {}) => ({
  cell_type: 'code',
  source,
  metadata: {},
  execution_count: 1,
  outputs: [],
  ...extra
});
const stream = (text: string) => ({
  output_type: 'stream',
  name: 'stdout',
  text
});
const nb = (cells: any[]): any => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells
});

describe('summarize', () => {
  // 0 source edited; 1 output changed for real; 2 output changed by noise
  // only; 3 metadata only; 4 execution count only; 5 moved, unchanged;
  // 6 moved and edited; 7 unchanged; 8 removed; one cell added.
  const a = nb([
    code('edit me\n', { id: 'c0' }),
    code('print(1)', { id: 'c1', outputs: [stream('1\n')] }),
    code('%time f()', { id: 'c2', outputs: [stream('Wall time: 1 s\n')] }),
    code('meta', { id: 'c3' }),
    code('count', { id: 'c4' }),
    code('move me', { id: 'c5' }),
    code('move and edit', { id: 'c6' }),
    code('same', { id: 'c7' }),
    code('gone', { id: 'c8' })
  ]);
  const b = nb([
    code('move me', { id: 'c5' }),
    code('edited\n', { id: 'c0' }),
    code('print(1)', { id: 'c1', outputs: [stream('2\n')] }),
    code('%time f()', { id: 'c2', outputs: [stream('Wall time: 3 s\n')] }),
    code('meta', { id: 'c3', metadata: { tags: ['x'] } }),
    code('count', { id: 'c4', execution_count: 9 }),
    code('same', { id: 'c7' }),
    code('move and edit!', { id: 'c6' }),
    code('new', { id: 'c9' })
  ]);
  const diff = diffNotebooks(a, b);

  it('shows everything when nothing is hidden', () => {
    expect(
      summarize(diff, { noise: true, metadata: true, executionCount: true })
    ).toEqual({
      modified: 6,
      added: 1,
      removed: 1,
      moved: 2,
      unchanged: 1,
      outputsChanged: 2
    });
  });

  it('counts a cell changed only in hidden ways as unchanged', () => {
    expect(
      summarize(diff, { noise: false, metadata: false, executionCount: false })
    ).toEqual({
      modified: 3,
      added: 1,
      removed: 1,
      moved: 2,
      unchanged: 4,
      outputsChanged: 1
    });
    expect(
      summarize(diff, { noise: false, metadata: true, executionCount: false })
    ).toMatchObject({
      modified: 4,
      unchanged: 3,
      outputsChanged: 1
    });
    expect(
      summarize(diff, { noise: true, metadata: false, executionCount: true })
    ).toMatchObject({
      modified: 5,
      unchanged: 2,
      outputsChanged: 2
    });
  });

  it('counts a moved cell that changed in both modified and moved', () => {
    const moved = diff.cells.filter(c => c.moved);
    expect(moved.map(c => [c.kind, c.oldIndex])).toEqual(
      expect.arrayContaining([
        ['unchanged', 5],
        ['modified', 6]
      ])
    );
  });

  it('counts nothing for equal notebooks but unchanged cells', () => {
    expect(
      summarize(diffNotebooks(a, a), {
        noise: true,
        metadata: true,
        executionCount: true
      })
    ).toEqual({
      modified: 0,
      added: 0,
      removed: 0,
      moved: 0,
      unchanged: 9,
      outputsChanged: 0
    });
  });

  it('counts a change of another field (cell type) as shown', () => {
    const x = nb([{ cell_type: 'raw', id: 'r', source: 's', metadata: {} }]);
    const y = nb([
      { cell_type: 'markdown', id: 'r', source: 's', metadata: {} }
    ]);
    expect(
      summarize(diffNotebooks(x, y), {
        noise: false,
        metadata: false,
        executionCount: false
      })
    ).toMatchObject({
      modified: 1
    });
  });
});
