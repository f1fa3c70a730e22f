import { CoalescingQueue, retryDelay } from './coalesce';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

/** Work that records each request and fails while `failing.on` is true. */
function flakyWork() {
  const attempts: number[] = [];
  const failing = { on: true };
  const work = async (n: number) => {
    attempts.push(n);
    if (failing.on) {
      throw new Error('500 Internal Server Error');
    }
  };
  return { attempts, failing, work };
}

describe('CoalescingQueue', () => {
  let consoleError: jest.SpyInstance;

  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
  });

  afterEach(() => {
    consoleError.mockRestore();
    jest.useRealTimers();
  });

  it('runs requests one at a time, collapsing those that wait into the latest', async () => {
    const done: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const queue = new CoalescingQueue<number>(async n => {
      const gate = deferred();
      gates.set(n, gate);
      await gate.promise;
      done.push(n);
    });
    queue.push(1);
    queue.push(2);
    queue.push(3);
    queue.push(4);
    await Promise.resolve();
    expect([...gates.keys()]).toEqual([1]);
    gates.get(1)!.resolve();
    await new Promise(r => setTimeout(r, 0));
    expect([...gates.keys()]).toEqual([1, 4]);
    gates.get(4)!.resolve();
    await queue.idle();
    expect(done).toEqual([1, 4]);
    queue.dispose();
  });

  it('waits 1 s, 2 s, 4 s … at most 30 s between attempts that keep failing', async () => {
    jest.useFakeTimers();
    const { attempts, work } = flakyWork();
    const waits: number[] = [];
    const queue = new CoalescingQueue<number>(work, {
      failed: (_, retryInMs) => waits.push(retryInMs)
    });
    queue.push(1);
    await queue.idle();
    expect(attempts).toHaveLength(1);
    for (const wait of [1000, 2000, 4000, 8000, 16000, 30000, 30000]) {
      const before = attempts.length;
      await jest.advanceTimersByTimeAsync(wait - 1);
      expect(attempts).toHaveLength(before);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts).toHaveLength(before + 1);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    queue.dispose();
  });

  it('retries with the latest request, which requests made while waiting replace', async () => {
    jest.useFakeTimers();
    const { attempts, failing, work } = flakyWork();
    const queue = new CoalescingQueue<number>(work);
    queue.push(1);
    await queue.idle();
    queue.push(2);
    queue.push(3);
    await jest.advanceTimersByTimeAsync(999);
    expect(attempts).toEqual([1]);
    failing.on = false;
    await jest.advanceTimersByTimeAsync(1);
    await queue.idle();
    expect(attempts).toEqual([1, 3]);
    expect(queue.isRetrying).toBe(false);
    queue.dispose();
  });

  it('keeps the failed request when nothing newer arrives, until the server answers', async () => {
    jest.useFakeTimers();
    const { attempts, failing, work } = flakyWork();
    const queue = new CoalescingQueue<number>(work);
    queue.push(7);
    await queue.idle();
    await jest.advanceTimersByTimeAsync(1000);
    failing.on = false;
    await jest.advanceTimersByTimeAsync(2000);
    await queue.idle();
    expect(attempts).toEqual([7, 7, 7]);
    await jest.advanceTimersByTimeAsync(60000);
    expect(attempts).toEqual([7, 7, 7]);
    queue.dispose();
  });

  it('starts again from 1 s after a success', async () => {
    jest.useFakeTimers();
    const { attempts, failing, work } = flakyWork();
    const waits: number[] = [];
    const queue = new CoalescingQueue<number>(work, {
      failed: (_, retryInMs) => waits.push(retryInMs)
    });
    queue.push(1);
    await jest.advanceTimersByTimeAsync(1000 + 2000);
    failing.on = false;
    await jest.advanceTimersByTimeAsync(4000);
    expect(attempts).toEqual([1, 1, 1, 1]);
    failing.on = true;
    queue.push(2);
    await queue.idle();
    expect(waits).toEqual([1000, 2000, 4000, 1000]);
    queue.dispose();
  });

  it('is idle while it waits to retry, and retryNow attempts at once', async () => {
    jest.useFakeTimers();
    const { attempts, failing, work } = flakyWork();
    const queue = new CoalescingQueue<number>(work);
    queue.push(1);
    await queue.idle();
    expect(queue.isRetrying).toBe(true);
    failing.on = false;
    queue.retryNow();
    await queue.idle();
    expect(attempts).toEqual([1, 1]);
    expect(queue.isRetrying).toBe(false);
    await jest.advanceTimersByTimeAsync(60000);
    expect(attempts).toEqual([1, 1]);
    queue.dispose();
  });

  it('a failure hook may ask for a retry at once', async () => {
    jest.useFakeTimers();
    const { attempts, failing, work } = flakyWork();
    const queue: CoalescingQueue<number> = new CoalescingQueue<number>(work, {
      failed: () => {
        failing.on = false;
        queue.retryNow();
      }
    });
    queue.push(1);
    await queue.idle();
    await queue.idle();
    expect(attempts).toEqual([1, 1]);
    expect(queue.isRetrying).toBe(false);
    queue.dispose();
  });

  it('stops retrying once disposed', async () => {
    jest.useFakeTimers();
    const { attempts, work } = flakyWork();
    const queue = new CoalescingQueue<number>(work);
    queue.push(1);
    await queue.idle();
    queue.dispose();
    queue.push(2);
    await jest.advanceTimersByTimeAsync(60000);
    expect(attempts).toEqual([1]);
  });

  it('logs each failure to the console too', async () => {
    jest.useFakeTimers();
    const { work } = flakyWork();
    const queue = new CoalescingQueue<number>(work);
    queue.push(1);
    await queue.idle();
    await jest.advanceTimersByTimeAsync(1000);
    expect(consoleError).toHaveBeenCalledTimes(2);
    queue.dispose();
  });
});

describe('retryDelay', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(retryDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
    ]);
  });
});
