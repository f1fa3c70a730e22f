/**
 * Which failures of a validation run are consequences of an earlier one.
 * Pure.
 *
 * The common cascade: a cell fails before assigning `df`, and every later cell
 * using `df` fails with `NameError: name 'df' is not defined`. The report
 * should point at the first cell, not at the twenty after it.
 */
import type { FailureRole } from './types';

export type { FailureRole };

export type OutcomeStatus =
  'passed' | 'output-changed' | 'failed' | 'skipped' | 'not-run';

/** One code cell of a run, in notebook order. */
export interface ICellOutcome {
  status: OutcomeStatus;
  /** Position in the notebook, for messages (cells are numbered from 1); default: this outcome's index. */
  position?: number;
  source: string;
  errorName?: string | null;
  errorValue?: string | null;
}

/** One failed cell, and what it follows from. */
export interface IFailureAttribution {
  cellIndex: number;
  /**
   * `root-cause`: the first failure not explained by an earlier cell;
   * `consequence`: explained by one; `independent`: a later, unrelated failure.
   */
  role: FailureRole;
  /** The cell that should have defined the missing name. */
  causeIndex: number | null;
  /** Where the chain of consequences starts. */
  rootCauseIndex: number | null;
  /** The name that was not defined. */
  name: string | null;
  message: string;
}

/**
 * Attribute each failed cell (outcomes in notebook order).
 *
 * A failure is a consequence when it is a NameError for a name that an
 * earlier cell assigns, that cell failed, was skipped or was not reached, and
 * no earlier cell that ran without error assigns it.
 */
export function attributeFailures(
  outcomes: readonly ICellOutcome[]
): IFailureAttribution[] {
  const names = new Map<number, Set<string>>();
  const defines = (index: number, name: string) => {
    if (!names.has(index)) {
      names.set(index, definedNames(outcomes[index].source));
    }
    return names.get(index)!.has(name);
  };
  const byCell = new Map<number, IFailureAttribution>();
  let rootFound = false;

  outcomes.forEach((outcome, cellIndex) => {
    if (outcome.status !== 'failed') {
      return;
    }
    const name = undefinedName(outcome.errorName, outcome.errorValue);
    const cause = name === null ? null : missedDefinition(cellIndex, name);
    let attribution: IFailureAttribution;
    if (cause !== null) {
      const upstream = byCell.get(cause);
      attribution = {
        cellIndex,
        role: 'consequence',
        causeIndex: cause,
        rootCauseIndex:
          upstream?.role === 'consequence' ? upstream.rootCauseIndex : cause,
        name,
        message:
          `${outcome.errorName}: '${name}' is assigned in cell ` +
          `${(outcomes[cause].position ?? cause) + 1}, ` +
          `which ${HOW[outcomes[cause].status]}.`
      };
    } else {
      const role: FailureRole = rootFound ? 'independent' : 'root-cause';
      rootFound = true;
      attribution = {
        cellIndex,
        role,
        causeIndex: null,
        rootCauseIndex: role === 'root-cause' ? cellIndex : null,
        name,
        message:
          role === 'root-cause'
            ? 'First failure of the run.'
            : 'Failure not explained by an earlier one.'
      };
    }
    byCell.set(cellIndex, attribution);
  });
  return Array.from(byCell.values());

  function missedDefinition(before: number, name: string): number | null {
    let cause: number | null = null;
    for (let j = before - 1; j >= 0; j--) {
      if (!defines(j, name)) {
        continue;
      }
      const status = outcomes[j].status;
      if (status === 'passed' || status === 'output-changed') {
        return null;
      }
      cause = cause ?? j;
    }
    return cause;
  }
}

const HOW: { [status in OutcomeStatus]: string } = {
  passed: 'ran',
  'output-changed': 'ran',
  failed: 'failed',
  skipped: 'was skipped',
  'not-run': 'was not reached'
};

