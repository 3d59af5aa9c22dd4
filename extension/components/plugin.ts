import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { ComponentsModel } from './model';
import { ComponentsPanel } from './panel';

/**
 * The "Components" sidebar section: the catalog of reusable steps, their details, and adding
 * them to the open pipeline (a button, or drag onto the canvas).
 */
export const componentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:components',
  description: 'Browse components and add them to pipelines.',
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
    const model = new ComponentsModel({ requestAPI: conveyor.requestAPI, autoStart: false });
    void app.restored.then(() => model.start());

    const panel = new ComponentsPanel({
      model,
      trans,
      canInsert: () =>
        commands.hasCommand(CommandIDs.pipelineInsertComponent) &&
        commands.isEnabled(CommandIDs.pipelineInsertComponent),
      onInsert: entry =>
        void commands.execute(CommandIDs.pipelineInsertComponent, { entry: entry as never })
    });
    conveyor.sidebar.addSection(panel, { rank: 350 });
    // "Insert" follows whether a pipeline editor is open.
    commands.commandChanged.connect((_, change) => {
      if (!change.id || change.id === CommandIDs.pipelineInsertComponent) {
        panel.update();
      }
    });
    app.shell.currentChanged?.connect(() => panel.update());

    commands.addCommand(CommandIDs.showComponents, {
      label: trans.__('Show Components'),
      caption: trans.__('Reusable pipeline steps: built-in, workspace and registry'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(panel);
        void model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshComponents, {
      label: trans.__('Refresh Components'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.showComponents, category });
      palette.addItem({ command: CommandIDs.refreshComponents, category });
    }
  }
};
