/**
 * Validation markers of a cell: the nbval tags and comments, and the nbclient
 * tags, read into one answer per question with where it came from. Pure.
 *
 * Precedence follows nbval, so a notebook validated there behaves the same
 * here: a comment beats a tag, and of two conflicting comments (or tags) the
 * later one wins. Ignoring and checking output are the two ends of one switch.
 */
import type { MultilineString } from '@jupyterlab/nbformat';

/** Where a marker was read: a cell tag, or a marker comment in the source. */
export interface IMarkerOrigin {
  kind: 'tag' | 'comment';
  /** The tag, or the comment's marker word (`NBVAL_SKIP`), as written. */
  marker: string;
  /** Line of a comment marker in the source, counted from 0. */
  line?: number;
}

export interface IMarker {
  value: boolean;
  /** The marker that decided the value; null when no marker did. */
  from: IMarkerOrigin | null;
}

export interface ICellMarkers {
  /** Do not execute the cell. */
  skip: IMarker;
  /** Execute the cell but do not compare its outputs. */
  ignoreOutput: IMarker;
  /** An error is expected: it does not fail the run. */
  raisesException: IMarker;
  /** Compare outputs even in lax mode, where unmarked cells only have to run. */
  checkOutput: IMarker;
  /** Markers that lost to another one, so the user can be told. */
  overridden: IMarkerOrigin[];
}

/** The parts of a cell that carry markers (an nbformat cell fits). */
export interface IMarkedCell {
  source: MultilineString;
  metadata?: { tags?: unknown };
}

type Question = 'skip' | 'output' | 'raisesException';

interface ISetting {
  question: Question;
  /** For `output`: true means check, false means ignore. */
  value: boolean;
}

const TAGS: { [tag: string]: ISetting } = {
  'nbval-skip': { question: 'skip', value: true },
  'skip-execution': { question: 'skip', value: true },
  'nbval-ignore-output': { question: 'output', value: false },
  'pytest-validate-ignore-output': { question: 'output', value: false },
  'nbval-check-output': { question: 'output', value: true },
  'nbval-raises-exception': { question: 'raisesException', value: true },
  'raises-exception': { question: 'raisesException', value: true }
};

const COMMENTS: { [word: string]: ISetting } = {
  NBVAL_SKIP: { question: 'skip', value: true },
  NBVAL_IGNORE_OUTPUT: { question: 'output', value: false },
  PYTEST_VALIDATE_IGNORE_OUTPUT: { question: 'output', value: false },
  NBVAL_CHECK_OUTPUT: { question: 'output', value: true },
  NBVAL_RAISES_EXCEPTION: { question: 'raisesException', value: true }
};

/**
 * Read a cell's markers.
 *
 * Comments are read from the cell's header only: the leading lines that are
 * blank, comments or magics (`%%time` must come first, so a marker may follow
 * it). A marker word further down, after the first line of code, is not a
 * marker (nbval reads every line; this keeps strings and commented-out code
 * in the body from changing how a cell is validated).
 */
export function readMarkers(cell: IMarkedCell): ICellMarkers {
  const decided = new Map<Question, { value: boolean; from: IMarkerOrigin }>();
  const overridden: IMarkerOrigin[] = [];
  const decide = (setting: ISetting, from: IMarkerOrigin) => {
    const previous = decided.get(setting.question);
    if (previous) {
      overridden.push(previous.from);
    }
    decided.set(setting.question, { value: setting.value, from });
  };

  const tags = cell.metadata?.tags;
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (typeof tag === 'string' && TAGS[tag]) {
        decide(TAGS[tag], { kind: 'tag', marker: tag });
      }
    }
  }
  for (const { word, line } of headerComments(cell.source)) {
    if (COMMENTS[word]) {
      decide(COMMENTS[word], { kind: 'comment', marker: word, line });
    }
  }

  const marker = (question: Question, wanted = true): IMarker => {
    const found = decided.get(question);
    return found && found.value === wanted
      ? { value: true, from: found.from }
      : { value: false, from: null };
  };
  return {
    skip: marker('skip'),
    ignoreOutput: marker('output', false),
    raisesException: marker('raisesException'),
    checkOutput: marker('output', true),
    overridden
  };
}

/** How a marker reads in a report: `tag nbval-skip`, `comment # NBVAL_SKIP`. */
export function describeOrigin(origin: IMarkerOrigin): string {
  return origin.kind === 'tag'
    ? `tag ${origin.marker}`
    : `comment # ${origin.marker}`;
}

/** The first word of each comment in the cell's header, with its line. */
function headerComments(
  source: MultilineString
): { word: string; line: number }[] {
  const text = Array.isArray(source) ? source.join('') : source;
  const found: { word: string; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('%') || line.startsWith('!')) {
      continue;
    }
    if (!line.startsWith('#')) {
      break;
    }
    const word = line.replace(/^#+/, '').trim().split(/\s/)[0];
    found.push({ word, line: i });
  }
  return found;
}
