/**
 * What an Experiments browser shows: the one shape its model, share links and
 * saved views use. Column ids and keys are query-grammar identifiers
 * (`name`, `params.lr`, `metrics.acc.max`), so a view means the same thing in
 * the filter box, in `order_by` and in `jx.search_runs`. Pure, no DOM.
 */
import type { ICompareState, IProgressState } from '../compare/state';

export interface IColumnState {
  /** A query-grammar identifier. */
  id: string;
  width?: number;
  pinned?: boolean;
  hidden?: boolean;
}

export interface IOrderKey {
  key: string;
  descending: boolean;
}

export interface IViewState {
  filter: string;
  orderBy: IOrderKey[];
  columns: IColumnState[];
  groupBy: string | null;
  selection: string[];
  /** The run id of the first row shown, to scroll back to. */
  anchor: string | null;
  /** A Compare panel opened from this view (share links, saved views). */
  compare?: ICompareState;
  /** A progress view opened from this view (share links, saved views). */
  progress?: IProgressState;
}

export function emptyViewState(): IViewState {
  return {
    filter: '',
    orderBy: [{ key: 'started', descending: true }],
    columns: [],
    groupBy: null,
    selection: [],
    anchor: null
  };
}
