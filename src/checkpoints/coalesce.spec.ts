import { CoalescingQueue } from './coalesce';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

describe('CoalescingQueue', () => {
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
  });

  it('keeps going after a failure', async () => {
    const seen: number[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    const queue = new CoalescingQueue<number>(async n => {
      seen.push(n);
      if (n === 1) {
        throw new Error('boom');
      }
    });
    queue.push(1);
    await queue.idle();
    queue.push(2);
    await queue.idle();
    expect(seen).toEqual([1, 2]);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });
});
