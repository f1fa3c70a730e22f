/**
 * Completion for the filter box (a `@codemirror/autocomplete` source):
 * identifiers from the store's keys (fetched once, refreshed when the box is
 * focused), operators and connectives, and values of the identifier being
 * compared, asked of the server after a pause in typing. Nothing here touches
 * the DOM; the specs drive it with an `EditorState`.
 */
import type {
  Completion,
  CompletionContext,
  CompletionResult
} from '@codemirror/autocomplete';

import type { IQueryClient, IStoreKeys } from '../../rest';
import { quoteKey } from '../columns';
import { completionPoint, ICompletionPoint } from './context';
import { quoteString, readToken } from './tokens';

/** The attributes offered (MLflow's aliases parse, but are not offered). */
const ATTRIBUTES: [string, string][] = [
  ['name', "the run's name"],
  ['notebook', "the notebook's path"],
  ['kind', 'notebook, script or validation'],
  ['status', 'running, finished, failed, interrupted'],
  ['user', 'who ran it'],
  ['started', 'start time'],
  ['ended', 'end time'],
  ['duration', 'seconds'],
  ['starred', 'true or false'],
  ['archived', 'true or false'],
  ['verdict', "a validation's verdict"],
  ['id', "the run's id"]
];

const TIME_ATTRIBUTES = new Set([
  'started',
  'ended',
  'start_time',
  'end_time',
  'attributes.start_time',
  'attributes.end_time'
]);

const BOOLEAN_ATTRIBUTES = new Set(['starred', 'archived']);

const RELATIVE_TIMES: [string, string][] = [
  ['-1h', 'an hour ago'],
  ['-1d', 'a day ago'],
  ['-7d', 'a week ago'],
  ['-30d', 'thirty days ago']
];

const METRIC_SUMMARIES = ['min', 'max', 'count'];

/** Operators after an identifier, with what they insert. */
const OPERATORS: Completion[] = [
  ...['=', '!=', '>', '>=', '<', '<='].map(op => ({
    label: op,
    apply: `${op} `,
    type: 'operator'
  })),
  { label: 'IN', apply: 'IN (', type: 'keyword', detail: '(a, b, …)' },
  { label: 'NOT IN', apply: 'NOT IN (', type: 'keyword' },
  { label: 'LIKE', apply: 'LIKE ', type: 'keyword', detail: "'a%'" },
  { label: 'ILIKE', apply: 'ILIKE ', type: 'keyword', detail: 'any case' },
  { label: 'BETWEEN', apply: 'BETWEEN ', type: 'keyword', detail: 'a AND b' },
  { label: 'IS NULL', apply: 'IS NULL ', type: 'keyword' },
  { label: 'IS NOT NULL', apply: 'IS NOT NULL ', type: 'keyword' }
];

const keyword = (label: string, detail?: string): Completion => ({
  label,
  apply: `${label} `,
  type: 'keyword',
  ...(detail ? { detail } : {})
});

const CONNECTIVES = [keyword('AND'), keyword('OR')];
const NEGATED = ['IN', 'LIKE', 'ILIKE', 'BETWEEN'].map(w =>
  w === 'IN' ? { ...keyword(w), apply: 'IN (' } : keyword(w)
);
const NULLS = [keyword('NULL'), keyword('NOT NULL')];