/** The name in `NameError: name 'x' is not defined`, if that is the error. */
export function undefinedName(
  errorName: string | null | undefined,
  errorValue: string | null | undefined
): string | null {
  if (errorName !== 'NameError' || !errorValue) {
    return null;
  }
  const match = /name '([^']+)' is not defined/.exec(errorValue);
  return match ? match[1] : null;
}

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del ' +
    'elif else except finally for from global if import in is lambda ' +
    'nonlocal not or pass raise return try while with yield'
  ).split(' ')
);

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Names a cell's code binds at module level, read without a Python parser:
 * `x = ...`, `x: T = ...`, `a, (b, *c) = ...`, `x := ...`, `def x`, `class x`,
 * `import x`, `import a.b as x`, `from m import x as y`, `for x in`,
 * `with ... as x`, and `%%capture x`. Bodies of functions and classes are
 * local and are skipped; strings and comments are ignored.
 */
export function definedNames(source: string): Set<string> {
  const found = new Set<string>();
  const firstLine = source.trimStart().split('\n', 1)[0];
  if (firstLine.startsWith('%%')) {
    const capture = /^%%capture(?:\s+--?\w+)*\s+([\p{L}_][\p{L}\p{N}_]*)/u.exec(
      firstLine
    );
    if (capture) {
      found.add(capture[1]);
    }
    // Other cell magics (%%bash, %%html...) are not Python.
    if (!/^%%(?:time|timeit|capture|prun)\b/.test(firstLine)) {
      return found;
    }
  }
  let skipDeeperThan: number | null = null;
  for (const line of logicalLines(stripStringsAndComments(source))) {
    const indent = line.length - line.trimStart().length;
    const code = line.trim();
    if (!code || code.startsWith('%') || code.startsWith('!')) {
      continue;
    }
    if (skipDeeperThan !== null && indent > skipDeeperThan) {
      continue;
    }
    skipDeeperThan = null;
    for (const statement of splitTopLevel(code, ';')) {
      if (readStatement(statement.trim(), found)) {
        skipDeeperThan = indent;
      }
    }
  }
  return found;
}

/**
 * Add the names one statement binds; true when it opens a function or class
 * body, whose lines are local.
 */
function readStatement(statement: string, found: Set<string>): boolean {
  let match: RegExpExecArray | null;
  if ((match = /^(?:async\s+)?def\s+(\w+)/u.exec(statement))) {
    found.add(match[1]);
    return true;
  }
  if ((match = /^class\s+(\w+)/u.exec(statement))) {
    found.add(match[1]);
    return true;
  }
  if (statement.startsWith('@')) {
    return false;
  }
  if ((match = /^import\s+(.+)$/.exec(statement))) {
    for (const part of splitTopLevel(match[1], ',')) {
      const alias = /\sas\s+(\w+)\s*$/u.exec(part);
      addName(alias ? alias[1] : part.trim().split('.')[0], found);
    }
    return false;
  }
  if ((match = /^from\s+\S+\s+import\s+(.+)$/.exec(statement))) {
    const list = match[1].trim().replace(/^\(|\)$/g, '');
    for (const part of splitTopLevel(list, ',')) {
      const alias = /\sas\s+(\w+)\s*$/u.exec(part);
      addName(alias ? alias[1] : part.trim(), found);
    }
    return false;
  }
  const walrus = /([\p{L}_][\p{L}\p{N}_]*)\s*:=/gu;
  while ((match = walrus.exec(statement))) {
    addName(match[1], found);
  }
  const compound =
    /^(?:async\s+)?(for|with|if|elif|else|while|try|except|finally)\b/.exec(
      statement
    );
  if (compound) {
    const colon = indexAtTopLevel(statement, ':');
    const header = colon < 0 ? statement : statement.slice(0, colon);
    if (compound[1] === 'for') {
      const target = /^(?:async\s+)?for\s+(.+?)\s+in\s/.exec(header);
      if (target) {
        addTargets(target[1], found);
      }
    } else if (compound[1] === 'with') {
      const items = header.replace(/^(?:async\s+)?with\s+/, '');
      for (const item of splitTopLevel(items.replace(/^\(|\)$/g, ''), ',')) {
        const alias = /\sas\s+(.+)$/.exec(item);
        if (alias) {
          addTargets(alias[1], found);
        }
      }
    }
    const body = colon < 0 ? '' : statement.slice(colon + 1).trim();
    return body ? readStatement(body, found) : false;
  }
  const parts = splitAssignment(statement);
  for (const target of parts.slice(0, -1)) {
    const annotated = indexAtTopLevel(target, ':');
    addTargets(annotated < 0 ? target : target.slice(0, annotated), found);
  }
  return false;
}

