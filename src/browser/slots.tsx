/**
 * The panel's default slots: the filter box, the toolbar's saved views,
 * share link and export, and the run details. Part of the panel's chunk, so
 * none of this (CodeMirror, the details' renderers) loads at start-up.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import React, {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import { errorMessage } from '../common/format';
import { useDismiss } from '../common/useDismiss';
import type { IExperimentsClient } from '../rest';
import type { IRun } from '../tokens';
import type { IBrowserSlots } from './BrowserView';
import { RunDetails } from './details/RunDetails';
import { ExportMenu } from './ExportMenu';
import { FilterBox } from './filter/FilterBox';
import { filterErrorOf } from './filter/errors';
import type { BrowserModel } from './model';
import { CopyLinkButton } from './views/CopyLinkButton';
import { SavedViews } from './views/SavedViews';
import type { IViewState } from './viewState';

/** What the details open: cells, checkpoints, notebooks. */
export interface IDetailsActions {
  openCell: (notebookPath: string, cellId: string) => void;
  openCheckpoint: (notebookId: string, commit: string) => void;
  openNotebook: (notebookPath: string) => void;
}

export interface ISlotsOptions {
  client: IExperimentsClient;
  actions: IDetailsActions;
  rendermime?: IRenderMimeRegistry | null;
  /** The page share links point to; JupyterLab's by default. */
  labUrl?: string;
  /** Open the Compare or Progress panel a saved view carries. */
  openLinked?: (view: IViewState) => void;
}

/** The filter box, saved views, share, export and details, wired to `client`. */
export function defaultSlots(options: ISlotsOptions): IBrowserSlots {
  const { client } = options;
  return {
    filter: model => <FilterSlot model={model} client={client} />,
    toolbar: model => (
      <BrowserToolbar
        model={model}
        client={client}
        labUrl={options.labUrl}
        openLinked={options.openLinked}
      />
    ),
    details: (model, runId, close) => (
      <DetailsSlot
        key={runId}
        model={model}
        runId={runId}
        close={close}
        client={client}
        actions={options.actions}
        rendermime={options.rendermime ?? null}
      />
    )
  };
}

/** The filter box on the model: applies on Enter, shows the server's 400. */
export function FilterSlot(props: {
  model: BrowserModel;
  client: IExperimentsClient;
}): JSX.Element {
  const { model } = props;
  const failure = model.loadError?.error;
  // One object per failure: the editor marks the error only when it changes.
  const error = useMemo(
    () => (failure === undefined ? null : filterErrorOf(failure)),
    [failure]
  );
  const apply = useCallback(
    (filter: string) => {
      if (filter === model.filter && model.loadError) {
        // The same text again: ask again (the server may be back).
        model.retry();
      } else {
        model.setFilter(filter);
      }
    },
    [model]
  );
  return (
    <FilterBox
      query={props.client.query}
      value={model.filter}
      error={error}
      onApply={apply}
    />
  );
}

/** Saved views (in a drop-down), Copy link, Export. */
export function BrowserToolbar(props: {
  model: BrowserModel;
  client: IExperimentsClient;
  labUrl?: string;
  openLinked?: (view: IViewState) => void;
}): JSX.Element {
  const { model, client } = props;
  const state = model.state;
  return (
    <span className="jp-ExperimentsBrowser-slotToolbar">
      <ViewsDropdown>
        <SavedViews
          views={client.views}
          state={state}
          onApply={view => {
            model.setState(view);
            if (view.compare || view.progress) {
              props.openLinked?.(view);
            }
          }}
        />
      </ViewsDropdown>
      <CopyLinkButton state={state} labUrl={props.labUrl} />
      <ExportMenu model={model} runs={client.runs} />
    </span>
  );
}

/**
 * A "Views" button and the saved views under it. A click outside closes it,
 * except in a dialog (naming a view, confirming a delete) it opened.
 */
