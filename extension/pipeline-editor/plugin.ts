import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  CommandToolbarButton,
  ICommandPalette,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ABCWidgetFactory, type DocumentRegistry } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import type { ResourceProfile, StepImage } from '../../schema/generated/api';
import { ITranslator, nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { redoIcon, undoIcon, runIcon, LabIcon } from '@jupyterlab/ui-components';

import { API_PREFIX } from '../core/api';
import { CommandIDs } from '../core/commands';
import { conveyorIcon } from '../core/icons';
import { shortRunId } from '../runs/format';
import { IConveyor } from '../core/tokens';
import { whenInsideWorkspace } from '../workspaces/inside';
import { PipelineEditorModel } from './model';
import type { IChoices } from './properties';
import { EditorRun } from './runstate';
import { chooseTemplate } from './templates';
import { PipelineEditorView, PipelineEditorWidget } from './widget';

export const FACTORY = 'Conveyor Pipeline Editor';
export const FILE_TYPE = 'conveyor-pipeline';

const layoutIcon = new LabIcon({
  name: 'jupyterlab-conveyor:auto-layout',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><rect x="2" y="9" width="6" height="6" rx="1"/><rect x="16" y="3" width="6" height="6" rx="1"/><rect x="16" y="15" width="6" height="6" rx="1"/><path d="M8 11.2h3.2V6h4.8v1.6h-3.2v3.6H16v1.6h-3.2v3.6H16v1.6h-4.8v-5H8z"/></g></svg>'
});

/**
 * The visual pipeline editor: a document widget for `*.pipeline.yaml` files (and any YAML via
 * Open With), its commands, toolbar and shortcuts, and "New pipeline from template".
 */
export const pipelineEditorPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:pipeline-editor',
  description: 'Edit pipelines visually, run them and watch their steps.',
  autoStart: true,
  requires: [IConveyor, IDocumentManager],
  optional: [ITranslator, ICommandPalette, IDefaultFileBrowser, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    docManager: IDocumentManager,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null,
    launcher: ILauncher | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands, docRegistry } = app;
    const request = conveyor.requestAPI;
    const apiUrl = (path: string) => URLExt.join(conveyor.serverSettings.baseUrl, API_PREFIX, path);
    const tracker = new WidgetTracker<PipelineEditorWidget>({ namespace: 'conveyor-pipeline-editor' });

    docRegistry.addFileType({
      name: FILE_TYPE,
      displayName: trans.__('Conveyor Pipeline'),
      extensions: ['.pipeline.yaml', '.pipeline.yml'],
      mimeTypes: ['text/x-yaml'],
      contentType: 'file',
      fileFormat: 'text',
      icon: conveyorIcon
    });

    let choices: Promise<IChoices> | null = null;
    const loadChoices = () =>
      (choices ??= Promise.all([
        request<StepImage[]>('images').catch(() => [] as StepImage[]),
        request<ResourceProfile[]>('profiles').catch(() => [] as ResourceProfile[])
      ]).then(([images, profiles]) => ({
        images: images.flatMap(i => i.tags ?? []),
        profiles: profiles.map(p => p.name)
      })));

    const factory = new Factory(
      {
        name: FACTORY,
        label: trans.__('Pipeline Editor'),
        fileTypes: [FILE_TYPE, 'yaml'],
        defaultFor: [FILE_TYPE],
        translator: translator ?? nullTranslator
      },
      context => {
        const model = new PipelineEditorModel({ path: context.path, requestAPI: request });
        const editorRun = new EditorRun({ requestAPI: request, channel: conveyor.connection });
        const content = new PipelineEditorView({
          model,
          editorRun,
          commands,
          apiUrl,
          choices: loadChoices,
          trans
        });
        const widget = new PipelineEditorWidget({ content, context, model, editorRun });
        widget.title.icon = conveyorIcon;
        model.changed.connect(() => {
          for (const id of [CommandIDs.pipelineUndo, CommandIDs.pipelineRedo, CommandIDs.pipelineLayout, CommandIDs.pipelineRun]) {
            commands.notifyCommandChanged(id);
          }
        });
        editorRun.changed.connect(() => commands.notifyCommandChanged(CommandIDs.pipelineRun));
        addToolbar(widget, commands);
        return widget;
      }
    );
    docRegistry.addWidgetFactory(factory);
    tracker.currentChanged.connect(() => commands.notifyCommandChanged(CommandIDs.pipelineInsertComponent));
    factory.widgetCreated.connect((_, widget) => {
      void tracker.add(widget);
      widget.context.pathChanged.connect(() => void tracker.save(widget));
    });

    const current = (): PipelineEditorWidget | null => {
      const widget = tracker.currentWidget;
      return widget && widget === app.shell.currentWidget ? widget : tracker.currentWidget;
    };
    // Templates write into the server's folder: not offered inside a managed workspace (409 there).
    let insideWorkspace = false;
    registerCommands(app, trans, current, fileBrowser, docManager, request, () => !insideWorkspace);

    app.commands.addKeyBinding({ command: CommandIDs.pipelineUndo, keys: ['Accel Z'], selector: '.jp-Conveyor-peCanvas' });
    app.commands.addKeyBinding({ command: CommandIDs.pipelineRedo, keys: ['Accel Shift Z'], selector: '.jp-Conveyor-peCanvas' });
    app.commands.addKeyBinding({ command: CommandIDs.pipelineRedo, keys: ['Accel Y'], selector: '.jp-Conveyor-peCanvas' });

    if (palette) {
      const category = trans.__('Conveyor');
      for (const command of [
        CommandIDs.newPipeline,
        CommandIDs.newPipelineFromTemplate,
        CommandIDs.pipelineRun,
        CommandIDs.pipelineLayout,
        CommandIDs.pipelineUndo,
        CommandIDs.pipelineRedo
      ]) {
        palette.addItem({ command, category });
      }
    }
    launcher?.add({ command: CommandIDs.newPipeline, category: 'Conveyor', rank: 10, args: { isLauncher: true } });
    const fromTemplate = launcher?.add({ command: CommandIDs.newPipelineFromTemplate, category: 'Conveyor', rank: 11, args: { isLauncher: true } });
    whenInsideWorkspace(conveyor.connection, () => {
      insideWorkspace = true;
      fromTemplate?.dispose();
      app.commands.notifyCommandChanged(CommandIDs.newPipelineFromTemplate);
    });
  }
};

