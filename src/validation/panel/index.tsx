import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IToolbarWidgetRegistry,
  showErrorMessage
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { checkIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { addNotebookCommand } from '../../common/notebookCommand';
import { METADATA_KEY, readNotebookId } from '../../common/notebookId';
import { ModelPanel } from '../../common/sidePanel';
import { IExperimentsClient, ValidationExport } from '../../rest';
import { CommandIDs, ICheckpoints } from '../../tokens';
import { DEFAULT_VALIDATION_SETTINGS } from '../runner';
import type { IValidationSettings } from '../types';
import { ILatestValidation, ValidationBadge } from './badge';
import { canvasImageComparator } from './canvasImages';
import { validationSettings } from './format';
import { latestValidation, ValidationModel } from './model';
import { IReportActions, ReportView } from './ReportView';

export const VALIDATION_PLUGIN_ID = 'jupyterlab-experiments:validation';
const BADGE = 'experiments-validation-badge';

interface IReport {
  widget: ModelPanel<ValidationModel>;
  model: ValidationModel;
}

export const validationPlugin: JupyterFrontEndPlugin<void> = {
  id: VALIDATION_PLUGIN_ID,
  description:
    'Runs a notebook top to bottom in a new kernel and reports, cell by cell, whether it still works.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry, IExperimentsClient],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    IToolbarWidgetRegistry,
    ICheckpoints
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    client: IExperimentsClient,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    checkpoints: ICheckpoints | null
  ) => {
    let settings: IValidationSettings = DEFAULT_VALIDATION_SETTINGS;
    let beside = false;
    if (settingRegistry) {
      void settingRegistry.load(VALIDATION_PLUGIN_ID).then(loaded => {
        const apply = () => {
          settings = validationSettings(loaded.composite as any);
          beside = loaded.composite.reportPlacement === 'beside';
        };
        apply();
        loaded.changed.connect(apply);
      });
    }

    const reports = new Map<NotebookPanel, IReport>();
    const badges = new Map<NotebookPanel, ValidationBadge>();

    const selectCell = (panel: NotebookPanel, index: number) => {
      if (panel.isDisposed) {
        return;
      }
      app.shell.activateById(panel.id);
      const notebook = panel.content;
      notebook.activeCellIndex = index;
      notebook.deselectAll();
      void notebook.scrollToItem(index, 'center');
    };

    const download = async (
      model: ValidationModel,
      format: ValidationExport
    ) => {
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
    };

    // Bitmaps are compared by their pixels (one decoder for every run).
    const compareImages = canvasImageComparator();

    /**
     * The report panel of a notebook, opened if it is not open: below it by
     * default (the notebook keeps its width, so JupyterLab need not lay its
     * cells out again), or beside it as the settings say.
     */
    const reportOf = (panel: NotebookPanel): ValidationModel => {
      const existing = reports.get(panel);
      if (existing) {
        app.shell.activateById(existing.widget.id);
        return existing.model;
      }
      const model = new ValidationModel({
        panel,
        sessions: app.serviceManager.sessions,
        settings: () => settings,
        checkpoint: checkpoints ? p => checkpoints.checkpoint(p) : undefined,
        compareImages,
        validations: client.validations
      });
      model.finished.connect((_, latest) => setLatest(panel, latest));
      // Made once: rows re-render only when their own cell changes.
      const actions: IReportActions = {
        selectCell: index => selectCell(panel, index),
        cancel: () => model.cancel(),
        runAgain: () => void model.start(),
        export: format =>
          void download(model, format).catch(reason =>
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
      reports.set(panel, { widget, model });
      widget.disposed.connect(() => {
        if (reports.get(panel)?.widget === widget) {
          reports.delete(panel);
        }
      });
      panel.disposed.connect(() => widget.dispose());
      app.shell.add(widget, 'main', {
        ref: panel.id,
        mode: beside ? 'split-right' : 'split-bottom'
      });
      app.shell.activateById(widget.id);
      return model;
    };

    const setLatest = (panel: NotebookPanel, latest: ILatestValidation) => {
      const badge = badges.get(panel);
      if (badge) {
        badge.latest = latest;
      }
    };

    const openReport = (panel: NotebookPanel) => {
      const latest = badges.get(panel)?.latest;
      const model = reportOf(panel);
      if (latest && !model.report && !model.isRunning) {
        model.showStored(latest.report);
      }
    };

    /** After a reload the badge shows the notebook's latest stored validation. */
    const restoreBadge = async (
      panel: NotebookPanel,
      badge: ValidationBadge
    ) => {
      await panel.context.ready;
      const notebookId = readNotebookId(panel.model?.getMetadata(METADATA_KEY));
      if (!notebookId) {
        return;
      }
      const report = await latestValidation(client.validations, notebookId);
      if (report && !badge.latest && !badge.isDisposed) {
        const hash = (report.settings as { source_hash?: string })?.source_hash;
        badge.latest = { report, hash: hash ?? '' };
      }
    };

    toolbarRegistry?.addFactory<NotebookPanel>('Notebook', BADGE, panel => {
      const badge = new ValidationBadge(panel, () => openReport(panel));
      badges.set(panel, badge);
      badge.disposed.connect(() => badges.delete(panel));
      void restoreBadge(panel, badge).catch(() => {
        // No stored validation to show: the badge stays hidden.
      });
      return badge;
    });

    addNotebookCommand(app, notebooks, palette, CommandIDs.validate, {
      label: 'Run Top to Bottom (validate)',
      caption:
        'Run the notebook top to bottom in a new kernel (yours is untouched) and report each cell',
      icon: checkIcon,
      failure: 'Could not validate the notebook',
      execute: panel => {
        const model = reportOf(panel);
        return model.isRunning ? undefined : model.start();
      }
    });
  }
};
