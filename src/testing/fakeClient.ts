/**
 * An in-memory `IExperimentsClient` for specs: runs with their metric
 * series, checkpoint objects, refs and index, validations. Every call is
 * recorded; a method can be held (its calls wait until released) or made to
 * fail once, to reproduce a slow or refusing server.
 */
import { PromiseDelegate } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import { inflate } from 'pako';

import { ApiError, attachColumns } from '../rest';
import type {
  IBulkChange,
  IGroupQuery,
  IRunGroup,
  ICheckpointInfo,
  ICheckpointQuery,
  IExperimentsClient,
  IGitClient,
  IInfoClient,
  ILooseObject,
  INewRun,
  INewValidation,
  IRefUpdate,
  IRunChange,
  IRunColumns,
  IRunMetricSeries,
  IRunQuery,
  IRunsClient,
  IRunEvents,
  IRunsChanged,
  IQueryClient,
  ISavedView,
  IServerInfo,
  IStoreKeys,
  IValidationEnd,
  IValidationQuery,
  IValidationReport,
  IValidationsClient,
  IValidationSummary,
  ValidationExport,
  IViewsClient,
  RunsAction
} from '../rest';
import type { IMetricSeries, IRun, IRunSummary } from '../tokens';
import {
  fakeGroups,
  fakeOrder,
  namesAttribute,
  parseFakeFilter
} from './fakeFilter';

/** One call the client received: `runs.create`, `git.write`… */
export interface ICall {
  method: string;
  args: unknown[];
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Calls, holds and failures shared by the resources of one client. */
class Calls {
  readonly log: ICall[] = [];

  async enter(method: string, args: unknown[]): Promise<void> {
    this.log.push({ method, args });
    const hold = this.holds.get(method);
    if (hold) {
      await hold.promise;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      throw failure;
    }
  }

  holds = new Map<string, PromiseDelegate<void>>();
  failures = new Map<string, Error[]>();
}

class FakeInfo implements IInfoClient {
  constructor(private _calls: Calls) {}

  info: IServerInfo = { store_dir: '/store', version: '0.0.0' };

  async get(): Promise<IServerInfo> {
    await this._calls.enter('info.get', []);
    return { ...this.info };
  }
}

class FakeRuns implements IRunsClient {
  constructor(private _calls: Calls) {}

  readonly runs = new Map<string, IRun>();
  /** Series by run id, then metric key. */
  readonly series = new Map<string, Map<string, IMetricSeries>>();
  /** What `log` received, by run id. */
  readonly batches = new Map<string, unknown[]>();

  /** A run as the server would hold it, stored and returned. */
  add(run: Partial<IRun> & { id: string }): IRun {
    const full: IRun = {
      name: null,
      kind: 'notebook',
      status: 'running',
      notebook_path: null,
      notebook_id: null,
      kernel_name: null,
      user: null,
      start_time: this.runs.size,
      end_time: null,
      updated: 0,
      tags: {},
      notes: '',
      params: {},
      metrics: {},
      starred: false,
      archived: false,
      deleted: null,
      param_cells: {},
      images: [],
      data: [],
      environment: null,
      executions: [],
      ...run
    };
    this.runs.set(full.id, full);
    return full;
  }

  /** Points logged to a metric: its series and the run's summary of it. */
  logMetric(runId: string, key: string, values: number[]): void {
    const run = this.runs.get(runId)!;
    const series = this.series.get(runId) ?? new Map();
    this.series.set(runId, series);
    const previous = series.get(key)?.values ?? [];
    const all = [...previous, ...values];
    const steps = all.map((_, i) => i);
    series.set(key, {
      key,
      steps,
      values: all,
      timestamps: steps,
      count: all.length
    });
    run.metrics[key] = {
      last: all[all.length - 1],
      last_step: all.length - 1,
      min: Math.min(...all),
      min_step: null,
      max: Math.max(...all),
      max_step: null,
      count: all.length,
      cell_id: null
    };
  }

