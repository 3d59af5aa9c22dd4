import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../core/commands';
import { conveyorIcon } from '../core/icons';
import { IConveyor } from '../core/tokens';
import { SubmitBody, SubmitDialog } from './dialog';
import { SubmitModel } from './model';

/**
 * "Submit to training…": runs a notebook as a one-step run in a container. Offered in the file
 * browser's context menu and the notebook toolbar (both declared in schema/settings/submit.json)
 * and in the command palette (for the current notebook).
 */
export const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:submit',
  description: 'Submit a notebook to run in a container.',
  autoStart: true,
  requires: [IConveyor, IDocumentManager],
  optional: [IDefaultFileBrowser, ICommandPalette, ITranslator, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    docManager: IDocumentManager,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    // The profile picked in the Resources section (its settings), preselected in the form.
    let resourceSettings: ISettingRegistry.ISettings | null = null;
    settingRegistry
      ?.load('jupyterlab-conveyor:resources')
      .then(settings => (resourceSettings = settings))
      .catch(() => undefined);

    /** The notebook to submit: an explicit path, the right-clicked file, or the current notebook. */
    const target = (args: { path?: unknown }): string | null => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      const fromMenu = app.contextMenuHitTest(node => node.classList.contains('jp-DirListing-item'));
      if (fromMenu && fileBrowser) {
        const item = fileBrowser.selectedItems().next();
        const model = item && !item.done ? item.value : null;
        return model && model.type === 'notebook' ? model.path : null;
      }
      const widget = app.shell.currentWidget;
      const context = widget ? docManager.contextForWidget(widget) : undefined;
      return context && context.path.endsWith('.ipynb') ? context.path : null;
    };

    app.commands.addCommand(CommandIDs.submitNotebook, {
      label: trans.__('Submit to training…'),
      caption: trans.__('Run this notebook in a container and track the run'),
      icon: args => (args.toolbar ? conveyorIcon : undefined),
      isEnabled: args => target(args) !== null,
      execute: async args => {
        const path = target(args);
        if (!path) {
          return;
        }
        // An open notebook with unsaved edits: submit what the user sees.
        let saved = false;
        const widget = docManager.findWidget(path);
        const context = widget ? docManager.contextForWidget(widget) : undefined;
        if (context?.model.dirty) {
          try {
            await context.save();
            saved = true;
          } catch (error) {
            await showErrorMessage(trans.__('Could not save the notebook'), error as Error);
            return;
          }
        }
        const model = new SubmitModel({
          path,
          requestAPI: conveyor.requestAPI,
          savedBeforeSubmit: saved,
          preferredProfile: () =>
            (resourceSettings?.get('profile').composite as string | undefined) ?? ''
        });
        const dialog = new SubmitDialog(new SubmitBody(model, trans), trans);
        void model.load();
        await dialog.launch();
        const run = dialog.run;
        dialog.dispose();
        if (run) {
          await app.commands.execute(CommandIDs.openRun, { id: run.id, reveal: true });
        }
      }
    });

    if (palette) {
      palette.addItem({ command: CommandIDs.submitNotebook, category: trans.__('Conveyor') });
    }
  }
};
