import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { ExperimentsClient, IExperimentsClient } from './client';

/** Provides the REST client every other plugin requires. */
export const clientPlugin: JupyterFrontEndPlugin<IExperimentsClient> = {
  id: 'jupyterlab-experiments:client',
  description: "The experiments server extension's REST API.",
  autoStart: true,
  provides: IExperimentsClient,
  activate: (app: JupyterFrontEnd): IExperimentsClient =>
    new ExperimentsClient(
      app.serviceManager.serverSettings,
      app.serviceManager.events
    )
};