  async list(
    query: IRunQuery = {}
  ): Promise<{ runs: IRunSummary[]; total: number }> {
    await this._calls.enter('runs.list', [query]);
    const runs = this._matching(query.filter, query.trash)
      .filter(r => !query.notebook_id || r.notebook_id === query.notebook_id)
      .filter(r => !query.status || r.status === query.status)
      .sort(fakeOrder(query.order_by));
    const offset = query.offset ?? 0;
    const page = clone(runs.slice(offset, offset + (query.limit ?? 50)));
    if (query.summaries) {
      // As the server does: each metric keeps only the fields named.
      const fields = query.summaries;
      for (const run of page) {
        for (const key of Object.keys(run.metrics)) {
          const summary: any = run.metrics[key];
          run.metrics[key] = Object.fromEntries(
            fields.map(field => [field, summary[field]])
          ) as any;
        }
      }
    }
    if (query.layout === 'columns') {
      // As the server does: params and metrics column by column, null where absent.
      const columns: IRunColumns = { params: {}, metrics: {} };
      page.forEach((run, row) => {
        for (const [key, value] of Object.entries(run.params)) {
          (columns.params[key] ??= page.map(() => null))[row] = value;
        }
        for (const [key, summary] of Object.entries(run.metrics)) {
          const fields = (columns.metrics[key] ??= {});
          for (const [field, value] of Object.entries(summary)) {
            (fields[field] ??= page.map(() => null))[row] = value;
          }
        }
        delete (run as Partial<IRunSummary>).params;
        delete (run as Partial<IRunSummary>).metrics;
      });
      return { runs: attachColumns(page, columns), total: runs.length };
    }
    return { runs: page, total: runs.length };
  }

  async get(runId: string): Promise<IRun> {
    await this._calls.enter('runs.get', [runId]);
    const run = this.runs.get(runId);
    if (!run) {
      throw new ApiError(404, `No run ${runId}`);
    }
    return clone(run);
  }

  async create(run: INewRun): Promise<IRunSummary> {
    await this._calls.enter('runs.create', [run]);
    const id = run.run_id ?? `run${this.runs.size + 1}`;
    if (this.runs.has(id)) {
      throw new ApiError(409, `Run ${id} exists`);
    }
    return clone(
      this.add({
        id,
        name: run.name ?? null,
        kind: run.kind ?? 'notebook',
        notebook_path: run.notebook_path ?? null,
        notebook_id: run.notebook_id ?? null,
        kernel_name: run.kernel_name ?? null
      })
    );
  }

  async update(runId: string, change: IRunChange): Promise<IRunSummary> {
    await this._calls.enter('runs.update', [runId, change]);
    const run = this.runs.get(runId);
    if (!run) {
      throw new ApiError(404, `No run ${runId}`);
    }
    if (change.status) {
      run.status = change.status as IRun['status'];
    }
    if (change.name !== undefined) {
      run.name = change.name;
    }
    if (change.notes !== undefined) {
      run.notes = change.notes;
    }
    this._apply(run, change);
    run.updated += 1;
    return clone(run);
  }

  async groups(query: IGroupQuery): Promise<IRunGroup[]> {
    await this._calls.enter('runs.groups', [query]);
    return fakeGroups(
      this._matching(query.filter, false),
      query.group_by,
      query.columns ?? []
    );
  }

  async bulk(ids: string[], change: IBulkChange): Promise<IRunSummary[]> {
    await this._calls.enter('runs.bulk', [ids, change]);
    const runs = ids.map(id => {
      const run = this.runs.get(id);
      if (!run || run.deleted !== null) {
        throw new ApiError(404, `No run ${id}`);
      }
      return run;
    });
    for (const run of runs) {
      this._apply(run, change);
      run.updated += 1;
    }
    return clone(runs);
  }

  async remove(runId: string): Promise<void> {
    await this._calls.enter('runs.remove', [runId]);
    const run = this.runs.get(runId);
    if (!run || run.deleted !== null) {
      throw new ApiError(404, `No run ${runId}`);
    }
    run.deleted = 1000 + run.updated;
  }

