import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  Notification,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { createActions } from './actions';
import { GitAPI } from './api';
import { GitDiffModel } from './diff';
import { GitDiffView } from './diffview';
import { GitDrive } from './drive';
import { describeError } from './errors';
import { HistoryModel } from './history';
import { HistoryView } from './historyview';
import { GitModel } from './model';
import { GitPanel } from './panel';
import { dirOf, INDEX, shortOid, WORKTREE } from './types';

/**
 * Git versioning of notebooks: the "Git" sidebar section for the folder open in the file
 * browser, history and notebook-aware diff views in the main area, read-only past versions
 * (a `conveyor-git:` drive), restore, and the file browser's History / Diff / Commit entries.
 */
export const gitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:git',
  description: 'Git versioning of notebooks: status, commit, history, diff, restore, branches, remotes.',
  autoStart: true,
  requires: [IConveyor, IDocumentManager],
  optional: [IDefaultFileBrowser, IFileBrowserFactory, ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    docManager: IDocumentManager,
    defaultBrowser: IDefaultFileBrowser | null,
    factory: IFileBrowserFactory | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const request = conveyor.requestAPI;
    const api = new GitAPI(request);
    const localPath = (path: string) => path.replace(/^[^/:]+:/, '');

    app.serviceManager.contents.addDrive(
      new GitDrive({ requestAPI: request, serverSettings: conveyor.serverSettings })
    );

    const model = new GitModel({
      requestAPI: request,
      events: conveyor.connection,
      path: localPath(defaultBrowser?.model.path ?? ''),
      autoStart: false
    });
    // Polling starts once the server's first status says this is not a managed workspace's
    // JupyterLab (git is not available there: docs/workspaces.md).
    const startOutsideWorkspace = () => {
      const status = conveyor.connection.status;
      if (!status) {
        conveyor.connection.changed.connect(startOutsideWorkspace);
        return;
      }
      conveyor.connection.changed.disconnect(startOutsideWorkspace);
      if (!status.workspace) model.start();
    };
    void app.restored.then(() => {
      if (defaultBrowser) {
        model.path = localPath(defaultBrowser.model.path);
        defaultBrowser.model.pathChanged.connect((_, change) => {
          model.path = localPath(change.newValue ?? '');
        });
      }
      startOutsideWorkspace();
    });
    // A saved, renamed or deleted file changes the status: reload soon.
    app.serviceManager.contents.fileChanged.connect(() => model.scheduleRefresh());

    const diffs = new WidgetTracker<GitDiffView>({ namespace: 'conveyor-git-diff' });
    const histories = new WidgetTracker<HistoryView>({ namespace: 'conveyor-git-history' });

    /** The file (or folder) the context menu was opened on, else null. */
    const selected = (): string | null => {
      const browser = factory?.tracker.currentWidget ?? defaultBrowser;
      const item = browser?.selectedItems().next();
      return item && !item.done ? localPath(item.value.path) : null;
    };
    const pathArg = (args: Record<string, unknown>): string | null =>
      typeof args.path === 'string' ? args.path : selected();

    const openDiff = (path: string, from?: string, to?: string) => {
      const diffModel = new GitDiffModel({ requestAPI: request, repo: dirOf(path) || '.', path, from, to });
      const id = GitDiffView.widgetId(diffModel);
      const existing = diffs.find(w => w.id === id);
      if (existing) {
        diffModel.dispose();
        void existing.model.load();
        app.shell.activateById(id);
        return existing;
      }
      const view = new GitDiffView({ model: diffModel, trans });
      void diffs.add(view);
      app.shell.add(view, 'main');
      app.shell.activateById(view.id);
      return view;
    };

    const openVersion = (path: string, ref: string) => {
      const widget = docManager.openOrReveal(GitDrive.pathFor(ref, path));
      if (widget) {
        const name = path.slice(path.lastIndexOf('/') + 1);
        widget.title.label = trans.__('%1 @ %2', name, shortOid(ref));
        widget.title.caption = trans.__('%1 as of commit %2 (read-only)', path, ref);
        // A record, not a working copy: no kernel, so nothing rewrites it or marks it dirty.
        const session = docManager.contextForWidget(widget)?.sessionContext;
        if (session && !session.session) {
          session.kernelPreference = { ...session.kernelPreference, shouldStart: false };
        }
      }
      return widget;
    };

    const restore = async (path: string, ref: string) => {
      const answer = await showDialog({
        title: trans.__('Restore %1', path),
        body: trans.__(
          'Write %1 as it was in commit %2 to the working copy? Nothing is committed: the restored file shows as a change you can commit, and HEAD keeps the current version.',
          path,
          shortOid(ref)
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Restore') })
        ]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        await api.restore(dirOf(path) || '.', path, ref);
      } catch (error) {
        await showErrorMessage(trans.__('Could not restore %1', path), {
          message: describeError(error, trans)
        });
        return;
      }
      // An open, unmodified editor of the file shows the restored content at once.
      const open = docManager.findWidget(path);
      const context = open ? docManager.contextForWidget(open) : undefined;
      if (context && !context.model.dirty) {
        await context.revert();
      }
      Notification.success(trans.__('Restored %1 to %2', path, shortOid(ref)), { autoClose: 4000 });
      void model.reload();
      histories.forEach(h => void h.model.reload());
    };

    const openHistory = (path: string | null, repo?: string) => {
      const repoArg = repo ?? (path ? dirOf(path) || '.' : model.repoArg);
      const id = HistoryView.widgetId(repoArg, path);
      let view = histories.find(w => w.id === id);
      if (!view) {
        view = new HistoryView({
          model: new HistoryModel({ requestAPI: request, repo: repoArg, path }),
          trans,
          actions: {
            open: (p, oid) => void openVersion(p, oid),
            diff: (p, from, to) => void openDiff(p, from, to),
            restore: (p, oid) => void restore(p, oid)
          }
        });
        void histories.add(view);
        app.shell.add(view, 'main');
      } else {
        void view.model.reload();
      }
      app.shell.activateById(view.id);
      return view;
    };

    const actions = createActions({
      model,
      trans,
      openDiff: file =>
        void openDiff(file.path, 'HEAD', file.staged && !file.unstaged ? INDEX : WORKTREE),
      openHistory: path => void openHistory(path ?? null),
      openFile: path => void docManager.openOrReveal(path)
    });
    const panel = new GitPanel({ model, trans, actions });
    conveyor.sidebar.addSection(panel, { rank: 400 });
    // Inside a managed workspace the server's git would act on its own folder, not this one (409
    // not_available_in_workspace; docs/workspaces.md): no Git section there (its title goes too).
    const removeInsideWorkspace = () => {
      if (conveyor.connection.status?.workspace && !panel.isDisposed) {
        conveyor.connection.changed.disconnect(removeInsideWorkspace);
        model.visible = false;
        panel.dispose();
      }
    };
    conveyor.connection.changed.connect(removeInsideWorkspace);
    removeInsideWorkspace();

    commands.addCommand(CommandIDs.showGit, {
      label: trans.__('Show Git'),
      caption: trans.__('Git status of the folder open in the file browser'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel);
        void model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshGit, {
      label: trans.__('Refresh Git Status'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.gitHistory, {
      label: trans.__('Git: History'),
      caption: trans.__('Commits that changed this file; open, diff or restore a version'),
      execute: args => openHistory(pathArg(args))
    });
    commands.addCommand(CommandIDs.gitRepoHistory, {
      label: trans.__('Git: Repository History'),
      isEnabled: () => model.inRepo,
      execute: () => openHistory(null, model.repoArg)
    });
    commands.addCommand(CommandIDs.gitDiff, {
      label: trans.__('Git: Diff with HEAD'),
      caption: trans.__('Changes since the last commit, cell by cell for notebooks'),
      execute: args => {
        const path = pathArg(args);
        if (path) {
          return openDiff(
            path,
            typeof args.from === 'string' ? args.from : undefined,
            typeof args.to === 'string' ? args.to : undefined
          );
        }
      }
    });
    commands.addCommand(CommandIDs.gitCommitFile, {
      label: trans.__('Git: Commit This File…'),
      caption: trans.__('Commit only this file, with a message'),
      execute: async args => {
        const path = pathArg(args);
        if (!path) {
          return;
        }
        const answer = await InputDialog.getText({
          title: trans.__('Commit %1', path),
          label: trans.__('Commit message'),
          placeholder: trans.__('What changed, and why')
        });
        const message = answer.button.accept ? answer.value?.trim() : '';
        if (!message) {
          return;
        }
        try {
          const { oid } = await api.commit(dirOf(path) || '.', message, { paths: [path] });
          Notification.success(trans.__('Committed %1 as %2', path, shortOid(oid)), {
            autoClose: 4000
          });
        } catch (error) {
          await showErrorMessage(trans.__('Commit failed'), { message: describeError(error, trans) });
        }
        void model.reload();
      }
    });
    commands.addCommand(CommandIDs.gitOpenVersion, {
      label: trans.__('Open Git Version'),
      caption: trans.__('Open a file as it was in a commit (read-only)'),
      execute: args => openVersion(args.path as string, args.ref as string)
    });
    commands.addCommand(CommandIDs.gitRestore, {
      label: trans.__('Restore Git Version…'),
      execute: args => restore(args.path as string, args.ref as string)
    });

    if (palette) {
      const category = trans.__('Conveyor');
      for (const command of [CommandIDs.showGit, CommandIDs.refreshGit, CommandIDs.gitRepoHistory]) {
        palette.addItem({ command, category });
      }
    }
    if (restorer) {
      void restorer.restore(diffs, {
        command: CommandIDs.gitDiff,
        args: w => ({ path: w.model.path, from: w.model.from, to: w.model.to }),
        name: w => w.id
      });
    }
  }
};
