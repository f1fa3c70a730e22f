/**
 * Compare a cell's fresh outputs with its saved ones, and judge the cell.
 * Pure apart from the injected image comparison.
 *
 * Outputs are compared in order, field by field (each MIME type, a stream's
 * text, an error's name and message), after the sanitizers in `sanitize.ts`.
 * When outputs are equal only thanks to some rules, the comparison names
 * them: the rules without which there would be more differences.
 */
import type { ICodeCell, IOutput } from '@jupyterlab/nbformat';

import { describeOrigin, ICellMarkers, IMarker } from './markers';
import type { ImageComparator } from './pixels';
import { pngImageComparator } from './png';
import {
  canonicalOutputs,
  compileSanitizers,
  ICanonicalField,
  ICanonicalOutput,
  ISanitizerSpec,
  ITextRule,
  RuleIDs,
  sanitizeText,
  SHAPE_RULES,
  textRules
} from './sanitize';
import type { DifferenceKind, IOutputDifference } from './types';

export type { DifferenceKind, IOutputDifference };

export interface ICompareOptions {
  /** The cell is marked to ignore its output: equal, by rule `nbval-ignore-output`. */
  ignoreOutput?: boolean;
  /** Relative tolerance for floats in text; default 1e-6. */
  relativeTolerance?: number;
  /** Absolute tolerance for floats in text (for values near zero); default 0. */
  absoluteTolerance?: number;
  /** User regex sanitizers, applied before the default text rules. */
  sanitizers?: readonly ISanitizerSpec[];
  /** MIME types not compared at all (nbval's `skip_compare`), e.g. `text/html`. */
  skipMimes?: readonly string[];
  /** Rule names to turn off (see `RuleIDs`, or `user:<name>`). */
  disabledRules?: readonly string[];
  compareImages?: ImageComparator;
}

export interface IOutputComparison {
  equal: boolean;
  /** Rules without which there would be more differences (a minimal set), in rule order. */
  rules: string[];
  differences: IOutputDifference[];
}

export const DEFAULT_RELATIVE_TOLERANCE = 1e-6;

/** The default image comparison: PNGs by their pixels, the rest by bytes. */
const DEFAULT_IMAGES = pngImageComparator();

/**
 * Compare fresh outputs with saved ones.
 *
 * @throws SanitizerError when a user sanitizer is not valid.
 */
export async function compareOutputs(
  saved: readonly IOutput[],
  fresh: readonly IOutput[],
  options: ICompareOptions = {}
): Promise<IOutputComparison> {
  if (options.ignoreOutput) {
    return { equal: true, rules: [RuleIDs.ignoreOutput], differences: [] };
  }
  const user = compileSanitizers(options.sanitizers ?? []);
  const text = textRules(user);
  const compareImages = cachedImages(options.compareImages ?? DEFAULT_IMAGES);
  const allRules = [
    ...SHAPE_RULES,
    ...text.map(rule => rule.name),
    RuleIDs.floatTolerance,
    RuleIDs.imagePixels
  ];
  const run = (off: ReadonlySet<string>) =>
    diff(saved, fresh, {
      enabled: rule => !off.has(rule),
      skipMimes: new Set(options.skipMimes ?? []),
      text: text.filter(rule => !off.has(rule.name)),
      relativeTolerance:
        options.relativeTolerance ?? DEFAULT_RELATIVE_TOLERANCE,
      absoluteTolerance: options.absoluteTolerance ?? 0,
      compareImages
    });

  const disabled = new Set(options.disabledRules ?? []);
  const full = await run(disabled);
  // Turn the rules that changed something off one at a time, keeping off
  // those the result does not need: what stays on is a minimal set that
  // explains it. User sanitizers are tried last, so when one of them and a
  // default rule would each do, the user's is named.
  const isUser = (rule: string) => rule.startsWith(RuleIDs.userPrefix);
  const candidates = allRules.filter(rule => full.fired.has(rule));
  const off = new Set(disabled);
  for (const rule of [
    ...candidates.filter(rule => !isUser(rule)),
    ...candidates.filter(isUser)
  ]) {
    off.add(rule);
    const without = await run(off);
    if (without.differences.length > full.differences.length) {
      off.delete(rule);
    }
  }
  return {
    equal: full.differences.length === 0,
    rules: candidates.filter(rule => !off.has(rule)),
    differences: full.differences
  };
}

