/**
 * `validations/…`: a validation's run, its cells as they finish, its verdict,
 * and the stored reports and their exports.
 */
import { ServerConnection } from '@jupyterlab/services';

import { queryString, rawRequest, requestAPI } from './request';
import type { IValidationReport, ValidationVerdict } from './validationReport';

/** A stored validation as `GET validations` lists them: the report without its cells. */
export interface IValidationSummary extends Omit<
  IValidationReport,
  'cells' | 'runId'
> {
  runId: string;
  cellCount: number;
  /** Notebook index of the first failed or timed-out cell. */
  failedAt: number | null;
}

/** A validation starts: the run of kind `validation` and what it will check. */
export interface INewValidation {
  run_id: string;
  notebook_path: string;
  notebook_id: string | null;
  checkpoint: string | null;
  kernel_name: string;
  kernel_id: string | null;
  settings: unknown;
  static_findings: unknown[];
  cell_count: number;
}

/** How a validation ended. */
export interface IValidationEnd {
  verdict: ValidationVerdict;
  duration_ms: number | null;
  message: string | null;
}

export interface IValidationQuery {
  notebook_id?: string;
  notebook_path?: string;
  limit?: number;
}

export type ValidationExport = 'json' | 'junit';

export interface IValidationsClient {
  create(validation: INewValidation): Promise<{ run_id: string }>;
  /** Results of finished cells (snake_case records); a cell sent again replaces itself. */
  addCells(runId: string, cells: unknown[]): Promise<unknown>;
  finish(runId: string, end: IValidationEnd): Promise<unknown>;
  /** Summaries, newest first. */
  list(query: IValidationQuery): Promise<{ validations: IValidationSummary[] }>;
  get(runId: string): Promise<IValidationReport>;
  /** A stored validation as a file: the JSON report or JUnit XML. */
  export(runId: string, format: ValidationExport): Promise<Blob>;
}

const validationPath = (runId: string) =>
  `validations/${encodeURIComponent(runId)}`;

export class ValidationsClient implements IValidationsClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  create(validation: INewValidation): Promise<{ run_id: string }> {
    return requestAPI(
      'validations',
      { method: 'POST', body: JSON.stringify(validation) },
      this._settings
    );
  }

  addCells(runId: string, cells: unknown[]): Promise<unknown> {
    return requestAPI(
      `${validationPath(runId)}/cells`,
      { method: 'POST', body: JSON.stringify({ cells }) },
      this._settings
    );
  }

  finish(runId: string, end: IValidationEnd): Promise<unknown> {
    return requestAPI(
      validationPath(runId),
      { method: 'PATCH', body: JSON.stringify(end) },
      this._settings
    );
  }

  list(
    query: IValidationQuery
  ): Promise<{ validations: IValidationSummary[] }> {
    return requestAPI(
      `validations?${queryString({ ...query })}`,
      {},
      this._settings
    );
  }

  get(runId: string): Promise<IValidationReport> {
    return requestAPI(validationPath(runId), {}, this._settings);
  }

  async export(runId: string, format: ValidationExport): Promise<Blob> {
    const response = await rawRequest(
      format === 'json'
        ? `${validationPath(runId)}?download=1`
        : `${validationPath(runId)}/junit`,
      {},
      this._settings
    );
    return response.blob();
  }
}
