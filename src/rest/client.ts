/**
 * The server's REST API as one injectable object, a member per resource, so
 * every model can be built with a fake (`testing/fakeClient.ts`).
 */
import { ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';

import { GitClient, IGitClient } from './git';
import { IInfoClient, InfoClient } from './info';
import { IRunsClient, RunsClient } from './runs';
import { IValidationsClient, ValidationsClient } from './validations';

export interface IExperimentsClient {
  readonly info: IInfoClient;
  readonly runs: IRunsClient;
  readonly git: IGitClient;
  readonly validations: IValidationsClient;
}

export const IExperimentsClient = new Token<IExperimentsClient>(
  'jupyterlab-experiments:IExperimentsClient',
  "The experiments server extension's REST API."
);

/** The client of `{base_url}experiments/api/` with these server settings. */
export class ExperimentsClient implements IExperimentsClient {
  constructor(
    settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {
    this.info = new InfoClient(settings);
    this.runs = new RunsClient(settings);
    this.git = new GitClient(settings);
    this.validations = new ValidationsClient(settings);
  }

  readonly info: IInfoClient;
  readonly runs: IRunsClient;
  readonly git: IGitClient;
  readonly validations: IValidationsClient;
}
