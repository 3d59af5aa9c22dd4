import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { requestAPI } from './api';
import { CommandIDs } from './commands';
import { ConnectionModel } from './connection';
import { conveyorIcon } from './icons';
import { ConveyorSidebar } from './sidebar';
import { IConveyor } from './tokens';
import { FRONTEND_VERSION } from './version';

const PLUGIN_ID = 'jupyterlab-conveyor:core';

/**
 * Provides IConveyor: the API client, the connection model and the Conveyor sidebar.
 */
export const corePlugin: JupyterFrontEndPlugin<IConveyor> = {
  id: PLUGIN_ID,
  description: 'The Conveyor API client, connection state and sidebar.',
  autoStart: true,
  provides: IConveyor,
  optional: [ITranslator, ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null
  ): IConveyor => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_conveyor');
    const serverSettings = app.serviceManager.serverSettings;
    const request = <T>(path: string, init?: RequestInit): Promise<T> =>
      requestAPI<T>(path, init, serverSettings);

    const connection = new ConnectionModel({
      requestAPI: request,
      serverSettings,
      frontendVersion: FRONTEND_VERSION,
      autoStart: false,
      connectAfter: app.restored
    });
    // Talk to the server only once the application has restored: page load stays as fast as
    // without Conveyor (bench/page-load.mjs measures it).
    void app.restored.then(() => connection.start());

    const sidebar = new ConveyorSidebar({ translator });
    app.shell.add(sidebar, 'left', { rank: 600, type: 'Conveyor' });
    if (restorer) {
      restorer.add(sidebar, 'jupyterlab-conveyor:sidebar');
    }

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Open Conveyor Sidebar'),
      caption: trans.__('Show the Conveyor panel in the left sidebar'),
      icon: conveyorIcon,
      execute: () => app.shell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.refreshStatus, {
      label: trans.__('Refresh Conveyor Status'),
      caption: trans.__('Ask the Conveyor server for its status now'),
      icon: refreshIcon,
      isEnabled: () => !connection.isDisposed,
      execute: () => connection.refresh()
    });
    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.openSidebar, category });
      palette.addItem({ command: CommandIDs.refreshStatus, category });
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const seconds = settings.get('pollInterval').composite as number;
            connection.pollInterval = Math.max(2, seconds) * 1000;
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.warn(`Failed to load settings for ${PLUGIN_ID}.`, reason);
        });
    }

    return {
      requestAPI: request,
      serverSettings,
      frontendVersion: FRONTEND_VERSION,
      connection,
      sidebar
    };
  }
};
