/**
 * The Compare and Progress panels' content: models and views with uPlot and
 * ECharts behind them. Loaded on first open (a chunk of its own), never at
 * start-up.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';
// uPlot's own rules (cursor, selection, overlay), loaded with the panels, not at start-up.
import 'uplot/dist/uPlot.min.css';

import { CopyLinkButton } from '../browser/views/CopyLinkButton';
import { SavedViews } from '../browser/views/SavedViews';
import { emptyViewState, IViewState } from '../browser/viewState';
import type { IExperimentsClient } from '../rest';
import { CodeSection } from './code/CodeSection';
import { CompareSection, CompareView, ICompareActions } from './CompareView';
import { ImagesSection } from './images/ImagesSection';
import { ParallelChart, ScatterChart } from './parallel';
import { CompareModel } from './model';
import { ProgressView } from './progress/ProgressView';
import { runColor } from './colors';
import { ICompareState, IProgressState } from './state';

export { CompareModel } from './model';

/** A compared run's colour: by its column. */
function colorOf(model: CompareModel, runId: string): string {
  return runColor(model.runs.findIndex(run => run.id === runId));
}

/** Lines over a filter's runs share one colour unless a metric colours them. */
const PROGRESS_COLOR = () => runColor(0);
const EMPTY_PARALLEL = { axes: [], metric: null, brush: {} };

/** The compare panel's content: renders the model; disposes it when closed. */
export class CompareContent extends ReactWidget {
  constructor(
    readonly model: CompareModel,
    private _options: {
      client: IExperimentsClient;
      actions: ICompareActions;
      onChartDrawn?: (metric: string, ms: number) => void;
    }
  ) {
    super();
    this.addClass('jp-Experiments-panel');
    this.addClass('jp-ExperimentsCompare');
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.model.dispose();
    }
    super.dispose();
  }

  render(): JSX.Element {
    const { model } = this;
    const { client, actions } = this._options;
    const view: IViewState = { ...emptyViewState(), compare: model.state };
    return (
      <CompareView
        model={model}
        actions={actions}
        onChartDrawn={this._options.onChartDrawn}
        sections={(model, colors) => (
          <>
            <CompareSection title="Parallel coordinates" id="parallel" lazy>
              <ParallelChart
                runs={model.runs}
                colors={runId => colorOf(model, runId)}
                state={model.state.parallel}
                onChange={parallel => model.setState({ parallel })}
                onFilter={filter => actions.filterBrowser?.(filter)}
                onOpenRun={runId => actions.openRun?.(runId)}
              />
            </CompareSection>
            <CompareSection title="Scatter" id="scatter" lazy>
              <ScatterChart
                runs={model.runs}
                colors={runId => colorOf(model, runId)}
                state={model.state.scatter}
                onChange={scatter => model.setState({ scatter })}
                onOpenRun={runId => actions.openRun?.(runId)}
              />
            </CompareSection>
            <CompareSection title="Images" id="images" lazy>
              <ImagesSection
                client={client}
                runs={model.runs}
                colors={colors}
                steps={model.state.imageSteps}
                onStepChange={(key, step) =>
                  model.setState({
                    imageSteps: { ...model.state.imageSteps, [key]: step }
                  })
                }
              />
            </CompareSection>
            <CompareSection title="Code" id="code" lazy>
              <CodeSection
                runs={model.runs}
                colors={colors}
                onOpenCheckpoint={commit => actions.openCheckpoint?.(commit)}
                onDiff={(from, to) => actions.diffCheckpoints?.(from, to)}
              />
            </CompareSection>
          </>
        )}
        toolbar={
          <>
            <SavedViews
              views={client.views}
              state={view}
              onApply={state => {
                if (state.compare) {
                  model.setState(state.compare);
                } else {
                  actions.openBrowserView?.(state);
                }
              }}
            />
            <CopyLinkButton state={view} />
          </>
        }
      />
    );
  }
}

export interface ICompareDeps {
  client: IExperimentsClient;
  actions: ICompareActions;
}

/** A Compare panel's content on a view. */
export function createCompareContent(
  deps: ICompareDeps,
  state: Partial<ICompareState>
): CompareContent {
  const model = new CompareModel(deps.client, state);
  void model.load();
  return new CompareContent(model, {
    client: deps.client,
    actions: deps.actions
  });
}

/** The progress panel's content: its view, kept with the layout. */
export class ProgressContent extends ReactWidget {
  constructor(
    private _state: IProgressState,
    private _options: ICompareDeps
  ) {
    super();
    this.addClass('jp-Experiments-panel');
    this.addClass('jp-ExperimentsProgress');
  }

  get state(): IProgressState {
    return this._state;
  }

  /** Emits the view whenever it changes (to save with the layout). */
  get stateChanged(): ISignal<this, IProgressState> {
    return this._stateChanged;
  }

  setState(state: IProgressState): void {
    this._state = state;
    this._stateChanged.emit(state);
    this.update();
  }

  render(): JSX.Element {
    const { client, actions } = this._options;
    const view: IViewState = {
      ...emptyViewState(),
      filter: this._state.filter,
      progress: this._state
    };
    return (
      <div className="jp-ExperimentsProgress-main">
        <div
          className="jp-ExperimentsCompare-toolbar"
          role="toolbar"
          aria-label="Progress"
        >
          <SavedViews
            views={client.views}
            state={view}
            onApply={state => {
              if (state.progress) {
                this.setState(state.progress);
              } else {
                actions.openBrowserView?.(state);
              }
            }}
          />
          <CopyLinkButton state={view} />
        </div>
        <ProgressView
          client={client}
          state={this._state}
          onChange={state => this.setState(state)}
          onOpenRun={runId => actions.openRun?.(runId)}
        >
          {runs => (
            <CompareSection title="Parallel coordinates" id="parallel" lazy>
              <ParallelChart
                runs={runs}
                colors={PROGRESS_COLOR}
                state={this._state.parallel ?? EMPTY_PARALLEL}
                onChange={parallel =>
                  this.setState({ ...this._state, parallel })
                }
                onFilter={filter => actions.filterBrowser?.(filter)}
                onOpenRun={runId => actions.openRun?.(runId)}
                onDrawn={ms => {
                  this.node.dataset.parallelDrawMs = String(ms);
                }}
              />
            </CompareSection>
          )}
        </ProgressView>
      </div>
    );
  }

  private _stateChanged = new Signal<this, IProgressState>(this);
}

/** A Progress panel's content on a view. */
export function createProgressContent(
  deps: ICompareDeps,
  state: IProgressState
): ProgressContent {
  return new ProgressContent(state, deps);
}
