/**
 * Saved views, for the browser panel to mount: the list from the server,
 * apply one, save the current view under a name, delete one.
 */
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import { deleteIcon, saveIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useMemo, useState } from 'react';

import type { IViewsClient } from '../../rest';
import type { IViewState } from '../viewState';
import { checkViewName, ISavedViewItem, SavedViewsModel } from './model';

export interface ISavedViewsProps {
  views: IViewsClient;
  /** The view on screen: what "Save current view" saves. */
  state: IViewState;
  /** A saved view was chosen. */
  onApply: (state: IViewState, name: string) => void;
}

/** Ask for a name; null when cancelled. */
async function askName(suggestion: string): Promise<string | null> {
  for (;;) {
    const result = await InputDialog.getText({
      title: 'Save View As',
      label: 'Name',
      text: suggestion,
      placeholder: 'lr sweep, best of May…',
      okLabel: 'Save'
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    const problem = checkViewName(result.value);
    if (!problem) {
      return result.value.trim();
    }
    await showDialog({
      title: 'Save View As',
      body: problem,
      buttons: [Dialog.okButton()]
    });
    suggestion = result.value;
  }
}

async function confirm(
  title: string,
  body: string,
  label: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label })]
  });
  return result.button.accept;
}

const formatTime = (seconds: number) =>
  seconds ? new Date(seconds * 1000).toLocaleString() : '';

export function SavedViews(props: ISavedViewsProps): JSX.Element {
  const model = useMemo(() => new SavedViewsModel(props.views), [props.views]);
  const [, setVersion] = useState(0);
  const [current, setCurrent] = useState<string | null>(null);

  useEffect(() => {
    const update = () => setVersion(v => v + 1);
    model.changed.connect(update);
    void model.refresh();
    return () => {
      model.changed.disconnect(update);
      model.dispose();
    };
  }, [model]);

  const save = async () => {
    const name = await askName(current ?? '');
    if (name === null) {
      return;
    }
    if (
      model.find(name) &&
      !(await confirm(
        'Replace View?',
        `A view named “${name}” exists. Replace it with the current view?`,
        'Replace'
      ))
    ) {
      return;
    }
    if (await model.save(name, props.state)) {
      setCurrent(name);
    }
  };

  const remove = async (view: ISavedViewItem) => {
    if (
      await confirm(
        'Delete View?',
        `Delete the saved view “${view.name}”? Its runs are not touched.`,
        'Delete'
      )
    ) {
      await model.remove(view.name);
    }
  };

  return (
    <div className="jp-ExperimentsViews">
      <div className="jp-ExperimentsViews-header">
        <span className="jp-ExperimentsViews-title">Saved views</span>
        <button
          type="button"
          className="jp-mod-styled jp-ExperimentsViews-save"
          title="Save the current filter, sort, columns and grouping under a name"
          onClick={() => void save()}
        >
          <saveIcon.react tag="span" elementPosition="center" />
          <span>Save current view…</span>
        </button>
      </div>
      {model.error && (
        <div className="jp-ExperimentsViews-error" role="alert">
          {model.error}
        </div>
      )}
      {!model.loaded ? (
        !model.error && <p className="jp-ExperimentsViews-empty">Loading…</p>
      ) : model.views.length === 0 ? (
        <p className="jp-ExperimentsViews-empty">
          No saved views yet: save the current one to come back to it.
        </p>
      ) : (
        <ul className="jp-ExperimentsViews-list">
          {model.views.map(view => (
            <li
              key={view.name}
              className={
                view.name === current
                  ? 'jp-ExperimentsViews-item jp-mod-current'
                  : 'jp-ExperimentsViews-item'
              }
            >
              <button
                type="button"
                className="jp-ExperimentsViews-apply"
                disabled={!view.state}
                title={
                  view.state
                    ? `Show “${view.name}”, saved ${formatTime(view.updated)}`
                    : 'This view was saved in a form this version cannot read'
                }
                onClick={() => {
                  if (view.state) {
                    setCurrent(view.name);
                    props.onApply(view.state, view.name);
                  }
                }}
              >
                {view.name}
              </button>
              <button
                type="button"
                className="jp-ExperimentsViews-delete"
                aria-label={`Delete the view ${view.name}`}
                title="Delete this saved view"
                onClick={() => void remove(view)}
              >
                <deleteIcon.react tag="span" elementPosition="center" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
