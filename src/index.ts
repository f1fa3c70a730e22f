import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { capturePlugin } from './capture';
import { checkpointsPlugin } from './checkpoints';
import { historyPlugin } from './history';
import { sidebarPlugin } from './sidebar';
import { validationPlugin } from './validation/panel';

const plugins: JupyterFrontEndPlugin<any>[] = [
  capturePlugin,
  sidebarPlugin,
  checkpointsPlugin,
  historyPlugin,
  validationPlugin
];

export default plugins;
export * from './tokens';
