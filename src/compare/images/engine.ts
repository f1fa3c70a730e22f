/**
 * The Compare panel's images, aligned by key and step across runs. Pure, no
 * DOM.
 *
 * Rules:
 * - The keys are the union of every run's image keys, sorted.
 * - A key's steps are the sorted union of the steps its runs logged it at;
 *   an image logged without a step (`step: null`) is a step of its own,
 *   placed before every numbered step and shown as "—".
 * - A run shows, at a step, the image it logged at exactly that step: an
 *   image from a neighbouring step would look comparable when it is not, so
 *   a run without one says so instead. When a run logged the same key at the
 *   same step more than once (a re-executed cell), its latest image counts.
 * - The slider's state is a number per key (it is saved and shared as JSON):
 *   the null step is stored as `NULL_STEP`. A key without a stored step shows
 *   its last step; a stored step the key no longer has shows the nearest step
 *   before it (else the first).
 */
import type { IRun, IRunImage } from '../../tokens';

/** A step of a key: a logged step, or null for images logged without one. */
export type ImageStep = number | null;

/**
 * How the null step is stored in the slider state (a JSON-safe number far
 * below any step a loop counts).
 */
export const NULL_STEP = Number.MIN_SAFE_INTEGER;

/** One key: its steps, and the runs' images at each. */
export interface IImageKey {
  key: string;
  /** Sorted: null first, then numbers ascending. */
  steps: ImageStep[];
  /** How many of the runs logged this key at all. */
  runCount: number;
}

/** Every key any of `runs` logged an image under, sorted. */
export function imageKeys(runs: readonly IRun[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) {
    for (const image of run.images ?? []) {
      keys.add(image.key);
    }
  }
  return [...keys].sort(compareText);
}

/** The sorted union of the steps at which `runs` logged `key`. */
export function imageSteps(runs: readonly IRun[], key: string): ImageStep[] {
  let hasNull = false;
  const numbers = new Set<number>();
  for (const run of runs) {
    for (const image of run.images ?? []) {
      if (image.key !== key) {
        continue;
      }
      if (image.step === null || image.step === undefined) {
        hasNull = true;
      } else if (Number.isFinite(image.step)) {
        numbers.add(image.step);
      }
    }
  }
  const sorted: ImageStep[] = [...numbers].sort((a, b) => a - b);
  return hasNull ? [null, ...sorted] : sorted;
}

/** Each key with its steps and how many runs logged it. */
export function imageGrid(runs: readonly IRun[]): IImageKey[] {
  return imageKeys(runs).map(key => ({
    key,
    steps: imageSteps(runs, key),
    runCount: runs.filter(run => (run.images ?? []).some(i => i.key === key))
      .length
  }));
}

/**
 * The image `run` logged under `key` at exactly `step` (its latest if
 * several), or null: the run has no image at this step.
 */
export function imageAt(
  run: IRun,
  key: string,
  step: ImageStep
): IRunImage | null {
  let found: IRunImage | null = null;
  for (const image of run.images ?? []) {
    const at = image.step ?? null;
    if (image.key !== key || at !== step) {
      continue;
    }
    // Equal timestamps: the later in the list was logged later.
    if (!found || image.timestamp >= found.timestamp) {
      found = image;
    }
  }
  return found;
}

/** A step as the slider state stores it. */
export function stepValue(step: ImageStep): number {
  return step === null ? NULL_STEP : step;
}

/** A step as shown: its number, or "—" for the null step. */
export function stepLabel(step: ImageStep): string {
  return step === null ? '—' : String(step);
}

/**
 * The index in `steps` the stored `value` shows: its own, the last step when
 * nothing is stored, else the nearest step before it (the first if none).
 * -1 for a key without steps.
 */
export function stepIndex(
  steps: readonly ImageStep[],
  value: number | null | undefined
): number {
  if (steps.length === 0) {
    return -1;
  }
  if (value === undefined) {
    return steps.length - 1;
  }
  // A state read back from JSON may hold null for the null step.
  const wanted = value === null || value === NULL_STEP ? null : value;
  const exact = steps.indexOf(wanted);
  if (exact >= 0) {
    return exact;
  }
  if (wanted === null || Number.isNaN(wanted)) {
    return 0;
  }
  let index = 0;
  steps.forEach((step, i) => {
    if (step === null || step <= wanted) {
      index = i;
    }
  });
  return index;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
