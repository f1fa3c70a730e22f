import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import type { IValidationReport } from '../types';
import { badgeText, BadgeKind, sourceHash } from './format';

/** The latest validation of a notebook, and the sources it validated. */
export interface ILatestValidation {
  report: IValidationReport;
  hash: string;
}

/**
 * The notebook toolbar's "✓ runs top to bottom" / "✗ fails at cell N": the
 * latest validation, outdated as soon as a code cell's source changes.
 */
export class ValidationBadge extends Widget {
  constructor(
    private _panel: NotebookPanel,
    private _open: () => void
  ) {
    super({ node: document.createElement('button') });
    this.addClass('jp-Experiments-badge');
    this.node.addEventListener('click', () => this._open());
    this.hide();
    _panel.model?.contentChanged.connect(this._onContentChanged, this);
  }

  get latest(): ILatestValidation | null {
    return this._latest;
  }

  set latest(latest: ILatestValidation | null) {
    this._latest = latest;
    this._update();
  }

  dispose(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    super.dispose();
  }

  /** Sources are hashed at most twice a second while the user types. */
  private _onContentChanged(): void {
    if (this._timer === null && this._latest) {
      this._timer = setTimeout(() => {
        this._timer = null;
        this._update();
      }, 500);
    }
  }

  private _update(): void {
    const latest = this._latest;
    if (!latest || this.isDisposed) {
      this.hide();
      return;
    }
    const outdated = currentHash(this._panel) !== latest.hash;
    const { text, kind } = badgeText(latest.report, outdated);
    this.node.textContent = text;
    this.node.title = outdated
      ? `${badgeText(latest.report, false).text}, before the notebook changed. Click to see the report.`
      : 'Click to see the validation report';
    this.node.dataset.kind = kind satisfies BadgeKind;
    this.show();
  }

  private _latest: ILatestValidation | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}

/** The source hash of the notebook as it is in the editor. */
export function currentHash(panel: NotebookPanel): string {
  const cells = [];
  for (const cell of panel.model?.cells ?? []) {
    cells.push({
      cell_type: cell.type,
      source: cell.sharedModel.getSource()
    });
  }
  return sourceHash(cells);
}
