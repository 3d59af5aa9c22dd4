import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { corePlugin } from './core/plugin';
import { statusPlugin } from './status/plugin';

export { CommandIDs } from './core/commands';
export { ConnectionModel } from './core/connection';
export type { ConnectionState } from './core/connection';
export { IConveyor, IConveyorSidebar } from './core/tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [corePlugin, statusPlugin];

export default plugins;
