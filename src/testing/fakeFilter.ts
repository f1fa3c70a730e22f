/**
 * A small evaluator of the query grammar for the in-memory client: enough of
 * it (AND, OR, NOT, parentheses, comparisons, IN, IS NULL, LIKE, bare
 * `tags.x`) for specs to list, sort and group runs as the server would. The
 * server's grammar is the reference; a text this subset cannot read is a 400,
 * as a bad filter is on the server.
 */
import { columnValue, normalizeColumnId } from '../browser/columns';
import { ApiError } from '../rest';
import type { IAggregate, IRunGroup } from '../rest';
import type { IRunSummary } from '../tokens';

type Value = number | string | boolean | null;
type Predicate = (run: IRunSummary) => boolean;

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|(<=|>=|!=|=|<|>|\(|\)|,)|((?:[A-Za-z_][A-Za-z0-9_]*|`(?:[^`]|``)*`)(?:\.(?:[A-Za-z0-9_]+|`(?:[^`]|``)*`))*))/y;

interface IToken {
  kind: 'number' | 'string' | 'op' | 'word';
  text: string;
  value: Value;
}

function tokenize(text: string): IToken[] {
  const tokens: IToken[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) {
      break;
    }
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      throw new ApiError(400, `at ${at}: cannot read ${text.slice(at)}`);
    }
    if (m[1] !== undefined) {
      tokens.push({ kind: 'number', text: m[1], value: Number(m[1]) });
    } else if (m[2] !== undefined || m[3] !== undefined) {
      const raw = m[2] ?? m[3];
      const quote = m[2] !== undefined ? "'" : '"';
      const value = raw.split(quote + quote).join(quote);
      tokens.push({ kind: 'string', text: raw, value });
    } else if (m[4] !== undefined) {
      tokens.push({ kind: 'op', text: m[4], value: null });
    } else {
      tokens.push({ kind: 'word', text: m[5], value: null });
    }
  }
  return tokens;
}

class Parser {
  constructor(private _tokens: IToken[]) {}

  parse(): Predicate {
    const predicate = this._or();
    if (this._i < this._tokens.length) {
      this._fail('the end');
    }
    return predicate;
  }

  private _or(): Predicate {
    const parts = [this._and()];
    while (this._keyword('OR')) {
      parts.push(this._and());
    }
    return run => parts.some(p => p(run));
  }

  private _and(): Predicate {
    const parts = [this._not()];
    while (this._keyword('AND')) {
      parts.push(this._not());
    }
    return run => parts.every(p => p(run));
  }

  private _not(): Predicate {
    if (this._keyword('NOT')) {
      const inner = this._not();
      return run => !inner(run);
    }
    if (this._op('(')) {
      const inner = this._or();
      this._expectOp(')');
      return inner;
    }
    return this._comparison();
  }

  private _comparison(): Predicate {
    const token = this._tokens[this._i];
    if (!token || token.kind !== 'word') {
      this._fail('an identifier');
    }
    this._i++;
    const id = normalizeColumnId(token.text);
    if (!id) {
      throw new ApiError(400, `unknown identifier ${token.text}`);
    }
    const get = (run: IRunSummary) => columnValue(run, id);
    const next = this._tokens[this._i];
    if (next?.kind === 'op' && /^(=|!=|<|<=|>|>=)$/.test(next.text)) {
      this._i++;
      const value = this._value();
      return run => compare(get(run), next.text, value);
    }
    if (this._keyword('IS')) {
      const negate = this._keyword('NOT');
      if (!this._keyword('NULL')) {
        this._fail('NULL');
      }
      return run => (get(run) === null) !== negate;
    }
    const negate = this._keyword('NOT');
    if (this._keyword('IN')) {
      this._expectOp('(');
      const values = [this._value()];
      while (this._op(',')) {
        values.push(this._value());
      }
      this._expectOp(')');
      return run => {
        const value = get(run);
        return (
          value !== null && values.some(v => compare(value, '=', v)) !== negate
        );
      };
    }
    const ilike = this._keyword('ILIKE');
    if (ilike || this._keyword('LIKE')) {
      const pattern = this._value();
      const re = new RegExp(
        '^' +
          String(pattern)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/%/g, '.*')
            .replace(/_/g, '.') +
          '$',
        ilike ? 'i' : ''
      );
      return run => {
        const value = get(run);
        return value !== null && re.test(String(value)) !== negate;
      };
    }
    if (negate) {
      this._fail('IN or LIKE');
    }
    // A bare identifier: a tag that is set, a true attribute (`starred`).
    return run => {
      const value = get(run);
      return value !== null && value !== false;
    };
  }

  private _value(): Value {
    const token = this._tokens[this._i];
    if (token?.kind === 'number' || token?.kind === 'string') {
      this._i++;
      return token.value;
    }
    if (token?.kind === 'word' && /^(true|false)$/i.test(token.text)) {
      this._i++;
      return token.text.toLowerCase() === 'true';
    }
    return this._fail('a value');
  }

  private _keyword(word: string): boolean {
    const token = this._tokens[this._i];
    if (token?.kind === 'word' && token.text.toUpperCase() === word) {
      this._i++;
      return true;
    }
    return false;
  }

  private _op(op: string): boolean {
    const token = this._tokens[this._i];
    if (token?.kind === 'op' && token.text === op) {
      this._i++;
      return true;
    }
    return false;
  }

  private _expectOp(op: string): void {
    if (!this._op(op)) {
      this._fail(`'${op}'`);
    }
  }

  private _fail(expected: string): never {
    const found = this._tokens[this._i]?.text ?? 'the end';
    throw new ApiError(400, `expected ${expected}, found ${found}`);
  }

  private _i = 0;
}

