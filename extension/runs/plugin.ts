import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { API_PREFIX } from '../core/api';
import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { NotebookDiffView } from './diffview';
import { RunsDrive } from './drive';
import { RunsModel } from './model';
import { notifyRunsFinished } from './notify';
import { RunsPanel } from './panel';
import { RunModel } from './runmodel';
import { RunView } from './runview';

/**
 * The "Runs" sidebar section, run views, the executed-notebook drive, the notebook diff and
 * notifications when runs finish.
 */
export const runsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:runs',
  description: 'Lists runs, shows their steps, logs and results.',
  autoStart: true,
  requires: [IConveyor, IDocumentManager],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    docManager: IDocumentManager,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const request = conveyor.requestAPI;
    const apiUrl = (path: string) =>
      URLExt.join(conveyor.serverSettings.baseUrl, API_PREFIX, path);

    app.serviceManager.contents.addDrive(
      new RunsDrive({ requestAPI: request, serverSettings: conveyor.serverSettings })
    );

    const model = new RunsModel({
      requestAPI: request,
      events: conveyor.connection,
      autoStart: false
    });
    void app.restored.then(() => model.start());
    const tracker = new WidgetTracker<RunView>({ namespace: 'conveyor-run' });

    const openRun = (id: string): RunView => {
      let view = tracker.find(w => w.model.id === id);
      if (!view) {
        const runModel = new RunModel({
          id,
          requestAPI: request,
          channel: conveyor.connection
        });
        view = new RunView({
          model: runModel,
          trans,
          commands,
          apiUrl,
          onOpenRun: other => void commands.execute(CommandIDs.openRun, { id: other })
        });
        // Buttons read isEnabled from the run's status.
        runModel.changed.connect(() => commands.notifyCommandChanged());
        void runModel.refresh();
        void tracker.add(view);
        app.shell.add(view, 'main');
      }
      app.shell.activateById(view.id);
      return view;
    };

    const panel = new RunsPanel({
      model,
      trans,
      onOpen: id => void commands.execute(CommandIDs.openRun, { id }),
      onDiff: () => void commands.execute(CommandIDs.diffRuns)
    });
    conveyor.sidebar.addSection(panel, { rank: 100 });

    const reveal = (id: string) => {
      app.shell.activateById(conveyor.sidebar.id);
      expandSection(panel);
      model.query = '';
      model.selectedId = id;
      void model.refresh();
    };

    /** The run a command acts on: its `id` argument or the current run view's. */
    const runFor = (args: { id?: unknown }): RunModel | null => {
      if (typeof args.id === 'string') {
        return tracker.find(w => w.model.id === args.id)?.model ?? null;
      }
      return tracker.currentWidget?.model ?? null;
    };
    const act = async (
      args: { id?: unknown },
      what: string,
      action: (run: RunModel) => Promise<{ id: string }>
    ) => {
      const run = runFor(args);
      if (!run) {
        return;
      }
      try {
        const result = await action(run);
        void model.refresh();
        if (result.id !== run.id) {
          openRun(result.id);
        }
      } catch (error) {
        await showErrorMessage(what, error as Error);
      }
    };

    commands.addCommand(CommandIDs.openRun, {
      label: trans.__('Open Run'),
      execute: args => {
        const id = args.id as string;
        if (args.reveal) {
          reveal(id);
        } else {
          model.selectedId = id;
          openRun(id);
        }
      }
    });
    commands.addCommand(CommandIDs.refreshRuns, {
      label: trans.__('Refresh Runs'),
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.cancelRun, {
      label: trans.__('Cancel Run'),
      caption: trans.__('Stop the run and remove its containers'),
      isEnabled: args => !!runFor(args)?.canCancel,
      execute: args => act(args, trans.__('Could not cancel the run'), r => r.cancel())
    });
    commands.addCommand(CommandIDs.resumeRun, {
      label: trans.__('Resume Run'),
      caption: trans.__('Start a new run that reuses the succeeded steps'),
      isEnabled: args => !!runFor(args)?.canResume,
      execute: args => act(args, trans.__('Could not resume the run'), r => r.resume())
    });
    commands.addCommand(CommandIDs.rerunRun, {
      label: trans.__('Rerun'),
      caption: trans.__('Start a new run with the same inputs'),
      isEnabled: args => !!runFor(args)?.canRerun,
      execute: args => act(args, trans.__('Could not rerun'), r => r.rerun())
    });
    commands.addCommand(CommandIDs.openExecutedNotebook, {
      label: trans.__('Open Executed Notebook'),
      caption: trans.__('Open the notebook as the step ran it (read-only)'),
      isEnabled: args => {
        const run = runFor(args);
        const step = run?.run?.steps.find(s => s.name === args.step);
        return !!step && (!!step.executedNotebook || step.status === 'failed' || step.status === 'succeeded');
      },
      execute: args => {
        const widget = docManager.openOrReveal(
          RunsDrive.pathFor(args.id as string, args.step as string)
        );
        // A record of what ran, not a working copy: no kernel, so its metadata is not rewritten
        // and it does not open "modified". (Pick a kernel by hand to run cells in it.)
        const session = widget ? docManager.contextForWidget(widget)?.sessionContext : undefined;
        if (session && !session.session) {
          session.kernelPreference = { ...session.kernelPreference, shouldStart: false };
        }
        return widget;
      }
    });
    commands.addCommand(CommandIDs.diffRuns, {
      label: trans.__('Diff Executed Notebooks'),
      caption: trans.__('Compare the executed notebooks of the two checked runs'),
      isEnabled: () => model.checked.length === 2,
      execute: () => {
        const [a, b] = model.checked.map(id => model.find(id));
        if (!a || !b) {
          return;
        }
        const view = new NotebookDiffView({ a, b, requestAPI: request, trans });
        app.shell.add(view, 'main');
        app.shell.activateById(view.id);
      }
    });
    model.changed.connect(() => commands.notifyCommandChanged(CommandIDs.diffRuns));

    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.refreshRuns, category });
      palette.addItem({ command: CommandIDs.diffRuns, category });
      palette.addItem({ command: CommandIDs.cancelRun, category });
      palette.addItem({ command: CommandIDs.resumeRun, category });
      palette.addItem({ command: CommandIDs.rerunRun, category });
    }
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openRun,
        args: w => ({ id: w.model.id }),
        name: w => w.model.id
      });
    }

    notifyRunsFinished(conveyor.connection.events, trans, id =>
      commands.execute(CommandIDs.openRun, { id })
    );
  }
};
