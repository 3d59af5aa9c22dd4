import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  Notification,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import type { StepImage } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { BuildModel } from './build';
import { askBuild } from './builddialog';
import { BuildView } from './buildview';
import { imageRef } from './group';
import { ImagesModel } from './model';
import { ImagesPanel } from './panel';

/**
 * The "Images" sidebar section (registry and engine images, search by package, default image,
 * delete own tags) and custom image builds with their live log in the main area.
 */
export const imagesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:images',
  description: 'Lists workspace images and builds custom ones.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const request = conveyor.requestAPI;
    const model = new ImagesModel({
      requestAPI: request,
      connection: conveyor.connection,
      autoStart: false
    });
    void app.restored.then(() => model.start());
    const tracker = new WidgetTracker<BuildView>({ namespace: 'conveyor-image-build' });

    const copy = (text: string) => {
      Clipboard.copyToSystem(text);
      Notification.info(trans.__('Copied %1', text), { autoClose: 3000 });
    };
    const setDefault = async (ref: string) => {
      try {
        await model.setDefault(ref);
        Notification.success(trans.__('New submissions use %1', ref), { autoClose: 5000 });
      } catch (error) {
        await showErrorMessage(trans.__('Could not set the default image'), error as Error);
      }
    };
    const remove = async (image: StepImage) => {
      const ref = imageRef(image);
      const answer = await showDialog({
        title: trans.__('Delete image tag'),
        body: trans.__('Delete %1 from the registry? Runs that used it keep their record.', ref),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Delete') })
        ]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        await model.remove(image);
      } catch (error) {
        await showErrorMessage(trans.__('Could not delete %1', ref), error as Error);
      }
    };

    const openBuild = (id: string, name?: string): BuildView => {
      let view = tracker.find(w => w.model.id === id);
      if (!view) {
        const buildModel = new BuildModel({
          id,
          requestAPI: request,
          events: conveyor.connection.events
        });
        view = new BuildView({
          model: buildModel,
          trans,
          name,
          onCopy: copy,
          onUseAsDefault: ref => void setDefault(ref)
        });
        void tracker.add(view);
        app.shell.add(view, 'main');
      }
      app.shell.activateById(view.id);
      return view;
    };

    const panel = new ImagesPanel({
      model,
      trans,
      onBuild: base => void commands.execute(CommandIDs.buildImage, base ? { base } : {}),
      onSetDefault: image => void setDefault(imageRef(image)),
      onDelete: image => void remove(image),
      onCopy: copy
    });
    conveyor.sidebar.addSection(panel, { rank: 200 });

    commands.addCommand(CommandIDs.openImages, {
      label: trans.__('Show Images'),
      caption: trans.__('Workspace images: registry and local engine'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel);
        void model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshImages, {
      label: trans.__('Refresh Images'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.buildImage, {
      label: trans.__('Build Custom Image…'),
      caption: trans.__('Add pip and apt packages to a registry image and push it as yours'),
      execute: async args => {
        const base = typeof args.base === 'string' ? args.base : undefined;
        const wanted = await askBuild(model.bases, trans, base);
        if (!wanted) {
          return;
        }
        try {
          const answer = await request<{ buildId: string }>('images/builds', {
            method: 'POST',
            body: JSON.stringify(wanted),
            headers: { 'Content-Type': 'application/json' }
          });
          openBuild(answer.buildId, `${wanted.name}:${wanted.version}`);
        } catch (error) {
          await showErrorMessage(trans.__('Could not start the build'), error as Error);
        }
      }
    });
    commands.addCommand(CommandIDs.openImageBuild, {
      label: trans.__('Open Image Build'),
      execute: args => openBuild(args.id as string, args.name as string | undefined)
    });

    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.openImages, category });
      palette.addItem({ command: CommandIDs.refreshImages, category });
      palette.addItem({ command: CommandIDs.buildImage, category });
    }
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openImageBuild,
        args: w => ({ id: w.model.id }),
        name: w => w.model.id
      });
    }
  }
};
