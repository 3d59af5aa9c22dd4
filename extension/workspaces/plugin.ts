import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification, showErrorMessage } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import type { Workspace } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { confirmDelete } from './deletedialog';
import { stopNotice, workspaceFailure } from './errors';
import { accessOf, WorkspaceAction, WorkspacesModel, workspaceEntryUrl, workspaceLabUrl } from './model';
import { WorkspacesPanel } from './panel';
import { initialValues, loadChoices } from './start';
import { askStart } from './startdialog';

/**
 * The "Workspaces" sidebar section (docs/workspaces.md): start a managed workspace from an image
 * and a profile, open it in a new tab, stop, restart, share and delete it.
 */
export const workspacesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:workspaces',
  description: 'Conveyor workspaces: JupyterLab in a container of your own.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const model = new WorkspacesModel({
      requestAPI: conveyor.requestAPI,
      events: conveyor.connection.events,
      autoStart: false
    });
    void app.restored.then(() => model.start());
    // Stops the owner did not ask for: say why (the row shows the new status at once).
    conveyor.connection.events.connect((_, event) => {
      const text = stopNotice(event, trans);
      if (text) {
        Notification.warning(text, { autoClose: false });
      }
    });

    const open = (workspace: Workspace) => {
      // Shared with the caller: the entry, which sends them to a layout of their own.
      const url =
        accessOf(workspace) === 'owner'
          ? workspaceLabUrl(conveyor.serverSettings.baseUrl, workspace)
          : workspaceEntryUrl(conveyor.serverSettings.baseUrl, workspace.id);
      // A stopped workspace starts on the first request (scale to zero): the tab shows a
      // "starting…" page until JupyterLab answers.
      const tab = window.open(url, '_blank');
      if (tab) {
        tab.opener = null;
      } else {
        Notification.info(trans.__('Your browser blocked the new tab: %1', url), { autoClose: false });
      }
      if (workspace.status !== 'running') {
        void model.refresh();
      }
    };
    /** A refused request as a notification; budgets and quotas offer the Resources section. */
    const notifyFailure = (error: unknown, title: string) => {
      const failure = workspaceFailure(error, title, trans);
      const showResources = failure.showResources && commands.hasCommand(CommandIDs.openResources);
      Notification.error(`${failure.title}. ${failure.message}`, {
        autoClose: false,
        actions: showResources
          ? [{ label: trans.__('Show budgets and quotas'), callback: () => void commands.execute(CommandIDs.openResources) }]
          : []
      });
    };
    const act = async (workspace: Workspace, action: WorkspaceAction) => {
      try {
        await model.act(workspace.id, action);
      } catch (error) {
        const titles: Record<WorkspaceAction, string> = {
          start: trans.__('Could not start %1', workspace.name),
          stop: trans.__('Could not stop %1', workspace.name),
          restart: trans.__('Could not restart %1', workspace.name)
        };
        notifyFailure(error, titles[action]);
      }
    };
    const remove = async (workspace: Workspace) => {
      const answer = await confirmDelete(workspace, trans);
      if (!answer) {
        return;
      }
      try {
        await model.remove(workspace.id, answer.volume);
        Notification.success(
          answer.volume
            ? trans.__('Deleted %1 and your home volume', workspace.name)
            : trans.__('Deleted %1; your home volume is kept', workspace.name),
          { autoClose: 5000 }
        );
      } catch (error) {
        await showErrorMessage(trans.__('Could not delete %1', workspace.name), error as Error);
      }
    };

    const panel = new WorkspacesPanel({
      model,
      trans,
      onNew: () => void commands.execute(CommandIDs.newWorkspace),
      onOpen: open,
      onAction: (w, action) => void act(w, action),
      onShare: w =>
        void commands.execute(CommandIDs.share, { kind: 'workspace', target: { id: w.id }, label: w.name, owner: w.owner }),
      onDelete: w => void remove(w)
    });
    conveyor.sidebar.addSection(panel, { rank: 50 });

    commands.addCommand(CommandIDs.showWorkspaces, {
      label: trans.__('Show Workspaces'),
      caption: trans.__('Your managed workspaces'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel, { share: 0.4 });
        void model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshWorkspaces, {
      label: trans.__('Refresh Workspaces'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.newWorkspace, {
      label: trans.__('Start a Workspace…'),
      caption: trans.__('JupyterLab in a container of your own, from an image and a resource profile'),
      execute: async () => {
        const choices = await loadChoices(conveyor.requestAPI);
        const request = await askStart(choices, model.workspaces, initialValues(choices, model.workspaces), trans);
        if (!request) {
          return;
        }
        try {
          const created = await model.create(request);
          Notification.info(trans.__('Starting %1…', created.name), { autoClose: 4000 });
        } catch (error) {
          notifyFailure(error, trans.__('Could not start %1', request.name));
        }
      }
    });
    commands.addCommand(CommandIDs.openWorkspace, {
      label: trans.__('Open Workspace'),
      execute: args => {
        const id = String(args.id ?? '');
        open(model.workspaces.find(w => w.id === id) ?? ({ id, status: 'stopped' } as Workspace));
      }
    });

    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.showWorkspaces, category });
      palette.addItem({ command: CommandIDs.newWorkspace, category });
      palette.addItem({ command: CommandIDs.refreshWorkspaces, category });
    }
  }
};
