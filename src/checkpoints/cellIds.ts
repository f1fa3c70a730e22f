/**
 * Notebooks of nbformat 4.0 to 4.4 save no cell ids: JupyterLab gives their
 * cells ids when it loads them and leaves the ids out when it saves, so their
 * history can only match cells by content. nbformat 4.5 saves the ids, which
 * makes history exact. Pure: no DOM, no network.
 */
import type { INotebookModel } from '@jupyterlab/notebook';

/** The version fields of a notebook. */
export interface INotebookFormat {
  nbformat: number;
  nbformat_minor: number;
}

/** Whether a notebook of this format saves no cell ids. */
export function lacksCellIds(format: INotebookFormat): boolean {
  return format.nbformat === 4 && format.nbformat_minor < 5;
}

/**
 * Upgrades an open notebook to nbformat 4.5: the ids its cells were given on
 * load (every cell of the model has one) are saved from then on.
 */
export function upgradeToCellIds(model: INotebookModel): void {
  // Read-only in ISharedNotebook; YNotebook, which JupyterLab uses, sets it.
  (model.sharedModel as { nbformat_minor: number }).nbformat_minor = 5;
}

/**
 * Which notebooks to offer the upgrade to: those that save no cell ids, each
 * once per session, and none once the user asked not to be asked again.
 */
export class CellIdOffers {
  /** False once the user chose "Don't ask again". */
  enabled = true;

  /** Whether to offer the upgrade for the notebook at `path` now. */
  take(path: string, format: INotebookFormat): boolean {
    if (!this.enabled || !lacksCellIds(format) || this._offered.has(path)) {
      return false;
    }
    this._offered.add(path);
    return true;
  }

  private _offered = new Set<string>();
}
