import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { capturePlugin } from './capture';
import { sidebarPlugin } from './sidebar';

const plugins: JupyterFrontEndPlugin<any>[] = [capturePlugin, sidebarPlugin];

export default plugins;
export * from './tokens';