  async restore(runId: string): Promise<IRunSummary> {
    await this._calls.enter('runs.restore', [runId]);
    const run = this.runs.get(runId);
    if (!run || run.deleted === null) {
      throw new ApiError(404, `No run ${runId} in the trash`);
    }
    run.deleted = null;
    return clone(run);
  }

  async purge(runId: string): Promise<void> {
    await this._calls.enter('runs.purge', [runId]);
    if (!this.runs.delete(runId)) {
      throw new ApiError(404, `No run ${runId}`);
    }
    this.series.delete(runId);
  }

  /** Runs a filter keeps, as `GET runs` chooses them (trash, archived). */
  private _matching(filter: string | undefined, trash = false): IRun[] {
    const keep = parseFakeFilter(filter);
    const archived = namesAttribute(filter, 'archived');
    return [...this.runs.values()].filter(
      r =>
        (trash ? r.deleted !== null : r.deleted === null) &&
        (archived || !r.archived) &&
        keep(r)
    );
  }

  private _apply(run: IRun, change: IBulkChange): void {
    for (const [key, value] of Object.entries(change.tags?.set ?? {})) {
      run.tags[key] = value;
    }
    for (const key of change.tags?.remove ?? []) {
      delete run.tags[key];
    }
    if (change.starred !== undefined) {
      run.starred = change.starred;
    }
    if (change.archived !== undefined) {
      run.archived = change.archived;
    }
  }

  async log(runId: string, batch: unknown): Promise<unknown> {
    await this._calls.enter('runs.log', [runId, batch]);
    const run = this.runs.get(runId);
    if (!run) {
      throw new ApiError(404, `No run ${runId}`);
    }
    this.batches.set(runId, [...(this.batches.get(runId) ?? []), batch]);
    const { executions } = batch as { executions?: IRun['executions'] };
    run.executions.push(...(executions ?? []));
    return {};
  }

  async metricSeries(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricSeries> {
    await this._calls.enter('runs.metricSeries', [runId, key, maxPoints]);
    const series = this.series.get(runId)?.get(key);
    if (!series) {
      throw new ApiError(404, `No metric ${key}`);
    }
    return clone(series);
  }

  async metricSeriesMany(
    runIds: readonly string[],
    keys: readonly string[] | null,
    maxPoints: number
  ): Promise<IRunMetricSeries[]> {
    await this._calls.enter('runs.metricSeriesMany', [runIds, keys, maxPoints]);
    const found: IRunMetricSeries[] = [];
    for (const runId of new Set(runIds)) {
      if (!this.runs.has(runId)) {
        throw new ApiError(404, `run '${runId}' not found`);
      }
      const series = this.series.get(runId);
      for (const key of keys ?? [...(series?.keys() ?? [])].sort()) {
        const one = series?.get(key);
        if (one) {
          found.push({ run_id: runId, ...clone(one) });
        }
      }
    }
    return found;
  }

  async imageUrl(runId: string, imageId: string): Promise<string> {
    await this._calls.enter('runs.imageUrl', [runId, imageId]);
    return `blob:${runId}/${imageId}`;
  }
}

class FakeGit implements IGitClient {
  constructor(private _calls: Calls) {}

  /** Deflated loose objects by oid. */
  readonly objects = new Map<string, Uint8Array>();
  readonly refs = new Map<string, string>();
  /** Each notebook's indexed checkpoints, newest first. */
  readonly checkpoints = new Map<string, ICheckpointInfo[]>();

  /** Index a checkpoint without its objects (for the timeline). */
  addCheckpoint(
    notebookId: string,
    checkpoint: Partial<ICheckpointInfo> & { commit: string }
  ): void {
    const list = this.checkpoints.get(notebookId) ?? [];
    list.unshift({
      parent: list[0]?.commit ?? null,
      time: list.length,
      cell_id: null,
      run_id: null,
      execution_count: null,
      status: null,
      duration: null,
      message: '',
      notebook_path: null,
      ...checkpoint
    });
    this.checkpoints.set(notebookId, list);
  }

  async missing(oids: string[]): Promise<string[]> {
    await this._calls.enter('git.missing', [oids]);
    return oids.filter(oid => !this.objects.has(oid));
  }

