import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { corePlugin } from './core/plugin';
import { experimentsPlugin } from './experiments/plugin';
import { imagesPlugin } from './images/plugin';
import { resourcesPlugin } from './resources/plugin';
import { runsPlugin } from './runs/plugin';
import { statusPlugin } from './status/plugin';
import { submitPlugin } from './submit/plugin';
import { gitPlugin } from './git/plugin';
import { datasetsPlugin } from './datasets/plugin';
import { componentsPlugin } from './components/plugin';
import { pipelineEditorPlugin } from './pipeline-editor/plugin';
import { workspacesPlugin } from './workspaces/plugin';
import { sharesPlugin } from './shares/plugin';

export { CommandIDs } from './core/commands';
export { ConnectionModel } from './core/connection';
export type { ConnectionState } from './core/connection';
export { IConveyor, IConveyorSidebar } from './core/tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  corePlugin,
  statusPlugin,
  runsPlugin,
  submitPlugin,
  imagesPlugin,
  resourcesPlugin,
  experimentsPlugin,
  gitPlugin,
  datasetsPlugin,
  componentsPlugin,
  pipelineEditorPlugin,
  workspacesPlugin,
  sharesPlugin
];

export default plugins;