/** Names in an assignment target: `a`, `a, b`, `(a, [b, *c])`. */
function addTargets(target: string, found: Set<string>): void {
  for (let part of splitTopLevel(target, ',')) {
    part = part.trim().replace(/^\*/, '');
    if (/^[([].*[)\]]$/.test(part)) {
      addTargets(part.slice(1, -1), found);
    } else {
      addName(part, found);
    }
  }
}

function addName(name: string, found: Set<string>): void {
  name = name.trim();
  if (IDENTIFIER.test(name) && !KEYWORDS.has(name)) {
    found.add(name);
  }
}

/** Split at `=` signs that assign (not `==`, `<=`, `+=`, or inside brackets). */
function splitAssignment(statement: string): string[] {
  return splitTopLevel(
    statement,
    i =>
      statement[i] === '=' &&
      statement[i + 1] !== '=' &&
      !'=<>!:+-*/%&|^@~'.includes(statement[i - 1] ?? '')
  );
}

/** Split where `isSeparator` holds (a character, or a test of a position) outside brackets. */
function splitTopLevel(
  text: string,
  isSeparator: string | ((index: number) => boolean)
): string[] {
  const separates =
    typeof isSeparator === 'string'
      ? (i: number) => text[i] === isSeparator
      : isSeparator;
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if ('([{'.includes(char)) {
      depth++;
    } else if (')]}'.includes(char)) {
      depth--;
    } else if (depth === 0 && separates(i)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Where `wanted` first stands outside brackets; -1 if it does not. */
function indexAtTopLevel(text: string, wanted: string): number {
  const [head, ...rest] = splitTopLevel(text, wanted);
  return rest.length ? head.length : -1;
}

/**
 * The source with every string literal emptied (`''`) and comments removed,
 * so a `#` or `=` inside a string cannot be mistaken for code.
 */
function stripStringsAndComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === '#') {
      while (i < source.length && source[i] !== '\n') {
        i++;
      }
    } else if (char === '"' || char === "'") {
      const quote = source.startsWith(char.repeat(3), i)
        ? char.repeat(3)
        : char;
      i += quote.length;
      while (i < source.length && !source.startsWith(quote, i)) {
        if (source[i] === '\\') {
          i++;
        } else if (quote.length === 1 && source[i] === '\n') {
          break;
        }
        i++;
      }
      i += quote.length;
      out += "''";
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

/** Physical lines joined where brackets are open or a line ends with `\`. */
function logicalLines(code: string): string[] {
  const lines: string[] = [];
  let current = '';
  let depth = 0;
  for (const physical of code.split('\n')) {
    for (const char of physical) {
      if ('([{'.includes(char)) {
        depth++;
      } else if (')]}'.includes(char)) {
        depth = Math.max(0, depth - 1);
      }
    }
    if (physical.endsWith('\\')) {
      current += physical.slice(0, -1) + ' ';
    } else if (depth > 0) {
      current += physical + ' ';
    } else {
      lines.push(current + physical);
      current = '';
    }
  }
  if (current) {
    lines.push(current);
  }
  return lines;
}