  async write(
    objects: ILooseObject[],
    ref: IRefUpdate
  ): Promise<{ ref: string; oid: string }> {
    await this._calls.enter('git.write', [objects, ref]);
    const current = this.refs.get(ref.name) ?? null;
    if (current !== ref.old) {
      throw new ApiError(409, `${ref.name} is at ${current}`);
    }
    for (const { oid, deflated } of objects) {
      this.objects.set(oid, deflated);
    }
    this.refs.set(ref.name, ref.new);
    // Indexed as the server does it: by the commit's Notebook-Path trailer.
    const commit = this.objects.get(ref.new);
    const text = commit ? new TextDecoder().decode(inflate(commit)) : '';
    const path = /^Notebook-Path: (.*)$/m.exec(text)?.[1] ?? null;
    const notebookId = ref.name.replace(/^refs\/notebooks\//, '');
    this.addCheckpoint(notebookId, {
      commit: ref.new,
      parent: ref.old,
      notebook_path: path
    });
    return { ref: ref.name, oid: ref.new };
  }

  async readRef(name: string): Promise<string | null> {
    await this._calls.enter('git.readRef', [name]);
    return this.refs.get(name) ?? null;
  }

  async readObjects(oids: string[]): Promise<Map<string, Uint8Array>> {
    await this._calls.enter('git.readObjects', [oids]);
    const found = new Map<string, Uint8Array>();
    for (const oid of oids) {
      const object = this.objects.get(oid);
      if (object) {
        found.set(oid, object);
      }
    }
    return found;
  }

  async log(
    notebookId: string,
    query: ICheckpointQuery = {}
  ): Promise<{ checkpoints: ICheckpointInfo[]; total: number }> {
    await this._calls.enter('git.log', [notebookId, query]);
    const all = this.checkpoints.get(notebookId) ?? [];
    const start = query.before_commit
      ? all.findIndex(c => c.commit === query.before_commit) + 1
      : 0;
    return {
      checkpoints: clone(all.slice(start, start + (query.limit ?? 50))),
      total: all.length
    };
  }
}

/** A validation as the fake store holds it. */
export interface IStoredValidation {
  validation: INewValidation;
  /** Cell records by notebook index: a cell sent again replaces itself. */
  cells: Map<number, { [key: string]: unknown }>;
  end: IValidationEnd | null;
}

class FakeValidations implements IValidationsClient {
  constructor(private _calls: Calls) {}

  /** Validations recorded through this client, by run id. */
  readonly recorded = new Map<string, IStoredValidation>();
  /** Reports `list` and `get` serve, newest last. */
  readonly reports: IValidationReport[] = [];

  async create(validation: INewValidation): Promise<{ run_id: string }> {
    await this._calls.enter('validations.create', [validation]);
    if (this.recorded.has(validation.run_id)) {
      throw new ApiError(409, `Run ${validation.run_id} exists`);
    }
    this.recorded.set(validation.run_id, {
      validation,
      cells: new Map(),
      end: null
    });
    return { run_id: validation.run_id };
  }

  async addCells(runId: string, cells: unknown[]): Promise<unknown> {
    await this._calls.enter('validations.addCells', [runId, cells]);
    const stored = this._running(runId);
    for (const cell of cells as { index: number }[]) {
      stored.cells.set(cell.index, cell);
    }
    return { recorded: cells.length };
  }

  async finish(runId: string, end: IValidationEnd): Promise<unknown> {
    await this._calls.enter('validations.finish', [runId, end]);
    this._running(runId).end = end;
    return {};
  }

  async list(
    query: IValidationQuery
  ): Promise<{ validations: IValidationSummary[] }> {
    await this._calls.enter('validations.list', [query]);
    const validations = this.reports
      .filter(r => !query.notebook_id || r.notebookId === query.notebook_id)
      .filter(
        r => !query.notebook_path || r.notebookPath === query.notebook_path
      )
      .reverse()
      .slice(0, query.limit ?? 20)
      .map(({ cells, ...report }) => ({
        ...clone(report),
        runId: report.runId!,
        cellCount: cells.length,
        failedAt: null
      }));
    return { validations };
  }

