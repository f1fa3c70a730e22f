import {
  BackgroundStatusModel,
  itemText,
  IItemState,
  relativeTime
} from './model';
import { BackgroundKind, IBackgroundFailure } from './tokens';

/** What the REST client throws when the server answers with an error. */
function serverError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

function model(start = 1000) {
  const clock = { now: start };
  const status = new BackgroundStatusModel(() => clock.now);
  const alerted: IBackgroundFailure[] = [];
  const recovered: BackgroundKind[] = [];
  status.alerted.connect((_, failure) => alerted.push(failure));
  status.recovered.connect((_, kind) => recovered.push(kind));
  return { clock, status, alerted, recovered };
}

describe('BackgroundStatusModel', () => {
  it("keeps a failure with the server's message until its kind succeeds", () => {
    const { clock, status } = model();
    status.failed(
      'checkpoint',
      'a.ipynb',
      serverError(507, 'No space left on device')
    );
    clock.now = 3000;
    status.failed('checkpoint', 'a.ipynb', serverError(500, 'boom'));
    expect(status.failures('a.ipynb')).toEqual([
      {
        kind: 'checkpoint',
        notebookPath: 'a.ipynb',
        message: 'boom',
        status: 500,
        count: 2,
        since: 1000,
        last: 3000,
        canRetry: false
      }
    ]);
    status.succeeded('record', 'a.ipynb');
    expect(status.failures('a.ipynb')).toHaveLength(1);
    status.succeeded('checkpoint', 'a.ipynb');
    expect(status.failures()).toEqual([]);
    expect(status.lastSuccess('checkpoint', 'a.ipynb')).toBe(3000);
  });

  it('alerts once per kind until every notebook failing it recovers', () => {
    const { status, alerted, recovered } = model();
    status.failed('checkpoint', 'a.ipynb', new Error('x'));
    status.failed('checkpoint', 'a.ipynb', new Error('x'));
    status.failed('checkpoint', 'b.ipynb', new Error('x'));
    status.failed('record', 'a.ipynb', new Error('y'));
    expect(alerted.map(f => [f.kind, f.notebookPath])).toEqual([
      ['checkpoint', 'a.ipynb'],
      ['record', 'a.ipynb']
    ]);
    status.succeeded('checkpoint', 'a.ipynb');
    expect(recovered).toEqual([]);
    status.failed('checkpoint', 'a.ipynb', new Error('x'));
    expect(alerted).toHaveLength(2);
    status.succeeded('checkpoint', 'a.ipynb');
    status.succeeded('checkpoint', 'b.ipynb');
    expect(recovered).toEqual(['checkpoint']);
    status.failed('checkpoint', 'b.ipynb', new Error('again'));
    expect(alerted.map(f => f.message)).toEqual(['x', 'y', 'again']);
  });

  it('retries what can be, once per retry, and keeps the failure until a success', () => {
    const { status } = model();
    const calls: string[] = [];
    const checkpointRetry = () => calls.push('checkpoint');
    status.failed('checkpoint', 'a.ipynb', 'e', checkpointRetry);
    status.failed('checkpoint', 'a.ipynb', 'e', checkpointRetry);
    status.failed('record', 'a.ipynb', 'e', () => calls.push('batch 1'));
    status.failed('record', 'a.ipynb', 'e', () => calls.push('batch 2'));
    status.failed('run-end', 'b.ipynb', 'e');
    expect(status.failures().map(f => f.canRetry)).toEqual([true, true, false]);
    expect(status.retry({ kind: 'record' })).toBe(2);
    expect(calls).toEqual(['batch 1', 'batch 2']);
    expect(status.retry()).toBe(1);
    expect(calls).toEqual(['batch 1', 'batch 2', 'checkpoint']);
    expect(status.retry()).toBe(0);
    expect(status.failures()).toHaveLength(3);
    expect(status.failures().map(f => f.canRetry)).toEqual([
      false,
      false,
      false
    ]);
  });

  it('forgets a closed notebook, which may end an outage', () => {
    const { status, recovered } = model();
    status.failed('run-end', 'a.ipynb', 'e');
    status.succeeded('checkpoint', 'a.ipynb');
    const changed: string[] = [];
    status.changed.connect((_, path) => changed.push(path));
    status.forget('a.ipynb');
    expect(status.failures()).toEqual([]);
    expect(status.lastSuccess('checkpoint', 'a.ipynb')).toBeNull();
    expect(recovered).toEqual(['run-end']);
    expect(changed).toEqual(['a.ipynb']);
  });

  it('keeps a success the server knew of only if it is later, and leaves failures alone', () => {
    const { clock, status } = model(10_000);
    const changed: string[] = [];
    status.changed.connect((_, path) => changed.push(path));
    status.failed('checkpoint', 'a.ipynb', serverError(500, 'boom'));
    status.seen('checkpoint', 'a.ipynb', 4000);
    expect(status.lastSuccess('checkpoint', 'a.ipynb')).toBe(4000);
    expect(status.failures('a.ipynb')).toHaveLength(1);

    status.seen('checkpoint', 'a.ipynb', 2000);
    expect(status.lastSuccess('checkpoint', 'a.ipynb')).toBe(4000);
    clock.now = 12_000;
    status.succeeded('checkpoint', 'a.ipynb');
    status.seen('checkpoint', 'a.ipynb', 5000);
    expect(status.lastSuccess('checkpoint', 'a.ipynb')).toBe(12_000);
    expect(changed).toEqual(['a.ipynb', 'a.ipynb', 'a.ipynb']);
  });

  it('tells the message of any thrown value', () => {
    const { status } = model();
    status.failed('record', 'a', new TypeError('Failed to fetch'));
    status.failed('run-start', 'a', { status: 'x' });
    expect(status.failures().map(f => [f.message, f.status])).toEqual([
      ['[object Object]', null],
      ['Failed to fetch', null]
    ]);
  });
});

