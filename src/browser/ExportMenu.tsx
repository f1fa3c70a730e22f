/**
 * "Export": the current view as a CSV file (every run of the view, not only
 * the rows loaded on screen) or as a pandas snippet that asks for the same
 * runs.
 */
import { downloadIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

import { errorMessage } from '../common/format';
import { useDismiss } from '../common/useDismiss';
import type { IRunsClient } from '../rest';
import { pandasSnippet } from './export';
import {
  EXPORT_MAX_RUNS,
  ExportCancelled,
  exportColumnIds,
  IExportProgress,
  viewCsv
} from './exportView';
import type { BrowserModel } from './model';
import { copyText } from './views/copy';

/** The file a CSV export is saved as. */
export const CSV_FILE_NAME = 'experiments.csv';

/** How long a note ("Snippet copied.") stays, in ms. */
const NOTE_MS = 6000;

/** Save text as a file through the browser's download. */
export function downloadText(
  text: string,
  fileName: string,
  type = 'text/csv;charset=utf-8'
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own reference once started.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export interface IExportMenuProps {
  model: BrowserModel;
  runs: Pick<IRunsClient, 'list'>;
  /** Most runs in a CSV. */
  maxRuns?: number;
  /** Save the CSV; a browser download by default. */
  download?: (csv: string, fileName: string) => void;
  /** Put text on the clipboard. */
  copy?: (text: string) => Promise<unknown>;
}

export function ExportMenu(props: IExportMenuProps): JSX.Element {
  const { model } = props;
  const maxRuns = props.maxRuns ?? EXPORT_MAX_RUNS;
  const [open, setOpen] = useState(false);
  const [progress, setProgress] = useState<IExportProgress | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const host = useRef<HTMLSpanElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      abort.current?.abort();
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  useDismiss(open, host, () => setOpen(false), { focus: '[role="menuitem"]' });

  const say = (message: string | null, keep = false) => {
    setNote(message);
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (message && !keep) {
      timer.current = setTimeout(() => setNote(null), NOTE_MS);
    }
  };

  const downloadCsv = async () => {
    setOpen(false);
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ fetched: 0, expected: model.total ?? 0 });
    say(null);
    try {
      const result = await viewCsv(
        props.runs,
        { filter: model.filter, orderBy: model.orderBy, trash: model.trash },
        model.columns,
        { maxRuns, signal: controller.signal, onProgress: setProgress }
      );
      (props.download ?? downloadText)(result.csv, CSV_FILE_NAME);
      const count = result.runs.length.toLocaleString();
      say(
        result.truncated
          ? `Exported the first ${count} of ${result.total.toLocaleString()} runs: ` +
              'a CSV holds at most that many. Narrow the filter for the rest.'
          : `Exported ${count} ${result.runs.length === 1 ? 'run' : 'runs'}.`,
        result.truncated
      );
    } catch (reason) {
      say(
        reason instanceof ExportCancelled
          ? 'Export cancelled.'
          : `The export failed: ${errorMessage(reason)}`,
        !(reason instanceof ExportCancelled)
      );
    } finally {
      if (abort.current === controller) {
        abort.current = null;
      }
      setProgress(null);
    }
  };

  const copySnippet = async () => {
    setOpen(false);
    const view = {
      ...model.state,
      columns: exportColumnIds(model.columns).map(id => ({ id }))
    };
    const total = model.total;
    const snippet = pandasSnippet(view, {
      maxResults: total !== null && total > 0 ? total : undefined
    });
    try {
      await (props.copy ?? copyText)(snippet);
      say('Pandas snippet copied.');
    } catch (reason) {
      say(`The snippet could not be copied: ${errorMessage(reason)}`);
    }
  };

  const busy = progress !== null;
  return (
    <span className="jp-ExperimentsExport" ref={host}>
      <button
        type="button"
        className="jp-ExperimentsBrowser-button jp-ExperimentsExport-button"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={busy}
        title="Export the current view: its filter, order and visible columns"
        onClick={() => setOpen(!open)}
      >
        <downloadIcon.react tag="span" elementPosition="center" />
        <span>Export</span>
      </button>
      {open && (
        <div
          className="jp-ExperimentsExport-menu"
          role="menu"
          aria-label="Export"
        >
          <button
            type="button"
            role="menuitem"
            title={`Every run of the view (up to ${maxRuns.toLocaleString()}), its visible columns in order, as ${CSV_FILE_NAME}`}
            onClick={() => void downloadCsv()}
          >
            Download CSV
          </button>
          <button
            type="button"
            role="menuitem"
            title="Python that loads the same runs with jx.search_runs into a DataFrame"
            onClick={() => void copySnippet()}
          >
            Copy pandas snippet
          </button>
        </div>
      )}
      {busy && (
        <span className="jp-ExperimentsExport-progress" aria-busy="true">
          <progress
            max={Math.max(progress.expected, 1)}
            value={progress.fetched}
            aria-label="Export progress"
          />
          <span>
            {progress.fetched.toLocaleString()} of{' '}
            {progress.expected.toLocaleString()} runs
          </span>
          <button
            type="button"
            className="jp-ExperimentsBrowser-button"
            onClick={() => abort.current?.abort()}
          >
            Cancel export
          </button>
        </span>
      )}
      <span className="jp-ExperimentsExport-note" role="status">
        {note}
      </span>
    </span>
  );
}
