import type { ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';

import type { ConnectionModel } from './connection';

/**
 * The Conveyor sidebar: features add their collapsible sections to it.
 */
export interface IConveyorSidebar {
  /**
   * Id of the sidebar widget in the shell (`jp-conveyor-sidebar`).
   */
  readonly id: string;

  /**
   * Add a collapsible section; its `title.label` is the section header.
   * Sections are ordered by rank (lower first; Status is 0, features use 100, 200, ...).
   */
  addSection(widget: Widget, options?: IConveyorSidebar.ISectionOptions): void;
}

export namespace IConveyorSidebar {
  export interface ISectionOptions {
    rank?: number;
  }
}

/**
 * What the core plugin gives every Conveyor feature.
 */
export interface IConveyor {
  /**
   * Call `<base_url>/conveyor/api/v1/<path>`; errors carry the server's message.
   */
  requestAPI<T = unknown>(path: string, init?: RequestInit): Promise<T>;

  /**
   * The app's server settings (base and websocket URLs, token).
   */
  readonly serverSettings: ServerConnection.ISettings;

  /**
   * Version of this frontend extension.
   */
  readonly frontendVersion: string;

  /**
   * Server status, connection state and the version handshake.
   */
  readonly connection: ConnectionModel;

  readonly sidebar: IConveyorSidebar;
}

export const IConveyor = new Token<IConveyor>(
  'jupyterlab-conveyor:IConveyor',
  'The Conveyor API client, connection state and sidebar.'
);
