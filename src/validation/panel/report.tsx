import { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { checkIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { ModelPanel } from '../../common/sidePanel';
import { IExperimentsClient, ValidationExport } from '../../rest';
import { ICheckpoints } from '../../tokens';
import type { IValidationSettings } from '../types';
import { canvasImageComparator } from './canvasImages';
import { ValidationModel } from './model';
import { IReportActions, ReportView } from './ReportView';

/**
 * The validation engine, the report panel and their code: one chunk, loaded
 * the first time a notebook is validated or its stored report is shown.
 */
export interface IReportOptions {
  app: JupyterFrontEnd;
  rendermime: IRenderMimeRegistry;
  client: IExperimentsClient;
  checkpoints: ICheckpoints | null;
  settings: () => IValidationSettings;
  selectCell: (panel: NotebookPanel, index: number) => void;
}

export interface IReport {
  widget: ModelPanel<ValidationModel>;
  model: ValidationModel;
}

async function download(
  client: IExperimentsClient,
  model: ValidationModel,
  format: ValidationExport
): Promise<void> {
  const runId = model.report?.runId;
  if (!runId) {
    return;
  }
  const blob = await client.validations.export(runId, format);
  const name = PathExt.basename(model.panel.context.path, '.ipynb');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${name}-validation-${runId.slice(0, 8)}.${format === 'json' ? 'json' : 'xml'}`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

let compareImages: ReturnType<typeof canvasImageComparator> | null = null;

/** A notebook's report: its model and the panel that shows it. */
export function createReport(
  panel: NotebookPanel,
  options: IReportOptions
): IReport {
  const { client, checkpoints, rendermime } = options;
  // Bitmaps are compared by their pixels (one decoder for every run).
  compareImages = compareImages ?? canvasImageComparator();
  const model = new ValidationModel({
    panel,
    sessions: options.app.serviceManager.sessions,
    settings: options.settings,
    checkpoint: checkpoints ? p => checkpoints.checkpoint(p) : undefined,
    compareImages,
    validations: client.validations
  });
  // Made once: rows re-render only when their own cell changes.
  const actions: IReportActions = {
    selectCell: index => options.selectCell(panel, index),
    cancel: () => model.cancel(),
    runAgain: () => void model.start(),
    export: format =>
      void download(client, model, format).catch(reason =>
        showErrorMessage('Could not export the validation', String(reason))
      )
  };
  const widget = new ModelPanel(model, {
    id: `jp-experiments-validation-${panel.id}`,
    icon: checkIcon,
    caption: `Validation of ${panel.context.path}`,
    view: model => (
      <ReportView model={model} rendermime={rendermime} actions={actions} />
    )
  });
  widget.title.label = `Validate ${PathExt.basename(panel.context.path)}`;
  widget.title.closable = true;
  widget.addClass('jp-Experiments-validationPanel');
  return { widget, model };
}
