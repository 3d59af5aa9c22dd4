import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { notifyBudgetAlerts } from './alerts';
import { ResourcesModel } from './model';
import { ResourcesPanel } from './panel';

export const RESOURCES_PLUGIN_ID = 'jupyterlab-conveyor:resources';

/**
 * The "Resources" sidebar section: capacity, queue, the profile for the next submission (kept in
 * the settings, preselected by the submit dialog), usage and budget; budget alerts as
 * notifications.
 */
export const resourcesPlugin: JupyterFrontEndPlugin<void> = {
  id: RESOURCES_PLUGIN_ID,
  description: 'Shows capacity, the queue, resource profiles and usage.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const model = new ResourcesModel({
      requestAPI: conveyor.requestAPI,
      connection: conveyor.connection,
      autoStart: false
    });
    void app.restored.then(() => model.start());

    const panel = new ResourcesPanel({
      model,
      trans,
      onOpenRun: id => void commands.execute(CommandIDs.openRun, { id })
    });
    conveyor.sidebar.addSection(panel, { rank: 300 });

    if (settingRegistry) {
      settingRegistry
        .load(RESOURCES_PLUGIN_ID)
        .then(settings => {
          const apply = () => model.restoreProfile(settings.get('profile').composite as string);
          apply();
          settings.changed.connect(apply);
          model.profileChanged.connect((_, name) => void settings.set('profile', name));
        })
        .catch(reason => {
          console.warn(`Failed to load settings for ${RESOURCES_PLUGIN_ID}.`, reason);
        });
    }

    const open = () => {
      app.shell.activateById(conveyor.sidebar.id);
      expandSection(panel);
      void model.refresh();
    };
    commands.addCommand(CommandIDs.openResources, {
      label: trans.__('Show Resources'),
      caption: trans.__('Capacity, queue, profiles and your usage'),
      execute: open
    });
    commands.addCommand(CommandIDs.refreshResources, {
      label: trans.__('Refresh Resources'),
      icon: refreshIcon,
      execute: () => model.refresh()
    });
    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.openResources, category });
      palette.addItem({ command: CommandIDs.refreshResources, category });
    }

    notifyBudgetAlerts(conveyor.connection.events, trans, open);
  }
};
