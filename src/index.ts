import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { browserPlugin } from './browser';
import { capturePlugin } from './capture';
import { checkpointsPlugin } from './checkpoints';
import { comparePlugin } from './compare';
import { diffPlugin } from './diffview';
import { historyPlugin } from './history';
import { clientPlugin } from './rest/plugin';
import { sidebarPlugin } from './sidebar';
import { backgroundStatusPlugin, statusItemPlugin } from './status';
import { validationPlugin } from './validation/panel';

const plugins: JupyterFrontEndPlugin<any>[] = [
  clientPlugin,
  capturePlugin,
  sidebarPlugin,
  checkpointsPlugin,
  historyPlugin,
  browserPlugin,
  comparePlugin,
  diffPlugin,
  validationPlugin,
  backgroundStatusPlugin,
  statusItemPlugin
];

export default plugins;
export * from './tokens';
export * from './status/tokens';
export { IExperimentsClient } from './rest';
