/**
 * The filter grammar's tokens, for highlighting and completion in the filter
 * box. Pure and lenient: it never throws, every character belongs to a token
 * (unknown ones to `error` tokens), and it only classifies; the server's
 * parser decides what a filter means and reports errors with their position.
 *
 * It is the only work the box does per keystroke, so it is one linear pass.
 */

export type TokenType =
  /** Blanks between tokens. */
  | 'space'
  /** AND OR NOT IN IS NULL LIKE ILIKE BETWEEN, any case. */
  | 'keyword'
  /** `params.lr`, `metrics.acc.max`, `tags."a b"`, `status`… */
  | 'identifier'
  /** `'adam'` or `"adam"`. */
  | 'string'
  | 'number'
  /** A relative time (`-7d`, `-2h`) or an ISO date (`2024-05-01`). */
  | 'time'
  /** `true` or `false`. */
  | 'literal'
  /** = != <> < <= > >= == */
  | 'operator'
  | 'open'
  | 'close'
  | 'comma'
  /** A bare word that is neither a keyword nor a known name. */
  | 'word'
  /** A character the grammar has no use for. */
  | 'error';

export interface IToken {
  type: TokenType;
  /** Offsets into the text, `to` exclusive. */
  from: number;
  to: number;
  text: string;
  /** A string or quoted key that the text ends inside. */
  unterminated?: boolean;
}

export const KEYWORDS: readonly string[] = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'ILIKE',
  'BETWEEN'
];

/** Prefixes of dotted identifiers, MLflow's spellings included. */
export const PREFIXES: { [prefix: string]: string } = {
  params: 'params',
  param: 'params',
  parameter: 'params',
  parameters: 'params',
  metrics: 'metrics',
  metric: 'metrics',
  tags: 'tags',
  tag: 'tags',
  env: 'env',
  data: 'data',
  dataset: 'data',
  datasets: 'data',
  attributes: 'attributes',
  attribute: 'attributes',
  attr: 'attributes',
  run: 'attributes'
};

/** The run's own fields, and MLflow's names for some of them. */
export const ATTRIBUTE_NAMES: readonly string[] = [
  'id',
  'name',
  'notebook',
  'kind',
  'status',
  'user',
  'started',
  'ended',
  'duration',
  'starred',
  'archived',
  'verdict',
  'run_id',
  'run_name',
  'start_time',
  'end_time'
];

const KEYWORD_SET = new Set(KEYWORDS);
const ATTRIBUTE_SET = new Set(ATTRIBUTE_NAMES);

const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const SPACE = /\s/;

const OPERATORS = ['!=', '<>', '<=', '>=', '==', '=', '<', '>'];

// Anchored with the sticky flag: each is tried at one offset only.
const RELATIVE_TIME = /[-+]?\d+(?:\.\d+)?[smhdw](?![A-Za-z0-9_])/y;
const ISO_DATE =
  /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![A-Za-z0-9_])/y;
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;

/** Every token of the text, spaces included, in order. */
export function tokenize(text: string): IToken[] {
  const tokens: IToken[] = [];
  let pos = 0;
  while (pos < text.length) {
    const token = readToken(text, pos);
    tokens.push(token);
    pos = token.to;
  }
  return tokens;
}

/** The one token that starts at `pos` (which is before the end). */
export function readToken(text: string, pos: number): IToken {
  const make = (type: TokenType, to: number, unterminated = false): IToken => ({
    type,
    from: pos,
    to,
    text: text.slice(pos, to),
    ...(unterminated ? { unterminated } : {})
  });
  const c = text[pos];

  if (SPACE.test(c)) {
    let end = pos + 1;
    while (end < text.length && SPACE.test(text[end])) {
      end++;
    }
    return make('space', end);
  }
  if (c === "'" || c === '"') {
    const end = quotedEnd(text, pos);
    return make('string', end.to, end.unterminated);
  }
  if (c === '(') {
    return make('open', pos + 1);
  }
  if (c === ')') {
    return make('close', pos + 1);
  }
  if (c === ',') {
    return make('comma', pos + 1);
  }
  for (const op of OPERATORS) {
    if (text.startsWith(op, pos)) {
      return make('operator', pos + op.length);
    }
  }
  for (const [pattern, type] of [
    [ISO_DATE, 'time'],
    [RELATIVE_TIME, 'time'],
    [NUMBER, 'number']
  ] as const) {
    pattern.lastIndex = pos;
    const match = pattern.exec(text);
    if (match) {
      return make(type, pos + match[0].length);
    }
  }
  if (WORD_START.test(c)) {
    return readName(text, pos, make);
  }
  if (c === '`') {
    // A quoted key with no prefix: not an identifier the grammar knows.
    const end = quotedEnd(text, pos);
    return make('word', end.to, end.unterminated);
  }
  return make('error', pos + 1);
}

/** A word, a keyword, or a dotted identifier with plain or quoted segments. */
function readName(
  text: string,
  pos: number,
  make: (type: TokenType, to: number, unterminated?: boolean) => IToken
): IToken {
  let end = pos + 1;
  while (end < text.length && WORD_CHAR.test(text[end])) {
    end++;
  }
  const head = text.slice(pos, end);
  if (text[end] !== '.') {
    const upper = head.toUpperCase();
    if (KEYWORD_SET.has(upper)) {
      return make('keyword', end);
    }
    if (upper === 'TRUE' || upper === 'FALSE') {
      return make('literal', end);
    }
    return make(
      ATTRIBUTE_SET.has(head.toLowerCase()) ? 'identifier' : 'word',
      end
    );
  }
  // Segments after dots; a trailing dot stays in the token (being typed).
  let unterminated = false;
  while (text[end] === '.' && !unterminated) {
    end++;
    const c = text[end];
    if (c === '`' || c === '"') {
      const quoted = quotedEnd(text, end);
      end = quoted.to;
      unterminated = quoted.unterminated;
    } else {
      while (end < text.length && WORD_CHAR.test(text[end])) {
        end++;
      }
    }
  }
  const type = head.toLowerCase() in PREFIXES ? 'identifier' : 'word';
  return make(type, end, unterminated);
}

/** Where a quoted run starting at `pos` ends; a doubled quote is escaped. */
function quotedEnd(
  text: string,
  pos: number
): { to: number; unterminated: boolean } {
  const quote = text[pos];
  let i = pos + 1;
  while (i < text.length) {
    if (text[i] === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return { to: i + 1, unterminated: false };
    }
    i++;
  }
  return { to: text.length, unterminated: true };
}

/** A string token's content: quotes off, escapes resolved. */
export function unquote(token: string): string {
  const quote = token[0];
  if (quote !== "'" && quote !== '"' && quote !== '`') {
    return token;
  }
  const closed = token.length > 1 && token.endsWith(quote);
  const body = token.slice(1, closed ? -1 : undefined);
  let value = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && quote !== '`' && i + 1 < body.length) {
      value += body[++i];
    } else if (body[i] === quote && body[i + 1] === quote) {
      value += quote;
      i++;
    } else {
      value += body[i];
    }
  }
  return value;
}

export { quoteString } from './literal';