/** What a word being typed may contain: CodeMirror filters these itself. */
const WORD = /^[\w.`"]*$/;

/**
 * An identifier being typed stays filtered locally until a dot: then the
 * source is asked again (after `metrics.acc.` it offers `.min`, `.max`…,
 * which are not in the first list so that it stays short in large stores).
 */
const IDENTIFIER_WORD = (text: string) =>
  WORD.test(text) && !text.endsWith('.');

/** The store's keys, fetched once and refreshed on demand (one at a time). */
export class KeyCache {
  constructor(private _client: IQueryClient) {}

  /** Keys changed: a new fetch landed. */
  get version(): number {
    return this._version;
  }

  /** The keys, fetched at the first call. */
  get(): Promise<IStoreKeys> {
    if (!this._keys) {
      this._keys = this._fetch();
      // Failed: asked again at the next call.
      this._keys.catch(() => (this._keys = null));
    }
    return this._keys;
  }

  /**
   * Fetch again (the box got focus: runs may have logged new keys). The keys
   * already known answer until the new ones land; a failure keeps them.
   */
  refresh(): void {
    if (this._fetching) {
      return;
    }
    if (!this._keys) {
      void this.get().catch(() => undefined);
      return;
    }
    this._fetch()
      .then(keys => (this._keys = Promise.resolve(keys)))
      .catch(() => undefined);
  }

  private async _fetch(): Promise<IStoreKeys> {
    this._fetching = true;
    try {
      const keys = await this._client.keys();
      this._version++;
      return keys;
    } finally {
      this._fetching = false;
    }
  }

  private _keys: Promise<IStoreKeys> | null = null;
  private _fetching = false;
  private _version = 0;
}

export interface IFilterCompletionOptions {
  /** Milliseconds of no typing before values are asked for. */
  debounce?: number;
  /** Values asked for per request. */
  valueLimit?: number;
}

/** The filter box's completion source and the caches it keeps. */
export class FilterCompletion {
  constructor(
    private _client: IQueryClient,
    options: IFilterCompletionOptions = {}
  ) {
    this.keys = new KeyCache(_client);
    this._debounce = options.debounce ?? 200;
    this._valueLimit = options.valueLimit ?? 20;
  }

  readonly keys: KeyCache;

  /** A `CompletionSource`: bound, so it can be handed to `autocompletion`. */
  readonly source = async (
    context: CompletionContext
  ): Promise<CompletionResult | null> => {
    const text = context.state.sliceDoc(0, context.pos);
    const point = completionPoint(text, context.pos);
    if (!point) {
      return null;
    }
    const result = (options: Completion[]): CompletionResult | null =>
      options.length ? { from: point.from, options, validFor: WORD } : null;
    switch (point.expect) {
      case 'identifier': {
        const identifiers = await this._identifiers();
        const summaries = this._summaries(point.typed);
        return {
          from: point.from,
          options: [
            ...(summaries.length ? summaries : identifiers),
            keyword('NOT'),
            { label: '(', apply: '(', type: 'keyword' }
          ],
          validFor: IDENTIFIER_WORD
        };
      }
      case 'operator':
        return result([...OPERATORS, ...CONNECTIVES]);
      case 'negated':
        return result(NEGATED);
      case 'null':
        return result(NULLS);
      case 'between-and':
        return result([keyword('AND')]);
      case 'connective':
        return result(CONNECTIVES);
      case 'value':
        return this._values(context, point);
    }
  };

  private async _identifiers(): Promise<Completion[]> {
    let keys: IStoreKeys;
    try {
      keys = await this.keys.get();
    } catch {
      keys = { params: [], metrics: [], tags: [], env: [] };
    }
    if (this._identifierOptions?.version === this.keys.version) {
      return this._identifierOptions.options;
    }
    const options: Completion[] = ATTRIBUTES.map(([name, info]) => ({
      label: name,
      apply: `${name} `,
      type: 'property',
      detail: 'attribute',
      info,
      boost: 1
    }));
    const add = (
      prefix: string,
      list: string[],
      detail: string,
      type: string
    ) => {
      for (const key of list) {
        const id = `${prefix}.${quoteKey(key)}`;
        options.push({ label: id, apply: `${id} `, type, detail });
      }
    };
    add('params', keys.params, 'param', 'variable');
    add('metrics', keys.metrics, 'metric (last)', 'variable');
    add('tags', keys.tags, 'tag', 'type');
    add('env', keys.env, 'package version', 'namespace');
    this._identifierOptions = {
      version: this.keys.version,
      options,
      metrics: keys.metrics.map(key => `metrics.${quoteKey(key)}`)
    };
    return options;
  }

  /** `metrics.<key>.last`, `.min`… once `metrics.<key>.` is typed. */
  private _summaries(typed: string): Completion[] {
    const metric = typed.slice(0, typed.lastIndexOf('.'));
    if (!metric || !this._identifierOptions?.metrics.includes(metric)) {
      return [];
    }
    return ['last', ...METRIC_SUMMARIES].map(summary => ({
      label: `${metric}.${summary}`,
      apply: `${metric}.${summary} `,
      type: 'variable',
      detail: `metric (${summary})`
    }));
  }

  private async _values(
    context: CompletionContext,
    point: ICompletionPoint
  ): Promise<CompletionResult | null> {
    const identifier = point.identifier ?? '';
    const canonical = identifier.toLowerCase();
    const literal = (value: unknown): Completion | null => {
      if (typeof value === 'number' || typeof value === 'boolean') {
        return { label: String(value), type: 'constant' };
      }
      if (typeof value !== 'string') {
        return null;
      }
      const apply = quoteString(value, point.quote ?? "'");
      // Matched against what is typed: with its quote if one was typed.
      return { label: point.quote ? apply : value, apply, type: 'text' };
    };
    if (TIME_ATTRIBUTES.has(canonical)) {
      return {
        from: point.from,
        options: RELATIVE_TIMES.map(([label, detail]) => ({
          label,
          detail,
          type: 'constant'
        })),
        validFor: WORD
      };
    }
    if (BOOLEAN_ATTRIBUTES.has(canonical)) {
      return {
        from: point.from,
        options: ['true', 'false'].map(label => ({ label, type: 'constant' })),
        validFor: WORD
      };
    }
    // Only names the grammar knows: a word would earn a 400 per keystroke.
    const token = readToken(identifier, 0);
    if (token.type !== 'identifier' || token.to !== identifier.length) {
      return null;
    }
    // Typing goes on: ask once it pauses. An aborted query is superseded.
    if (this._debounce > 0) {
      await new Promise(resolve => setTimeout(resolve, this._debounce));
      if (context.aborted) {
        return null;
      }
    }
    let values: unknown[];
    try {
      values = await this._fetchValues(identifier, point.prefix);
    } catch {
      return null;
    }
    if (context.aborted) {
      return null;
    }
    const options = values
      .map(literal)
      .filter((o): o is Completion => o !== null);
    if (!options.length) {
      return null;
    }
    const typed = point.typed;
    return {
      from: point.from,
      options,
      // Fewer than asked for: every value with this prefix is here, so
      // longer prefixes filter locally instead of asking again.
      ...(values.length < this._valueLimit
        ? { validFor: (text: string) => text.startsWith(typed) }
        : {})
    };
  }

  private _fetchValues(identifier: string, prefix: string): Promise<unknown[]> {
    const cacheKey = `${identifier}\u0000${prefix}`;
    let values = this._valueCache.get(cacheKey);
    if (!values) {
      values = this._client.values(identifier, prefix, this._valueLimit);
      // A failure is not remembered.
      values.catch(() => this._valueCache.delete(cacheKey));
      this._valueCache.set(cacheKey, values);
      if (this._valueCache.size > 100) {
        const oldest = this._valueCache.keys().next().value as string;
        this._valueCache.delete(oldest);
      }
    }
    return values;
  }

  /** Forget cached values (the store changed). */
  clearValues(): void {
    this._valueCache.clear();
  }

  private _debounce: number;
  private _valueLimit: number;
  private _identifierOptions: {
    version: number;
    options: Completion[];
    /** Each metric's identifier, `metrics.<quoted key>`. */
    metrics: string[];
  } | null = null;
  private _valueCache = new Map<string, Promise<unknown[]>>();
}