describe('relativeTime', () => {
  it('rounds to the unit a glance needs', () => {
    const at = (seconds: number) => relativeTime(0, seconds * 1000);
    expect([0, 9, 10, 59, 60, 3599, 3600, 86399, 86400, -5].map(at)).toEqual([
      'just now',
      'just now',
      '10 s ago',
      '59 s ago',
      '1 min ago',
      '59 min ago',
      '1 h ago',
      '23 h ago',
      '1 d ago',
      'just now'
    ]);
  });
});

describe('itemText', () => {
  const base: IItemState = {
    tracking: true,
    checkpoints: true,
    notebookPath: 'dir/a.ipynb',
    runId: '0123456789abcdef',
    lastCheckpoint: 0,
    failures: [],
    now: 125000
  };
  const failure = (
    kind: BackgroundKind,
    notebookPath: string
  ): IBackgroundFailure => ({
    kind,
    notebookPath,
    message: 'Internal Server Error',
    status: 500,
    count: 1,
    since: 0,
    last: 0,
    canRetry: true
  });

  it('names the run and the last checkpoint', () => {
    const { text, warning } = itemText(base);
    expect(text).toBe('Run 01234567 · last checkpoint 2 min ago');
    expect(warning).toBe(false);
  });

  it('says what is off or not there yet', () => {
    expect(itemText({ ...base, runId: null, lastCheckpoint: null }).text).toBe(
      'No run yet · no checkpoint yet'
    );
    expect(
      itemText({ ...base, tracking: false, checkpoints: false }).text
    ).toBe('Tracking off · checkpoints off');
  });

  it("warns with the current notebook's failure first, and counts the others", () => {
    const state = {
      ...base,
      failures: [
        failure('record', 'dir/b.ipynb'),
        failure('checkpoint', 'dir/a.ipynb')
      ]
    };
    const { text, title, warning } = itemText(state);
    expect(warning).toBe(true);
    expect(text).toBe(
      '⚠ checkpoint failed (+1) · Run 01234567 · last checkpoint 2 min ago'
    );
    expect(title).toContain('Checkpoint not saved: Internal Server Error');
  });

  it("warns of another notebook's failure, even without a current notebook", () => {
    const { text, warning } = itemText({
      ...base,
      notebookPath: null,
      failures: [failure('run-start', 'dir/b.ipynb')]
    });
    expect(warning).toBe(true);
    expect(text).toBe('⚠ run not started in b.ipynb');
  });
});