  async get(runId: string): Promise<IValidationReport> {
    await this._calls.enter('validations.get', [runId]);
    const report = this.reports.find(r => r.runId === runId);
    if (!report) {
      throw new ApiError(404, `No validation ${runId}`);
    }
    return clone(report);
  }

  async export(runId: string, format: ValidationExport): Promise<Blob> {
    await this._calls.enter('validations.export', [runId, format]);
    return new Blob([JSON.stringify(await this.get(runId))]);
  }

  private _running(runId: string): IStoredValidation {
    const stored = this.recorded.get(runId);
    if (!stored || stored.end) {
      throw new ApiError(409, `Validation ${runId} is not running`);
    }
    return stored;
  }
}

class FakeQuery implements IQueryClient {
  constructor(private _calls: Calls) {}

  storeKeys: IStoreKeys = { params: [], metrics: [], tags: [], env: [] };
  /** Distinct values by identifier (`params.lr`, `status`…). */
  readonly storeValues = new Map<string, unknown[]>();

  async keys(): Promise<IStoreKeys> {
    await this._calls.enter('query.keys', []);
    return clone(this.storeKeys);
  }

  async values(key: string, prefix = '', limit = 20): Promise<unknown[]> {
    await this._calls.enter('query.values', [key, prefix, limit]);
    return (this.storeValues.get(key) ?? [])
      .filter(v => String(v).startsWith(prefix))
      .slice(0, limit);
  }
}

class FakeViews implements IViewsClient {
  constructor(private _calls: Calls) {}

  readonly saved = new Map<string, ISavedView>();

  async list(): Promise<ISavedView[]> {
    await this._calls.enter('views.list', []);
    return clone(
      [...this.saved.values()].sort((a, b) => a.name.localeCompare(b.name))
    );
  }

  async save(name: string, state: { [key: string]: unknown }): Promise<void> {
    await this._calls.enter('views.save', [name, state]);
    this.saved.set(name, {
      name,
      state: clone(state),
      updated: Date.now() / 1000
    });
  }

  async delete(name: string): Promise<void> {
    await this._calls.enter('views.delete', [name]);
    if (!this.saved.delete(name)) {
      throw new ApiError(404, `No view ${name}`);
    }
  }
}

/** Run changes the spec announces with `emit`, as the event bus would. */
class FakeRunEvents implements IRunEvents {
  /** False: as a frontend without an event bus. */
  available = true;

  get changed(): Signal<this, IRunsChanged> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  emit(runIds: string[], action: RunsAction = 'changed'): void {
    this._changed.emit({ runIds, action });
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _changed = new Signal<this, IRunsChanged>(this);
  private _isDisposed = false;
}

export class FakeExperimentsClient implements IExperimentsClient {
  // First: the resources below share it.
  private readonly _calls = new Calls();
  readonly info = new FakeInfo(this._calls);
  readonly runs = new FakeRuns(this._calls);
  readonly git = new FakeGit(this._calls);
  readonly validations = new FakeValidations(this._calls);
  readonly query = new FakeQuery(this._calls);
  readonly views = new FakeViews(this._calls);
  readonly events = new FakeRunEvents();

  /** Every call, in order. */
  get calls(): readonly ICall[] {
    return this._calls.log;
  }

  /** The arguments of each call to one method (`runs.create`…). */
  callsTo(method: string): unknown[][] {
    return this._calls.log.filter(c => c.method === method).map(c => c.args);
  }

  /** Calls to `method` wait until the returned function is called. */
  hold(method: string): () => void {
    const hold = new PromiseDelegate<void>();
    this._calls.holds.set(method, hold);
    return () => {
      this._calls.holds.delete(method);
      hold.resolve();
    };
  }

  /** The next call to `method` fails with this error. */
  failNext(method: string, error: Error): void {
    const failures = this._calls.failures.get(method) ?? [];
    failures.push(error);
    this._calls.failures.set(method, failures);
  }
}
