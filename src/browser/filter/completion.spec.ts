import {
  Completion,
  CompletionContext,
  CompletionResult
} from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';

import { ApiError } from '../../rest';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import { FilterCompletion } from './completion';

/** A completion context with the cursor at `|`. */
function contextAt(marked: string, explicit = false): CompletionContext {
  const pos = marked.indexOf('|');
  const state = EditorState.create({ doc: marked.replace('|', '') });
  return new CompletionContext(state, pos, explicit);
}

const labels = (result: CompletionResult | null) =>
  result?.options.map(o => o.label) ?? [];

/** What accepting an option inserts. */
const inserted = (option: Completion) =>
  typeof option.apply === 'string' ? option.apply : option.label;

/** Abort a running query, as CodeMirror does when typing goes on. */
const abort = (context: CompletionContext) => {
  (context as any).abortListeners = null;
};

describe('FilterCompletion', () => {
  let client: FakeExperimentsClient;
  let completion: FilterCompletion;

  beforeEach(() => {
    client = new FakeExperimentsClient();
    client.query.storeKeys = {
      params: ['lr', 'model.depth'],
      metrics: ['acc'],
      tags: ['best'],
      env: ['numpy']
    };
    client.query.storeValues.set('params.opt', ['adam', 'adagrad', "it's"]);
    client.query.storeValues.set('params.lr', [0.1, 0.01]);
    completion = new FilterCompletion(client.query, { debounce: 20 });
  });

  it('offers identifiers from the store keys, quoted where needed', async () => {
    const result = await completion.source(contextAt('par|'));
    expect(result!.from).toBe(0);
    expect(labels(result)).toEqual(
      expect.arrayContaining([
        'name',
        'status',
        'started',
        'params.lr',
        'params.`model.depth`',
        'metrics.acc',
        'tags.best',
        'env.numpy',
        'NOT'
      ])
    );
    const lr = result!.options.find(o => o.label === 'params.lr')!;
    expect(inserted(lr)).toBe('params.lr ');
    expect(lr.detail).toBe('param');
  });

  it("offers a metric's summaries once its identifier and a dot are typed", async () => {
    const first = await completion.source(contextAt('metrics.|'));
    expect(labels(first)).not.toContain('metrics.acc.max');
    const validFor = first!.validFor as (text: string) => boolean;
    expect(validFor('metrics.ac')).toBe(true);
    expect(validFor('metrics.acc.')).toBe(false);

    const summaries = await completion.source(contextAt('metrics.acc.m|'));
    expect(labels(summaries)).toEqual(
      expect.arrayContaining([
        'metrics.acc.last',
        'metrics.acc.min',
        'metrics.acc.max',
        'metrics.acc.count'
      ])
    );
    expect(labels(summaries)).not.toContain('params.lr');
  });

  it('fetches the keys once, and again when refreshed', async () => {
    await completion.source(contextAt('|'));
    await completion.source(contextAt('a = 1 AND |'));
    expect(client.callsTo('query.keys')).toHaveLength(1);

    client.query.storeKeys.params.push('momentum');
    completion.keys.refresh();
    await new Promise(resolve => setTimeout(resolve, 0));
    const result = await completion.source(contextAt('|'));

    expect(client.callsTo('query.keys')).toHaveLength(2);
    expect(labels(result)).toContain('params.momentum');
  });

  it('still offers attributes when the keys cannot be fetched', async () => {
    client.failNext('query.keys', new ApiError(500, 'database is locked'));
    const result = await completion.source(contextAt('|'));
    expect(labels(result)).toContain('status');
    // Asked again next time.
    await completion.source(contextAt('|'));
    expect(client.callsTo('query.keys')).toHaveLength(2);
  });

  it('offers operators after an identifier and connectives after a value', async () => {
    expect(labels(await completion.source(contextAt('params.lr |')))).toEqual(
      expect.arrayContaining(['=', '>=', 'IN', 'NOT IN', 'LIKE', 'IS NULL'])
    );
    const inOp = (await completion.source(
      contextAt('params.lr |')
    ))!.options.find(o => o.label === 'IN')!;
    expect(inserted(inOp)).toBe('IN (');
    expect(labels(await completion.source(contextAt('lr = 1 |')))).toEqual([
      'AND',
      'OR'
    ]);
    expect(client.calls).toEqual([]);
  });

  it("asks for the identifier's values with what is typed", async () => {
    const result = await completion.source(contextAt("params.opt = 'ad|"));
    expect(client.callsTo('query.values')).toEqual([['params.opt', 'ad', 20]]);
    expect(result!.from).toBe(13);
    expect(labels(result)).toEqual(["'adam'", "'adagrad'"]);

    const unquoted = await completion.source(contextAt('params.opt = |'));
    const quoted = unquoted!.options.map(inserted);
    expect(quoted).toEqual(["'adam'", "'adagrad'", "'it''s'"]);
    expect(labels(unquoted)).toEqual(['adam', 'adagrad', "it's"]);

    const numbers = await completion.source(contextAt('params.lr > |'));
    expect(labels(numbers)).toEqual(['0.1', '0.01']);
  });

  it('asks once typing pauses, not at each keystroke', async () => {
    const first = contextAt("params.opt = 'a|");
    const pending = completion.source(first);
    abort(first);
    const second = completion.source(contextAt("params.opt = 'ad|"));

    expect(await pending).toBeNull();
    expect(labels(await second)).toEqual(["'adam'", "'adagrad'"]);
    expect(client.callsTo('query.values')).toEqual([['params.opt', 'ad', 20]]);
  });

  it('filters a complete answer locally and remembers answers', async () => {
    const result = await completion.source(contextAt("params.opt = 'a|"));
    const validFor = result!.validFor as (text: string) => boolean;
    expect(validFor("'ada")).toBe(true);
    expect(validFor("'b")).toBe(false);

    await completion.source(contextAt("params.opt = 'a|"));
    expect(client.callsTo('query.values')).toHaveLength(1);
  });

  it('asks again for a longer prefix when an answer was cut at the limit', async () => {
    completion = new FilterCompletion(client.query, {
      debounce: 0,
      valueLimit: 2
    });
    const result = await completion.source(contextAt("params.opt = 'a|"));
    expect(result!.validFor).toBeUndefined();
  });

  it('offers relative times and booleans without asking', async () => {
    expect(labels(await completion.source(contextAt('started > |')))).toEqual([
      '-1h',
      '-1d',
      '-7d',
      '-30d'
    ]);
    expect(labels(await completion.source(contextAt('starred = |')))).toEqual([
      'true',
      'false'
    ]);
    expect(client.callsTo('query.values')).toEqual([]);
  });

  it('asks nothing for a name the grammar does not know', async () => {
    expect(await completion.source(contextAt('foo = |'))).toBeNull();
    expect(client.callsTo('query.values')).toEqual([]);
  });

  it('offers nothing when the server refuses', async () => {
    client.failNext('query.values', new ApiError(400, 'unknown identifier'));
    expect(await completion.source(contextAt('params.opt = |'))).toBeNull();
    // A failure is not remembered.
    expect(
      labels(await completion.source(contextAt('params.opt = |')))
    ).toHaveLength(3);
  });
});