interface IDiffConfig {
  enabled: (rule: string) => boolean;
  skipMimes: ReadonlySet<string>;
  text: readonly ITextRule[];
  relativeTolerance: number;
  absoluteTolerance: number;
  compareImages: (
    saved: string,
    fresh: string,
    mime: string
  ) => Promise<boolean>;
}

async function diff(
  savedOutputs: readonly IOutput[],
  freshOutputs: readonly IOutput[],
  config: IDiffConfig
): Promise<{ differences: IOutputDifference[]; fired: Set<string> }> {
  const fired = new Set<string>();
  const canonical = (outputs: readonly IOutput[]) =>
    canonicalOutputs(outputs, config.enabled, fired, config.skipMimes);
  const saved = canonical(savedOutputs);
  const fresh = canonical(freshOutputs);
  const differences: IOutputDifference[] = [];
  for (let index = 0; index < Math.max(saved.length, fresh.length); index++) {
    const a: ICanonicalOutput | undefined = saved[index];
    const b: ICanonicalOutput | undefined = fresh[index];
    const at = {
      index,
      savedIndex: a ? a.rawIndex : null,
      freshIndex: b ? b.rawIndex : null
    };
    if (!a || !b) {
      differences.push({
        ...at,
        mime: null,
        kind: a ? 'missing-output' : 'extra-output',
        saved: a ? summary(a, config) : null,
        fresh: b ? summary(b, config) : null
      });
      continue;
    }
    if (a.type !== b.type) {
      differences.push({
        ...at,
        mime: null,
        kind: 'output-type',
        saved: a.type,
        fresh: b.type
      });
      continue;
    }
    for (const field of a.fields) {
      const other = b.fields.find(f => f.key === field.key);
      const difference = other
        ? await compareField(field, other, config, fired)
        : { kind: 'missing-mime' as const, saved: field.value, fresh: null };
      if (difference) {
        differences.push({ ...at, mime: mimeOf(field), ...difference });
      }
    }
    for (const field of b.fields) {
      if (!a.fields.some(f => f.key === field.key)) {
        differences.push({
          ...at,
          mime: mimeOf(field),
          kind: 'extra-mime',
          saved: null,
          fresh: field.value
        });
      }
    }
  }
  return { differences, fired };
}

async function compareField(
  a: ICanonicalField,
  b: ICanonicalField,
  config: IDiffConfig,
  fired: Set<string>
): Promise<Pick<IOutputDifference, 'kind' | 'saved' | 'fresh'> | null> {
  if (a.image) {
    if (a.value === b.value) {
      return null;
    }
    if (
      config.enabled(RuleIDs.imagePixels) &&
      (await config.compareImages(a.value, b.value, a.key))
    ) {
      fired.add(RuleIDs.imagePixels);
      return null;
    }
    return { kind: 'image', saved: a.value, fresh: b.value };
  }
  const saved = sanitize(a, config, fired);
  const fresh = sanitize(b, config, fired);
  if (saved === fresh) {
    return null;
  }
  const numbers = compareNumbers(saved, fresh, config);
  if (numbers === 'close' && config.enabled(RuleIDs.floatTolerance)) {
    fired.add(RuleIDs.floatTolerance);
    return null;
  }
  const kind: DifferenceKind =
    a.key === 'error'
      ? 'error'
      : a.key === 'traceback'
        ? 'traceback'
        : a.key === 'execution_count'
          ? 'execution-count'
          : numbers === 'different-text'
            ? 'text'
            : 'number';
  return { kind, saved, fresh };
}

function sanitize(
  field: ICanonicalField,
  config: IDiffConfig,
  fired: Set<string>
): string {
  const { text, fired: rules } = sanitizeText(
    field.value,
    config.text,
    field.stream
  );
  rules.forEach(rule => fired.add(rule));
  return text;
}

/** An output in a missing/extra difference: its first field, sanitized. */
function summary(output: ICanonicalOutput, config: IDiffConfig): string {
  const field = output.fields[0];
  if (!field) {
    return output.type;
  }
  return field.image ? field.value : sanitize(field, config, new Set());
}

function mimeOf(field: ICanonicalField): string | null {
  return field.key.includes('/') ? field.key : null;
}

