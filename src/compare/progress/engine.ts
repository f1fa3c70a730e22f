/**
 * The progress view's figures: for one metric summary and direction, the
 * best value so far over the runs in the order they started, and which runs
 * improved on it. Pure, no DOM.
 *
 * Rules:
 * - Runs are ordered by start time; runs that started at the same second
 *   keep the order they were given in (the loader asks for `started ASC`).
 * - A run without the metric (or whose summary field is null) is skipped and
 *   counted as `missing`; a NaN value is skipped and counted as `nan`.
 * - +Infinity and -Infinity are skipped too, counted as `infinite`: they
 *   come from a diverged or overflowing computation, not a result to beat,
 *   and a chart cannot place them (one would also freeze the best forever).
 * - The first run with a value improves (there is nothing to beat); a later
 *   run improves when it is strictly better than the best so far: a tie does
 *   not, so the run that reached a value first keeps the credit.
 */
import { columnValue, parseColumnId } from '../../browser/columns';
import { axisCandidates } from '../parallel/engine';
import type { IRunSummary } from '../../tokens';
import type { Direction } from '../state';
import { runName } from '../labels';

/** One run with a value of the metric, in start order. */
export interface IProgressPoint {
  runId: string;
  /** The run's display name (its id's start when it has none). */
  name: string;
  /** Start time, unix seconds. */
  time: number;
  value: number;
  /** Better than every earlier run (the first run always is). */
  improved: boolean;
  /** The best value up to and including this run. */
  best: number;
  /** The best value before this run; null for the first. */
  previousBest: number | null;
}

export interface IProgress {
  /** Every run with a value, ordered by start time. */
  points: IProgressPoint[];
  /** The points that improved, in order. */
  improvements: IProgressPoint[];
  /**
   * The best-so-far line: a vertex per point (its time, the best after it),
   * to draw as steps that hold each value until the next improvement.
   */
  line: { time: number; value: number }[];
  /** Runs left out, by reason. */
  skipped: { missing: number; nan: number; infinite: number };
  /** The last improvement (the best run), or null without any value. */
  best: IProgressPoint | null;
}

/** The best-so-far progress of `runs` on `metricId` (a query-grammar id). */
export function bestSoFar(
  runs: readonly IRunSummary[],
  metricId: string,
  direction: Direction
): IProgress {
  const skipped = { missing: 0, nan: 0, infinite: 0 };
  const valued: { run: IRunSummary; value: number; order: number }[] = [];
  runs.forEach((run, order) => {
    const value = columnValue(run, metricId);
    if (typeof value !== 'number') {
      skipped.missing++;
    } else if (Number.isNaN(value)) {
      skipped.nan++;
    } else if (!Number.isFinite(value)) {
      skipped.infinite++;
    } else {
      valued.push({ run, value, order });
    }
  });
  valued.sort(
    (a, b) => startTime(a.run) - startTime(b.run) || a.order - b.order
  );
  const better =
    direction === 'min'
      ? (a: number, b: number) => a < b
      : (a: number, b: number) => a > b;
  const points: IProgressPoint[] = [];
  let best: number | null = null;
  for (const { run, value } of valued) {
    const improved = best === null || better(value, best);
    const previousBest = best;
    if (improved) {
      best = value;
    }
    points.push({
      runId: run.id,
      name: runName(run),
      time: startTime(run),
      value,
      improved,
      best: best as number,
      previousBest
    });
  }
  const improvements = points.filter(p => p.improved);
  return {
    points,
    improvements,
    line: points.map(p => ({ time: p.time, value: p.best })),
    skipped,
    best: improvements.length ? improvements[improvements.length - 1] : null
  };
}

/**
 * The metric summary ids (`metrics.acc`, `metrics.acc.min`,
 * `metrics.acc.max`) of every metric any of `runs` has, sorted by key: what
 * the metric chooser offers. Counts are left out: more points is not progress.
 */
export function progressMetrics(runs: readonly IRunSummary[]): string[] {
  return axisCandidates(runs).metrics;
}

/** The metric key a summary id names (`metrics.acc.max` → `acc`), for its default direction. */
export function metricKey(metricId: string): string {
  const ref = parseColumnId(metricId);
  return ref?.kind === 'metrics' ? ref.key : metricId;
}

function startTime(run: IRunSummary): number {
  return Number.isFinite(run.start_time) ? run.start_time : 0;
}
