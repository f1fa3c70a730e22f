import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IToolbarWidgetRegistry,
  showErrorMessage
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { checkIcon } from '@jupyterlab/ui-components';

import { lazy } from '../../common/lazy';
import { addNotebookCommand } from '../../common/notebookCommand';
import { METADATA_KEY, readNotebookId } from '../../common/notebookId';
import { IExperimentsClient } from '../../rest';
import { CommandIDs, ICheckpoints } from '../../tokens';
import { DEFAULT_VALIDATION_SETTINGS } from '../settings';
import type { IValidationSettings } from '../types';
import { ILatestValidation, ValidationBadge } from './badge';
import { validationSettings } from './format';
import { latestValidation } from './latest';
import type { ValidationModel } from './model';
import type { IReport, IReportOptions } from './report';

export const VALIDATION_PLUGIN_ID = 'jupyterlab-experiments:validation';
const BADGE = 'experiments-validation-badge';

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

    const reports = new Map<NotebookPanel, Promise<IReport>>();
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

    const loadReport = lazy(() => import('./report'));
    const reportOptions: IReportOptions = {
      app,
      rendermime,
      client,
      checkpoints,
      settings: () => settings,
      selectCell
    };

    /**
     * The report panel of a notebook, opened if it is not open: below it by
     * default (the notebook keeps its width, so JupyterLab need not lay its
     * cells out again), or beside it as the settings say.
     */
    const reportOf = async (panel: NotebookPanel): Promise<ValidationModel> => {
      let report = reports.get(panel);
      if (report) {
        const { widget, model } = await report;
        app.shell.activateById(widget.id);
        return model;
      }
      report = loadReport().then(({ createReport }) =>
        createReport(panel, reportOptions)
      );
      reports.set(panel, report);
      let created: IReport;
      try {
        created = await report;
      } catch (reason) {
        reports.delete(panel);
        throw reason;
      }
      const { widget, model } = created;
      model.finished.connect((_, latest) => setLatest(panel, latest));
      widget.disposed.connect(() => {
        if (reports.get(panel) === report) {
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

    const openReport = async (panel: NotebookPanel) => {
      const latest = badges.get(panel)?.latest;
      const model = await reportOf(panel);
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
      const badge = new ValidationBadge(
        panel,
        () =>
          void openReport(panel).catch(reason =>
            showErrorMessage('Could not open the report', String(reason))
          )
      );
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
      execute: async panel => {
        const model = await reportOf(panel);
        return model.isRunning ? undefined : model.start();
      }
    });
  }
};