class Factory extends ABCWidgetFactory<PipelineEditorWidget, DocumentRegistry.ICodeModel> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<PipelineEditorWidget>,
    private readonly _create: (context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>) => PipelineEditorWidget
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>): PipelineEditorWidget {
    return this._create(context);
  }
}

function addToolbar(widget: PipelineEditorWidget, commands: JupyterFrontEnd['commands']): void {
  const items: Array<[string, string]> = [
    ['conveyor-undo', CommandIDs.pipelineUndo],
    ['conveyor-redo', CommandIDs.pipelineRedo],
    ['conveyor-layout', CommandIDs.pipelineLayout],
    ['conveyor-run', CommandIDs.pipelineRun]
  ];
  for (const [name, id] of items) {
    widget.toolbar.addItem(name, new CommandToolbarButton({ commands, id, args: { toolbar: true } }));
  }
}

function registerCommands(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  current: () => PipelineEditorWidget | null,
  fileBrowser: IDefaultFileBrowser | null,
  docManager: IDocumentManager,
  request: IConveyor['requestAPI'],
  templatesOffered: () => boolean
): void {
  const { commands } = app;
  const cwd = () => fileBrowser?.model.path ?? '';

  commands.addCommand(CommandIDs.pipelineUndo, {
    label: args => (args.toolbar ? '' : trans.__('Undo Pipeline Edit')),
    caption: trans.__('Undo (Ctrl/Cmd+Z on the canvas)'),
    icon: args => (args.toolbar ? undoIcon : undefined),
    isEnabled: () => !!current()?.model.canUndo,
    execute: () => current()?.model.undo()
  });
  commands.addCommand(CommandIDs.pipelineRedo, {
    label: args => (args.toolbar ? '' : trans.__('Redo Pipeline Edit')),
    caption: trans.__('Redo (Ctrl/Cmd+Shift+Z on the canvas)'),
    icon: args => (args.toolbar ? redoIcon : undefined),
    isEnabled: () => !!current()?.model.canRedo,
    execute: () => current()?.model.redo()
  });
  commands.addCommand(CommandIDs.pipelineLayout, {
    label: args => (args.toolbar ? trans.__('Arrange') : trans.__('Arrange Pipeline Steps')),
    caption: trans.__('Arrange the steps left to right'),
    icon: args => (args.toolbar ? layoutIcon : undefined),
    isEnabled: () => (current()?.model.steps.length ?? 0) > 0,
    execute: () => current()?.model.layout()
  });
  commands.addCommand(CommandIDs.pipelineRun, {
    label: args => (args.toolbar ? trans.__('Run') : trans.__('Run Pipeline')),
    caption: trans.__('Save the pipeline and run it; step statuses show on the canvas'),
    icon: runIcon,
    isEnabled: () => {
      const w = current();
      return !!w && w.model.steps.length > 0 && !w.editorRun.submitting;
    },
    execute: async () => {
      const widget = current();
      if (!widget) {
        return;
      }
      try {
        await widget.context.save();
        const run = await widget.editorRun.submit(widget.context.path);
        widget.content.announce(trans.__('Run %1 submitted', shortRunId(run.id)));
      } catch (error) {
        await showErrorMessage(trans.__('Could not run the pipeline'), error as Error);
      }
    }
  });
  commands.addCommand(CommandIDs.pipelineInsertComponent, {
    label: trans.__('Insert into the Open Pipeline'),
    caption: trans.__('Add this component as a step of the pipeline being edited'),
    isEnabled: () => !!current(),
    execute: args => {
      const widget = current();
      const entry = args.entry as { ref: string; spec: never } | undefined;
      if (!widget || !entry) {
        return;
      }
      widget.model.addComponentStep(entry.ref, entry.spec);
      app.shell.activateById(widget.id);
    }
  });
  commands.addCommand(CommandIDs.newPipeline, {
    label: args => (args.isLauncher ? trans.__('Pipeline') : trans.__('New Pipeline')),
    caption: trans.__('Create an empty pipeline and open it in the visual editor'),
    icon: conveyorIcon,
    execute: async args => {
      const model = await docManager.newUntitled({
        path: typeof args.cwd === 'string' ? args.cwd : cwd(),
        type: 'file',
        ext: '.pipeline.yaml'
      });
      return docManager.openOrReveal(model.path, FACTORY);
    }
  });
  commands.addCommand(CommandIDs.newPipelineFromTemplate, {
    label: args => (args.isLauncher ? trans.__('Pipeline from Template') : trans.__('New Pipeline from Template…')),
    caption: trans.__('Start from a template and swap its components'),
    icon: conveyorIcon,
    isVisible: () => templatesOffered(),
    isEnabled: () => templatesOffered(),
    execute: async args => {
      const path = await chooseTemplate(request, typeof args.cwd === 'string' ? args.cwd : cwd(), trans);
      return path ? docManager.openOrReveal(path, FACTORY) : undefined;
    }
  });
}
