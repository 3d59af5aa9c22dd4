import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  InputDialog,
  Notification,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { API_PREFIX } from '../core/api';
import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { whenInsideWorkspace } from '../workspaces/inside';
import type { IDatasetId } from './api';
import { datasetKey, datasetReference, json, versionPath } from './api';
import { DiffView } from './diffview';
import { DatasetsModel } from './model';
import { registerWithProgress } from './progress';
import { askRegister, registerErrors } from './registerdialog';
import { DatasetsSection } from './section';
import { DiffModel, VersionModel } from './viewmodels';
import { VersionView } from './versionview';

/** `{owner, name}` from command args. */
function idOf(args: { owner?: unknown; name?: unknown }): IDatasetId {
  return { owner: String(args.owner ?? ''), name: String(args.name ?? '') };
}

/**
 * The datasets feature: the "Datasets" sidebar section, versions (files or table preview,
 * lineage) and diffs in the main area, `dataset://` references, tags, and "Register as dataset
 * version…" in the file browser's context menu (declared in schema/settings/datasets.json).
 */
export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:datasets',
  description: 'Versioned datasets: list, preview, diff, lineage and registration.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const request = conveyor.requestAPI;
    const me = () => conveyor.connection.status?.user.name ?? null;
    const model = new DatasetsModel({ requestAPI: request, autoStart: false });
    void app.restored.then(() => model.start());
    // Versions come back after a reload; diffs are cheap to ask for again.
    const tracker = new WidgetTracker<VersionView>({ namespace: 'conveyor-dataset' });
    const diffs = new WidgetTracker<DiffView>({ namespace: 'conveyor-dataset-diff' });

    const show = (widget: VersionView | DiffView) => {
      if (!widget.isAttached) {
        if (widget instanceof VersionView) {
          void tracker.add(widget);
        } else {
          void diffs.add(widget);
        }
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
    };

    // Adding a version from a path reads the server's own folder: not inside a managed workspace (409 there).
    let insideWorkspace = false;
    const registerOffered = () => !insideWorkspace;
    const panel = new DatasetsSection({
      model,
      trans,
      me,
      actions: {
        onRegister: () => void commands.execute(CommandIDs.registerDataset),
        canRegister: () => registerOffered(),
        onOpen: (id, ref) => void commands.execute(CommandIDs.openDatasetVersion, { ...id, ref }),
        onDiff: (dataset, from, to) => {
          const [owner, ...rest] = dataset.split('/');
          void commands.execute(CommandIDs.diffDatasetVersions, { owner, name: rest.join('/'), from, to });
        },
        onCopy: (id, ref) => void commands.execute(CommandIDs.copyDatasetReference, { ...id, ref }),
        onTag: (id, ref) => void commands.execute(CommandIDs.tagDatasetVersion, { ...id, ref })
      }
    });
    conveyor.sidebar.addSection(panel, { rank: 250 });
    whenInsideWorkspace(conveyor.connection, () => {
      insideWorkspace = true;
      panel.update();
      commands.notifyCommandChanged(CommandIDs.registerDataset);
    });

    /** The path to register: explicit, the file browser's selection, else its folder. */
    const target = (args: { path?: unknown }): string | null => {
      if (typeof args.path === 'string') {
        return args.path;
      }
      if (!fileBrowser) {
        return null;
      }
      const item = fileBrowser.selectedItems().next();
      if (item && !item.done) {
        return item.value.path;
      }
      return fileBrowser.model.path;
    };

    commands.addCommand(CommandIDs.showDatasets, {
      label: trans.__('Show Datasets'),
      caption: trans.__('Versioned datasets: versions, diffs and lineage'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel, { share: 0.5 });
        void model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshDatasets, {
      label: trans.__('Refresh Datasets'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.registerDataset, {
      label: trans.__('Register as Dataset Version…'),
      caption: trans.__('Hash this file or folder and record it as a new immutable dataset version'),
      isVisible: () => registerOffered(),
      isEnabled: args => registerOffered() && target(args) !== null,
      execute: async args => {
        const path = target(args);
        if (path === null) {
          return;
        }
        // A path of another drive (`Drive:dir`) is not in the workspace; the server says so.
        const wanted = await askRegister(path, trans, typeof args.name === 'string' ? args.name : undefined);
        if (!wanted) {
          return;
        }
        const errors = Object.values(registerErrors(wanted, trans));
        if (errors.length) {
          await showErrorMessage(trans.__('Cannot register this version'), errors.join('\n'));
          return;
        }
        const version = await registerWithProgress(wanted, conveyor.serverSettings, trans);
        if (!version) {
          return;
        }
        await model.reveal({ owner: version.owner, name: version.name });
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel, { share: 0.5 });
      }
    });
    commands.addCommand(CommandIDs.openDatasetVersion, {
      label: trans.__('Open Dataset Version'),
      execute: args => {
        const id = idOf(args);
        const ref = String(args.ref ?? '');
        const existing = tracker.find(w => w.model.key === `${id.owner}/${id.name}@${ref}`);
        if (existing) {
          show(existing);
          return;
        }
        const versionModel = new VersionModel({ dataset: id, ref, requestAPI: request });
        const view = new VersionView({
          model: versionModel,
          trans,
          onCopy: (d, r) => void commands.execute(CommandIDs.copyDatasetReference, { ...d, ref: r }),
          onTag: (d, r) => void commands.execute(CommandIDs.tagDatasetVersion, { ...d, ref: r }),
          onBlind: (d, r) => void commands.execute(CommandIDs.blindDatasetVersion, { ...d, ref: r }),
          // Only the dataset's owner may share a version (`conveyor:share` hides it from others).
          onShare: commands.isVisible(CommandIDs.share, { kind: 'dataset', target: {}, owner: id.owner })
            ? (d, r) =>
                void commands.execute(CommandIDs.share, {
                  kind: 'dataset',
                  target: { dataset: `${d.owner}/${d.name}`, version: r },
                  label: `${d.owner}/${d.name}@${r}`,
                  owner: d.owner
                })
            : null,
          fileUrl: path =>
            URLExt.join(
              conveyor.serverSettings.baseUrl,
              API_PREFIX,
              versionPath(id, versionModel.version.value?.id ?? ref),
              'files',
              ...path.split('/').map(encodeURIComponent)
            ),
          onOpenRun: commands.hasCommand(CommandIDs.openRun)
            ? runId => void commands.execute(CommandIDs.openRun, { id: runId, reveal: true })
            : null
        });
        show(view);
        void versionModel.load();
      }
    });
    commands.addCommand(CommandIDs.diffDatasetVersions, {
      label: trans.__('Diff Dataset Versions'),
      execute: args => {
        const id = idOf(args);
        const from = String(args.from ?? '');
        const to = String(args.to ?? '');
        const key = `${id.owner}/${id.name}@${from}..${to}`;
        const existing = diffs.find(w => w.model.key === key);
        if (existing) {
          show(existing);
          void existing.model.load();
          return;
        }
        const diffModel = new DiffModel({ dataset: id, from, to, requestAPI: request });
        show(new DiffView({ model: diffModel, trans }));
        void diffModel.load();
      }
    });
    commands.addCommand(CommandIDs.copyDatasetReference, {
      label: trans.__('Copy dataset:// Reference'),
      execute: args => {
        const reference = datasetReference(idOf(args), String(args.ref ?? ''), me());
        Clipboard.copyToSystem(reference);
        Notification.info(trans.__('Copied %1', reference), { autoClose: 3000 });
      }
    });
    commands.addCommand(CommandIDs.tagDatasetVersion, {
      label: trans.__('Tag Dataset Version…'),
      execute: async args => {
        const id = idOf(args);
        const ref = String(args.ref ?? '');
        let tag = typeof args.tag === 'string' ? args.tag : null;
        if (tag === null) {
          const answer = await InputDialog.getText({
            title: trans.__('Tag %1@%2', id.name, ref),
            label: trans.__('Tag (moves it here if another version has it)'),
            placeholder: 'prod',
            okLabel: trans.__('Tag')
          });
          tag = answer.button.accept ? (answer.value ?? '').trim() : null;
        }
        if (!tag) {
          return;
        }
        try {
          await model.tag(id, ref, tag);
          Notification.success(trans.__('Tagged %1@%2 as %3', id.name, ref, tag), { autoClose: 4000 });
        } catch (error) {
          await showErrorMessage(trans.__('Could not tag the version'), error as Error);
        }
      }
    });

    commands.addCommand(CommandIDs.blindDatasetVersion, {
      label: trans.__('Mark Dataset Version as Blinded Test Set…'),
      execute: async args => {
        const id = idOf(args);
        const ref = String(args.ref ?? '');
        const answer = await showDialog({
          title: trans.__('Blind %1@%2?', id.name, ref),
          body: trans.__(
            'Nobody will be able to preview, download, diff or mount this version any more; only an admin-approved evaluation step can read it, and only its metrics leave. Only an admin can undo this.'
          ),
          buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Blind') })]
        });
        if (!answer.button.accept) {
          return;
        }
        try {
          await request(`${versionPath(id, ref)}/blinded`, json('PUT', { blinded: true }));
        } catch (error) {
          await showErrorMessage(trans.__('Could not blind the version'), error as Error);
          return;
        }
        await Promise.all([
          model.refresh(),
          ...tracker.filter(w => datasetKey(w.model.dataset) === datasetKey(id)).map(w => w.model.load())
        ]);
      }
    });

    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.showDatasets, category });
      palette.addItem({ command: CommandIDs.refreshDatasets, category });
      palette.addItem({ command: CommandIDs.registerDataset, category });
    }
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openDatasetVersion,
        args: w => ({ ...w.model.dataset, ref: w.model.ref }),
        name: w => w.model.key
      });
    }
  }
};
