/**
 * The server's REST API as one injectable object, a member per resource, so
 * every model can be built with a fake (`testing/fakeClient.ts`).
 */
import { Event, ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';

import { IRunEvents, RunEvents } from './events';
import { GitClient, IGitClient } from './git';
import { IInfoClient, InfoClient } from './info';
import { IQueryClient, QueryClient } from './query';
import { IRunsClient, RunsClient } from './runs';
import { IValidationsClient, ValidationsClient } from './validations';
import { IViewsClient, ViewsClient } from './views';

export interface IExperimentsClient {
  readonly info: IInfoClient;
  readonly runs: IRunsClient;
  readonly git: IGitClient;
  readonly validations: IValidationsClient;
  readonly query: IQueryClient;
  readonly views: IViewsClient;
  /** Run changes announced by the server (not a REST resource). */
  readonly events: IRunEvents;
}

export const IExperimentsClient = new Token<IExperimentsClient>(
  'jupyterlab-experiments:IExperimentsClient',
  "The experiments server extension's REST API."
);

/**
 * The client of `{base_url}experiments/api/` with these server settings, and
 * of the run changes on this event bus (none without one).
 */
export class ExperimentsClient implements IExperimentsClient {
  constructor(
    settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
    events: Event.IManager | null = null
  ) {
    this.info = new InfoClient(settings);
    this.runs = new RunsClient(settings);
    this.git = new GitClient(settings);
    this.validations = new ValidationsClient(settings);
    this.query = new QueryClient(settings);
    this.views = new ViewsClient(settings);
    this.events = new RunEvents(events);
  }

  readonly info: IInfoClient;
  readonly runs: IRunsClient;
  readonly git: IGitClient;
  readonly validations: IValidationsClient;
  readonly query: IQueryClient;
  readonly views: IViewsClient;
  readonly events: IRunEvents;
}
