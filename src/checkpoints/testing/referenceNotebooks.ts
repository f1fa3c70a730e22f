/// <reference types="node" />
/**
 * The peers' test notebooks (nbdime, nbclient, papermill) in shared/ beside
 * the project, for specs only (excluded from the build).
 */
import type * as nbformat from '@jupyterlab/nbformat';
import * as fs from 'fs';
import * as path from 'path';

/** `shared/reference` beside the project: the peers' test notebooks. */
export const REFERENCE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'reference'
);
const FOLDERS = ['nbdime', 'nbclient', 'papermill'];

/** Reference notebooks that parse as nbformat 4, and the others with why. */
export function referenceNotebooks(): {
  notebooks: [string, nbformat.INotebookContent][];
  skipped: [string, string][];
} {
  const notebooks: [string, nbformat.INotebookContent][] = [];
  const skipped: [string, string][] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(REFERENCE, folder);
    // Missing test data must fail the specs, not make them pass vacuously.
    if (!fs.existsSync(dir)) {
      throw new Error(`reference notebooks not found in ${dir}`);
    }
    for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.ipynb'))) {
      const file = `${folder}/${name}`;
      try {
        const nb = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
          skipped.push([file, `nbformat ${nb.nbformat}, not 4`]);
        } else {
          notebooks.push([file, nb]);
        }
      } catch (error) {
        skipped.push([file, `not JSON: ${(error as Error).message}`]);
      }
    }
  }
  return { notebooks, skipped };
}
