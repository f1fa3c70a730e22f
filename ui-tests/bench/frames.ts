/**
 * Frame timing in a benchmark's page: requestAnimationFrame deltas and long
 * tasks from a PerformanceObserver, and their statistics.
 */
import { Page } from '@playwright/test';

export interface IFrames {
  frames: number;
  over: number;
  max: number;
  p95: number;
  median: number;
  longTasks: number;
  longestTask: number;
}

/** Frame statistics of deltas (ms) and long tasks (ms). */
export function frameStats(
  deltas: number[],
  tasks: number[],
  limitMs: number
): IFrames {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  return {
    frames: sorted.length,
    over: sorted.filter(d => d > limitMs).length,
    max: sorted[sorted.length - 1] ?? 0,
    p95: at(0.95),
    median: at(0.5),
    longTasks: tasks.length,
    longestTask: Math.max(0, ...tasks)
  };
}

/** In the page: records long tasks until `window.__stopLongTasks()`. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const tasks: number[] = [];
    const observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        tasks.push(entry.duration);
      }
    });
    observer.observe({ type: 'longtask' });
    (window as any).__stopLongTasks = () => {
      observer.takeRecords().forEach(entry => tasks.push(entry.duration));
      observer.disconnect();
      return tasks;
    };
  });
}

export const stopLongTasks = (page: Page): Promise<number[]> =>
  page.evaluate(() => (window as any).__stopLongTasks() as number[]);

/** Frames of the page while nothing happens in it: the machine's floor. */
export async function idleFrames(page: Page, count: number): Promise<number[]> {
  return page.evaluate(async count => {
    const deltas: number[] = [];
    let last = performance.now();
    for (let i = 0; i < count; i++) {
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      deltas.push(now - last);
      last = now;
    }
    return deltas;
  }, count);
}

/**
 * With BENCH_PROFILE set, a CPU profile of `action` (Chrome DevTools
 * protocol): the functions that took the most time, printed.
 */
export async function profiled<T>(
  page: Page,
  action: () => Promise<T>
): Promise<T> {
  if (!process.env.BENCH_PROFILE) {
    return action();
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const result = await action();
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map<string, number>();
  const nodes = new Map(profile.nodes.map(n => [n.id, n]));
  profile.samples!.forEach((id, i) => {
    const { callFrame } = nodes.get(id)!;
    const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').pop()}:${callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas![i] ?? 0) / 1000);
  });
  console.log(
    [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([key, ms]) => `${ms.toFixed(0).padStart(6)} ms ${key}`)
      .join('\n')
  );
  await cdp.detach();
  return result;
}