function ViewsDropdown(props: { children: React.ReactNode }): JSX.Element {
  const [open, setOpen] = useState(false);
  const host = useRef<HTMLSpanElement>(null);
  useDismiss(open, host, () => setOpen(false));
  return (
    <span className="jp-ExperimentsViewsDropdown" ref={host}>
      <button
        type="button"
        className="jp-ExperimentsBrowser-button"
        aria-expanded={open}
        aria-haspopup="dialog"
        title="Saved views: show one, save the current view under a name"
        onClick={() => setOpen(!open)}
      >
        Views
      </button>
      {open && (
        <div
          className="jp-ExperimentsViewsDropdown-popup"
          role="dialog"
          aria-label="Saved views"
          onClick={event => {
            // Applying a view closes the list.
            if (
              (event.target as Element).closest?.('.jp-ExperimentsViews-apply')
            ) {
              setOpen(false);
            }
          }}
        >
          {props.children}
        </div>
      )}
    </span>
  );
}

type DetailsState =
  | { status: 'loading' }
  | { status: 'ready'; run: IRun }
  | { status: 'error'; message: string; notFound: boolean };

/**
 * One run in full, fetched with `runs.get`, fetched again when the server
 * announces a change to it.
 */
export function DetailsSlot(props: {
  model: BrowserModel;
  runId: string;
  close: () => void;
  client: IExperimentsClient;
  actions: IDetailsActions;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const { client, runId, model, actions } = props;
  const [state, setState] = useState<DetailsState>({ status: 'loading' });
  const generation = useRef(0);

  const load = useCallback(async () => {
    const current = ++generation.current;
    try {
      const run = await client.runs.get(runId);
      if (current === generation.current) {
        setState({ status: 'ready', run });
      }
    } catch (reason) {
      if (current === generation.current) {
        const status = (reason as { status?: unknown })?.status;
        setState({
          status: 'error',
          message: errorMessage(reason),
          notFound: status === 404
        });
      }
    }
  }, [client, runId]);

  useEffect(() => {
    void load();
    const events = client.events;
    const onChanged = (_: unknown, change: { runIds: readonly string[] }) => {
      if (change.runIds.includes(runId)) {
        void load();
      }
    };
    events?.changed.connect(onChanged);
    return () => {
      // A reply landing after the details closed is dropped.
      generation.current++;
      events?.changed.disconnect(onChanged);
    };
  }, [client, runId, load]);

  const restore = useCallback(
    (id: string) => {
      void model.restore(id).then(() => load());
    },
    [model, load]
  );

  let body: JSX.Element;
  if (state.status === 'loading') {
    body = (
      <div className="jp-ExperimentsBrowser-state" aria-busy="true">
        Loading the run…
      </div>
    );
  } else if (state.status === 'error') {
    body = (
      <div className="jp-ExperimentsBrowser-state jp-mod-error" role="alert">
        <p>
          {state.notFound
            ? 'This run no longer exists: it was deleted for good.'
            : `Could not load the run: ${state.message}`}
        </p>
        {!state.notFound && (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => void load()}
          >
            Retry
          </button>
        )}
      </div>
    );
  } else {
    body = (
      <RunDetails
        run={state.run}
        client={client}
        rendermime={props.rendermime}
        onOpenCell={actions.openCell}
        onOpenCheckpoint={actions.openCheckpoint}
        onOpenNotebook={actions.openNotebook}
        onRestore={restore}
      />
    );
  }
  return (
    <div
      className="jp-ExperimentsBrowser-detailsSlot"
      role="region"
      aria-label="Run details"
      onKeyDown={event => {
        if (event.key === 'Escape') {
          props.close();
        }
      }}
    >
      <div className="jp-ExperimentsBrowser-detailsBar">
        <span>Run details</span>
        <button
          type="button"
          className="jp-ExperimentsBrowser-button"
          aria-label="Close the run details"
          title="Close the run details (Escape)"
          onClick={props.close}
        >
          ×
        </button>
      </div>
      {body}
    </div>
  );
}