function compare(left: Value, op: string, right: Value): boolean {
  if (left === null || right === null) {
    return false;
  }
  let a: number | string = left as number | string;
  let b: number | string = right as number | string;
  if (typeof left === 'boolean' || typeof right === 'boolean') {
    a = Number(left);
    b = Number(right);
  } else if (typeof left !== 'number' || typeof right !== 'number') {
    a = String(left);
    b = String(right);
  }
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** A filter's predicate; an empty filter keeps every run. */
export function parseFakeFilter(filter: string | undefined): Predicate {
  if (!filter || !filter.trim()) {
    return () => true;
  }
  return new Parser(tokenize(filter)).parse();
}

/** Whether a filter names an attribute (archived runs show only then). */
export function namesAttribute(filter: string | undefined, name: string) {
  return new RegExp(`(^|[^.\\w\`])${name}\\b`).test(filter ?? '');
}

/** A `metrics.acc DESC, params.lr` order as a comparison, nulls last. */
export function fakeOrder(
  orderBy: string | undefined
): (a: IRunSummary, b: IRunSummary) => number {
  const keys = (orderBy ?? '')
    .split(',')
    .map(part => part.trim())
    .filter(Boolean)
    .map(part => {
      const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(part)!;
      const id = normalizeColumnId(m[1]);
      if (!id) {
        throw new ApiError(400, `cannot sort by ${m[1]}`);
      }
      return { id, descending: (m[2] ?? '').toUpperCase() === 'DESC' };
    });
  keys.push({ id: 'started', descending: true });
  return (a, b) => {
    for (const { id, descending } of keys) {
      const x = columnValue(a, id);
      const y = columnValue(b, id);
      if (x === y) {
        continue;
      }
      if (x === null) {
        return 1;
      }
      if (y === null) {
        return -1;
      }
      const order = x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return 0;
  };
}

function aggregate(values: number[]): IAggregate {
  if (values.length === 0) {
    return { mean: null, std: null, min: null, max: null, count: 0 };
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance =
    values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    mean,
    std: Math.sqrt(variance),
    min: Math.min(...values),
    max: Math.max(...values),
    count: values.length
  };
}

/** Runs grouped by an identifier's value (nulls last) with aggregates. */
export function fakeGroups(
  runs: IRunSummary[],
  groupBy: string,
  columns: string[]
): IRunGroup[] {
  const id = normalizeColumnId(groupBy);
  if (!id) {
    throw new ApiError(400, `cannot group by ${groupBy}`);
  }
  const groups = new Map<Value, IRunSummary[]>();
  for (const run of runs) {
    const value = columnValue(run, id);
    groups.set(value, [...(groups.get(value) ?? []), run]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) =>
      a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1
    )
    .map(([value, members]) => ({
      value,
      count: members.length,
      aggregates: Object.fromEntries(
        columns.map(column => [
          column,
          aggregate(
            members
              .map(run => columnValue(run, column))
              .filter((v): v is number => typeof v === 'number')
          )
        ])
      )
    }));
}
