/**
 * What the filter box can complete at the cursor: an identifier, an
 * operator, a value of the identifier before it, or a connective. Pure: a
 * walk over the tokens before the cursor, forgiving like the tokenizer (a
 * token it does not expect restarts the walk where it can).
 */
import { IToken, tokenize, unquote } from './tokens';

export type Expectation =
  /** The start of a comparison: an identifier, NOT or `(`. */
  | 'identifier'
  /** After an identifier: a comparison operator (or AND/OR after a bare tag). */
  | 'operator'
  /** After NOT following an identifier: IN, LIKE, ILIKE, BETWEEN. */
  | 'negated'
  /** After IS: NULL or NOT NULL. */
  | 'null'
  /** A value of `identifier`. */
  | 'value'
  /** Between BETWEEN's two values. */
  | 'between-and'
  /** After a comparison: AND, OR. */
  | 'connective';

export interface ICompletionPoint {
  expect: Expectation;
  /** Where the text being completed starts (the cursor if nothing is typed). */
  from: number;
  /** What is typed between `from` and the cursor. */
  typed: string;
  /** The identifier a value is for (`expect: 'value'`), as typed. */
  identifier: string | null;
  /** The typed part of a value, quotes off. */
  prefix: string;
  /** The quote a value was started with. */
  quote: "'" | '"' | null;
}

/** Tokens a completion replaces when the cursor is at their end. */
const COMPLETABLE = new Set([
  'identifier',
  'word',
  'keyword',
  'literal',
  'string',
  'number',
  'time'
]);

const VALUE = new Set(['string', 'number', 'time', 'literal']);

type State =
  | 'start'
  | 'afterIdentifier'
  | 'negated'
  | 'is'
  | 'isNot'
  | 'value'
  | 'betweenLow'
  | 'betweenAnd'
  | 'inOpen'
  | 'inList'
  | 'inNext'
  | 'afterValue';

/** Where the cursor at `pos` is in `text`, or null if nothing completes there. */
export function completionPoint(
  text: string,
  pos: number
): ICompletionPoint | null {
  const before = text.slice(0, pos);
  const tokens = tokenize(before);
  let current: IToken | null = tokens[tokens.length - 1] ?? null;
  if (!current || !COMPLETABLE.has(current.type)) {
    current = null;
  }
  const from = current ? current.from : pos;
  const prior = tokens.filter(t => t.type !== 'space' && t.to <= from);

  let state: State = 'start';
  let identifier: string | null = null;
  for (const token of prior) {
    state = step(state, token);
    if (
      state === 'afterIdentifier' &&
      (token.type === 'identifier' || token.type === 'word')
    ) {
      identifier = token.text;
    }
  }

  const point = (expect: Expectation): ICompletionPoint => ({
    expect,
    from,
    typed: before.slice(from),
    identifier: null,
    prefix: '',
    quote: null
  });
  switch (state) {
    case 'start':
      return point('identifier');
    case 'afterIdentifier':
      return point('operator');
    case 'negated':
      return point('negated');
    case 'is':
    case 'isNot':
      return point('null');
    case 'value':
    case 'betweenLow':
    case 'inList': {
      const typed = before.slice(from);
      const quote = typed[0] === "'" || typed[0] === '"' ? typed[0] : null;
      return {
        ...point('value'),
        identifier,
        prefix: quote ? unquote(typed) : typed,
        quote
      };
    }
    case 'betweenAnd':
      return point('between-and');
    case 'afterValue':
      return point('connective');
    case 'inOpen':
    case 'inNext':
      // `(`, `,` or `)` comes next: nothing to offer.
      return null;
  }
}

/** The state after `token` in `state`. */
function step(state: State, token: IToken): State {
  const word = token.type === 'keyword' ? token.text.toUpperCase() : null;
  switch (state) {
    case 'start':
      if (token.type === 'identifier' || token.type === 'word') {
        return 'afterIdentifier';
      }
      // NOT, `(` and anything else: still the start of a comparison.
      return token.type === 'close' || VALUE.has(token.type)
        ? 'afterValue'
        : 'start';
    case 'afterIdentifier':
      if (token.type === 'operator' || word === 'LIKE' || word === 'ILIKE') {
        return 'value';
      }
      if (word === 'IN') {
        return 'inOpen';
      }
      if (word === 'NOT') {
        return 'negated';
      }
      if (word === 'IS') {
        return 'is';
      }
      return word === 'BETWEEN' ? 'betweenLow' : restart(token);
    case 'negated':
      if (word === 'IN') {
        return 'inOpen';
      }
      if (word === 'LIKE' || word === 'ILIKE') {
        return 'value';
      }
      return word === 'BETWEEN' ? 'betweenLow' : restart(token);
    case 'is':
      if (word === 'NOT') {
        return 'isNot';
      }
      return word === 'NULL' ? 'afterValue' : restart(token);
    case 'isNot':
      return word === 'NULL' ? 'afterValue' : restart(token);
    case 'value':
      return VALUE.has(token.type) ? 'afterValue' : restart(token);
    case 'betweenLow':
      return VALUE.has(token.type) ? 'betweenAnd' : restart(token);
    case 'betweenAnd':
      return word === 'AND' ? 'value' : restart(token);
    case 'inOpen':
      return token.type === 'open' ? 'inList' : restart(token);
    case 'inList':
      return VALUE.has(token.type) ? 'inNext' : restart(token);
    case 'inNext':
      if (token.type === 'comma') {
        return 'inList';
      }
      return token.type === 'close' ? 'afterValue' : restart(token);
    case 'afterValue':
      return restart(token);
  }
}

/** The state after a token that does not continue the comparison. */
function restart(token: IToken): State {
  const word = token.type === 'keyword' ? token.text.toUpperCase() : null;
  if (word === 'AND' || word === 'OR' || word === 'NOT') {
    return 'start';
  }
  if (token.type === 'open') {
    return 'start';
  }
  if (token.type === 'close' || VALUE.has(token.type) || word === 'NULL') {
    return 'afterValue';
  }
  if (token.type === 'identifier' || token.type === 'word') {
    return 'afterIdentifier';
  }
  return 'start';
}
