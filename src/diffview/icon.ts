import { LabIcon } from '@jupyterlab/ui-components';

/** Two versions side by side, a plus on one and a minus on the other. */
export const diffIcon = new LabIcon({
  name: 'jupyterlab-experiments:diff',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><path d="M3 3h8v18H3zm2 2v14h4V5zm.25 6.25h3.5v1.5h-3.5zM13 3h8v18h-8zm2 2v14h4V5zm1.25 6.25h3.5v1.5h-3.5zm1 -1h1.5v3.5h-1.5z"/></g></svg>'
});
