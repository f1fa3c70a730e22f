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

/**
 * With BENCH_TRACE set, a Chrome trace of `action`: the main thread's time
 * by event name, and the longest tasks with what filled them, printed.
 */
export async function traced<T>(
  page: Page,
  action: () => Promise<T>
): Promise<T> {
  if (!process.env.BENCH_TRACE) {
    return action();
  }
  const cdp = await page.context().newCDPSession(page);
  const events: any[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise<void>(resolve =>
    cdp.once('Tracing.tracingComplete', () => resolve())
  );
  // BENCH_TRACE=invalidations adds why style, layout and paint were redone.
  const why = process.env.BENCH_TRACE === 'invalidations';
  await cdp.send('Tracing.start', {
    categories:
      'toplevel,devtools.timeline,v8,v8.gc,blink.user_timing' +
      (why
        ? ',disabled-by-default-devtools.timeline.invalidationTracking'
        : ''),
    transferMode: 'ReportEvents'
  });
  const result = await action();
  await cdp.send('Tracing.end');
  await done;
  await cdp.detach();
  const main = events.find(
    e => e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
  );
  const onMain = events.filter(
    e => main && e.tid === main.tid && e.pid === main.pid && e.ph === 'X'
  );
  const total = new Map<string, number>();
  for (const e of onMain) {
    total.set(e.name, (total.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
  }
  console.log(
    [...total.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms ${name}`)
      .join('\n')
  );
  // What was painted: the area of each Paint's clip, and how often.
  const paints = onMain.filter(e => e.name === 'Paint' && e.args?.data?.clip);
  const bySize = new Map<string, { count: number; ms: number }>();
  for (const e of paints) {
    const [x0, y0, x1, , , y2] = e.args.data.clip as number[];
    const size = `${Math.round(Math.abs(x1 - x0))}x${Math.round(Math.abs(y2 - y0))} (layer ${e.args.data.layerId ?? '?'})`;
    const entry = bySize.get(size) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += (e.dur ?? 0) / 1000;
    bySize.set(size, entry);
  }
  console.log(
    `paints ${paints.length}: ` +
      [...bySize.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 8)
        .map(([a, { count, ms }]) => `${a} ×${count} ${ms.toFixed(0)} ms`)
        .join(', ')
  );
  if (why) {
    const reasons = new Map<string, number>();
    for (const e of events) {
      if (/InvalidationTracking$/.test(e.name)) {
        const d = e.args?.data ?? {};
        const what = `${e.name} ${d.reason ?? d.invalidationSet?.[0]?.classes ?? ''} ${d.nodeName ?? ''}`;
        reasons.set(what, (reasons.get(what) ?? 0) + 1);
      }
    }
    console.log(
      [...reasons.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([what, n]) => `${String(n).padStart(7)} ${what}`)
        .join('\n')
    );
  }
  const tasks = onMain
    .filter(e => /RunTask$/.test(e.name) && e.dur > 40_000)
    .sort((a, b) => b.dur - a.dur)
    .slice(0, 12);
  for (const task of tasks) {
    const inside = new Map<string, number>();
    for (const e of onMain) {
      if (
        e !== task &&
        e.ts >= task.ts &&
        e.ts + (e.dur ?? 0) <= task.ts + task.dur
      ) {
        const what =
          e.name === 'FunctionCall'
            ? `FunctionCall ${e.args?.data?.functionName ?? ''}@${String(
                e.args?.data?.url ?? ''
              )
                .split('/')
                .pop()}:${e.args?.data?.lineNumber ?? ''}`
            : e.name === 'EventDispatch'
              ? `EventDispatch ${e.args?.data?.type ?? ''}`
              : e.name;
        inside.set(what, (inside.get(what) ?? 0) + (e.dur ?? 0) / 1000);
      }
    }
    console.log(
      `task ${(task.dur / 1000).toFixed(0)} ms: ` +
        [...inside.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 10)
          .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
          .join(', ')
    );
  }
  return result;
}

/** In the page: records requestAnimationFrame deltas until `stopFrames`. */
export async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const deltas: number[] = [];
    let last = performance.now();
    let running = true;
    const tick = () => {
      const now = performance.now();
      deltas.push(now - last);
      last = now;
      if (running) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
    (window as any).__stopFrames = () => {
      running = false;
      return deltas.slice(1);
    };
  });
}

/** The frame deltas (ms) recorded since `recordFrames`. */
export function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as any).__stopFrames() as number[]);
}
