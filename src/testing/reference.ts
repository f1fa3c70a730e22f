/// <reference types="node" />
/**
 * The peers' test notebooks (nbdime, nbclient, nbval, papermill), copied
 * into `tests/reference/` with their licences, for specs only (excluded from
 * the build). Nothing here reads outside the repository.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import * as fs from 'fs';
import * as path from 'path';

/** `tests/reference` in the repository: the peers' test notebooks. */
export const REFERENCE = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'reference'
);
const FOLDERS = ['nbdime', 'nbclient', 'papermill'];

/**
 * One reference notebook by its path under `tests/reference`. Missing test
 * data fails the spec instead of making it pass vacuously.
 */
export function readReference(file: string): nbformat.INotebookContent {
  const full = path.join(REFERENCE, file);
  if (!fs.existsSync(full)) {
    throw new Error(`reference notebook not found: ${full}`);
  }
  return JSON.parse(fs.readFileSync(full, 'utf8'));
}

/** The `.ipynb` files of a reference folder; a missing folder throws. */
export function referenceFolder(folder: string): string[] {
  const dir = path.join(REFERENCE, folder);
  if (!fs.existsSync(dir)) {
    throw new Error(`reference notebooks not found in ${dir}`);
  }
  return fs
    .readdirSync(dir)
    .filter(n => n.endsWith('.ipynb'))
    .sort();
}

/** Reference notebooks that parse as nbformat 4, and the others with why. */
export function referenceNotebooks(): {
  notebooks: [string, nbformat.INotebookContent][];
  skipped: [string, string][];
} {
  const notebooks: [string, nbformat.INotebookContent][] = [];
  const skipped: [string, string][] = [];
  for (const folder of FOLDERS) {
    for (const name of referenceFolder(folder)) {
      const file = `${folder}/${name}`;
      try {
        const nb = JSON.parse(
          fs.readFileSync(path.join(REFERENCE, folder, name), 'utf8')
        );
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
