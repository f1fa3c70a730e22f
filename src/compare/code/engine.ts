/**
 * The Compare panel's code: what cells each run executed, at which
 * checkpoints, and which two checkpoints a notebook diff compares. Pure, no
 * DOM.
 *
 * A run's executions keep the order the store recorded them in (the order
 * they ran). Its last checkpoint is the checkpoint of its last execution that
 * has one: executions whose checkpoint was not written (or not yet) are
 * skipped, so a run whose final cell failed to checkpoint still compares by
 * the notebook it last recorded.
 */
import type { IRun } from '../../tokens';

/** One executed cell as the code section lists it. */
export interface ICodeExecution {
  cellId: string | null;
  executionCount: number | null;
  /** `ok`, `error`, … as recorded. */
  status: string;
  errorName: string | null;
  /** Seconds; null when the kernel did not announce the start. */
  duration: number | null;
  /** The first line of the cell's source ('' when none was recorded). */
  sourceHead: string;
  checkpoint: string | null;
}

export interface IRunCode {
  runId: string;
  executions: ICodeExecution[];
  /** The checkpoint of the last execution that has one; null if none has. */
  lastCheckpoint: string | null;
}

/** A run's executions in order, and its last checkpoint. */
export function runCode(run: IRun): IRunCode {
  const executions = (run.executions ?? []).map(
    (execution): ICodeExecution => ({
      cellId: execution.cell_id ?? null,
      executionCount: execution.execution_count ?? null,
      status: execution.status,
      errorName: execution.error_name ?? null,
      duration: execution.duration ?? null,
      sourceHead: firstLine(execution.source_head),
      checkpoint: execution.checkpoint || null
    })
  );
  return { runId: run.id, executions, lastCheckpoint: lastCheckpoint(run) };
}

/** The checkpoint of the run's last execution that has one, or null. */
export function lastCheckpoint(run: IRun): string | null {
  const executions = run.executions ?? [];
  for (let i = executions.length - 1; i >= 0; i--) {
    const checkpoint = executions[i].checkpoint;
    if (checkpoint) {
      return checkpoint;
    }
  }
  return null;
}

/** The first line of a source head, without trailing blanks. */
export function firstLine(source: string | null | undefined): string {
  if (!source) {
    return '';
  }
  const end = source.search(/\r?\n/);
  return (end < 0 ? source : source.slice(0, end)).trimEnd();
}

/**
 * The two runs a diff compares by default, as indices into `codes`: the
 * first two with a checkpoint, else the first two runs (the control then
 * says which lacks one). Null with fewer than two runs.
 */
export function defaultDiffPair(
  codes: readonly IRunCode[]
): [number, number] | null {
  if (codes.length < 2) {
    return null;
  }
  const withCheckpoint = codes
    .map((code, i) => (code.lastCheckpoint ? i : -1))
    .filter(i => i >= 0);
  if (withCheckpoint.length >= 2) {
    return [withCheckpoint[0], withCheckpoint[1]];
  }
  // Keep the one run that can be diffed, so the reason names the other.
  const first = withCheckpoint[0] ?? 0;
  const second = first === 0 ? 1 : 0;
  return [first, second];
}

/** What a diff between two runs compares, or why it cannot be made. */
export type DiffPlan =
  { ok: true; from: string; to: string } | { ok: false; reason: string };

/**
 * The diff between the last checkpoints of runs `from` and `to` (indices
 * into `codes`), or why there is none. `names` are the runs' display names.
 */
export function diffPlan(
  codes: readonly IRunCode[],
  names: readonly string[],
  from: number,
  to: number
): DiffPlan {
  const a = codes[from];
  const b = codes[to];
  if (!a || !b) {
    return { ok: false, reason: 'Choose two runs to diff.' };
  }
  if (from === to) {
    return { ok: false, reason: 'Choose two different runs.' };
  }
  for (const [code, i] of [
    [a, from],
    [b, to]
  ] as const) {
    if (!code.lastCheckpoint) {
      return {
        ok: false,
        reason: `${names[i] ?? code.runId} has no checkpoint: none of its executions recorded one.`
      };
    }
  }
  if (a.lastCheckpoint === b.lastCheckpoint) {
    return {
      ok: false,
      reason: `Both runs last executed checkpoint ${a.lastCheckpoint!.slice(0, 7)}: the notebooks are the same.`
    };
  }
  return { ok: true, from: a.lastCheckpoint!, to: b.lastCheckpoint! };
}