/** Integers and decimals in text; signs belong to the number. */
const NUMBER = /[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?/g;

/**
 * Whether two texts differ only in floats within tolerance. Integers must be
 * equal (a count off by one is a real change); a float is a number written
 * with a point or an exponent.
 */
export function compareNumbers(
  a: string,
  b: string,
  tolerance: { relativeTolerance: number; absoluteTolerance: number }
): 'close' | 'different-numbers' | 'different-text' {
  const numbersA = a.match(NUMBER) ?? [];
  const numbersB = b.match(NUMBER) ?? [];
  if (
    numbersA.length !== numbersB.length ||
    a.replace(NUMBER, '#') !== b.replace(NUMBER, '#')
  ) {
    return 'different-text';
  }
  const close = numbersA.every((x, i) => {
    const y = numbersB[i];
    if (x === y) {
      return true;
    }
    if (!isFloat(x) || !isFloat(y)) {
      return false;
    }
    const u = Number(x);
    const v = Number(y);
    const bound = Math.max(
      tolerance.absoluteTolerance,
      tolerance.relativeTolerance * Math.max(Math.abs(u), Math.abs(v))
    );
    return Math.abs(u - v) <= bound;
  });
  return close ? 'close' : 'different-numbers';
}

function isFloat(token: string): boolean {
  return /[.eE]/.test(token);
}

function cachedImages(
  compare: ImageComparator
): (saved: string, fresh: string, mime: string) => Promise<boolean> {
  const cache = new Map<string, Promise<boolean>>();
  return (saved, fresh, mime) => {
    const key = `${mime}\n${saved}\n${fresh}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = Promise.resolve(compare(saved, fresh, mime));
      cache.set(key, answer);
    }
    return answer;
  };
}

export type CellStatus = 'passed' | 'output-changed' | 'failed' | 'skipped';

export interface ICellVerdict {
  status: CellStatus;
  /** One sentence for the report. */
  reason: string;
  /** Rules that made the outputs equal, or decided without comparing. */
  rules: string[];
  /** The output comparison, when one was made. */
  comparison: IOutputComparison | null;
}

/** The error the fresh execution ended with (from the execute reply). */
export interface IFreshError {
  ename: string;
  evalue: string;
}

export interface IClassifyOptions extends ICompareOptions {
  /** nbval's lax mode: only cells marked check-output are compared. */
  lax?: boolean;
}

/**
 * Judge one code cell of a validation run.
 *
 * An error fails the cell unless it is marked raises-exception; then the
 * outputs, error included, are compared like any others. A cell saved
 * without ever being executed has nothing to compare with and passes if it
 * ran (nbval does the same).
 */
export async function classifyCell(
  saved: Pick<ICodeCell, 'outputs' | 'execution_count'>,
  fresh: readonly IOutput[],
  freshError: IFreshError | null,
  markers: ICellMarkers,
  options: IClassifyOptions = {}
): Promise<ICellVerdict> {
  const decided = (
    status: CellStatus,
    reason: string,
    rules: string[] = []
  ): ICellVerdict => ({ status, reason, rules, comparison: null });

  if (markers.skip.value) {
    return decided('skipped', `skipped: ${origin(markers.skip)}`);
  }
  const expected = markers.raisesException;
  if (freshError && !expected.value) {
    return decided('failed', `${freshError.ename}: ${freshError.evalue}`);
  }
  if (markers.ignoreOutput.value) {
    return decided(
      'passed',
      `output not compared: ${origin(markers.ignoreOutput)}`,
      [RuleIDs.ignoreOutput]
    );
  }
  if (options.lax && !markers.checkOutput.value) {
    return decided('passed', 'ran; lax mode compares marked cells only', [
      RuleIDs.laxMode
    ]);
  }
  const savedOutputs = saved.outputs ?? [];
  if (saved.execution_count === null && savedOutputs.length === 0) {
    return decided('passed', 'ran; no saved outputs (never executed)', [
      RuleIDs.unexecutedCell
    ]);
  }
  const comparison = await compareOutputs(savedOutputs, fresh, options);
  const allowed = freshError
    ? ` (${freshError.ename} expected: ${origin(expected)})`
    : '';
  if (comparison.equal) {
    return {
      status: 'passed',
      reason:
        (comparison.rules.length > 0
          ? `outputs equal after ${comparison.rules.join(', ')}`
          : 'outputs equal') + allowed,
      rules: comparison.rules,
      comparison
    };
  }
  const missingError =
    expected.value && !freshError
      ? `; no exception although ${origin(expected)}`
      : '';
  const count = comparison.differences.length;
  return {
    status: 'output-changed',
    reason: `${count} output difference${count === 1 ? '' : 's'}${allowed}${missingError}`,
    rules: comparison.rules,
    comparison
  };
}

/** How a marker reads in a reason; markers built by a caller may have no origin. */
function origin(marker: IMarker): string {
  return marker.from ? describeOrigin(marker.from) : 'marked';
}
