import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { capturePlugin } from './capture';
import { checkpointsPlugin } from './checkpoints';
import { historyPlugin } from './history';
import { sidebarPlugin } from './sidebar';

const plugins: JupyterFrontEndPlugin<any>[] = [
  capturePlugin,
  sidebarPlugin,
  checkpointsPlugin,
  historyPlugin
];

export default plugins;
export * from './tokens';
