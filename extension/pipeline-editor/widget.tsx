import { DocumentWidget, type DocumentRegistry } from '@jupyterlab/docregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import React, { useEffect, useState } from 'react';

import { shortRunId, statusLabel } from '../runs/format';
import { PipelineCanvas } from './canvas';
import { PipelineParseError } from './document';
import type { PipelineEditorModel } from './model';
import { type IChoices, PropertiesPanel } from './properties';
import type { EditorRun } from './runstate';
import { StepDrawer } from './stepdrawer';

export interface IEditorViewOptions {
  model: PipelineEditorModel;
  editorRun: EditorRun;
  commands: CommandRegistry;
  apiUrl: (path: string) => string;
  choices: () => Promise<IChoices>;
  trans: TranslationBundle;
}

/**
 * The editor's content: canvas, properties, a status line and, during or after a run, the
 * clicked step's log. Renders the model; never fetches on its own.
 */
export class PipelineEditorView extends ReactWidget {
  constructor(private readonly options: IEditorViewOptions) {
    super();
    this.addClass('jp-Conveyor-pipelineEditor');
    this.node.tabIndex = -1;
  }

  /** Why the file could not be shown (it still opens in the text editor), or null. */
  get parseError(): string | null {
    return this._parseError;
  }
  set parseError(message: string | null) {
    this._parseError = message;
    this.update();
  }

  /** Announce something to the user (refused drop, run submitted). */
  announce(message: string): void {
    this._message = message;
    this.update();
  }

  render(): JSX.Element {
    const { model, editorRun } = this.options;
    if (this._parseError) {
      return (
        <div className="jp-Conveyor-peParseError" role="alert">
          <h3>{this.options.trans.__('This file cannot be edited visually')}</h3>
          <pre>{this._parseError}</pre>
          <p>{this.options.trans.__('Open it with the Editor (right-click → Open With) to fix it, then reopen it here.')}</p>
        </div>
      );
    }
    return (
      <UseSignal signal={model.changed} initialSender={model}>
        {() => (
          <UseSignal signal={editorRun.changed} initialSender={editorRun}>
            {() => (
              <EditorApp
                {...this.options}
                version={++this._version}
                message={this._message}
                onMessage={m => this.announce(m)}
              />
            )}
          </UseSignal>
        )}
      </UseSignal>
    );
  }

  private _message = '';
  private _parseError: string | null = null;
  private _version = 0;
}

function EditorApp(props: IEditorViewOptions & { version: number; message: string; onMessage: (m: string) => void }): JSX.Element {
  const { model, editorRun, trans, commands, apiUrl } = props;
  const [choices, setChoices] = useState<IChoices>({ images: [], profiles: [] });
  const [drawer, setDrawer] = useState<string | null>(null);
  useEffect(() => {
    void props.choices().then(setChoices);
  }, []);
  const run = editorRun.run;
  const drawerStep = run && drawer ? run.steps.find(s => s.name === drawer) ?? null : null;
  const errors = model.validation?.errors ?? [];
  const status = model.validating
    ? trans.__('Checking…')
    : !model.validation
      ? ''
      : model.validation.valid
        ? trans.__('✓ Valid pipeline')
        : trans.__('⚠ %1 problem(s)', errors.length);
  return (
    <div className="jp-Conveyor-peLayout">
      <div className="jp-Conveyor-peMain">
        <PipelineCanvas
          model={model}
          editorRun={editorRun}
          trans={trans}
          version={props.version}
          colorMode={document.body.dataset.jpThemeLight === 'false' ? 'dark' : 'light'}
          onRefused={props.onMessage}
          fitKey={drawerStep ? 'drawer' : 'full'}
          onStepClick={name => {
            if (editorRun.run?.steps.some(s => s.name === name)) {
              editorRun.model?.selectStep(name);
              setDrawer(name);
            }
          }}
        />
        {run && drawerStep && (
          <StepDrawer
            run={run}
            step={drawerStep}
            editorRun={editorRun}
            commands={commands}
            apiUrl={apiUrl}
            trans={trans}
            onClose={() => setDrawer(null)}
          />
        )}
        <div className="jp-Conveyor-peStatusBar">
          <span
            className={`jp-Conveyor-peValidity${model.validation && !model.validation.valid ? ' jp-mod-invalid' : ''}`}
            data-testid="conveyor-pe-validity"
            title={errors.map(e => `${e.step ?? trans.__('pipeline')}: ${e.message}`).join('\n')}
          >
            {status}
          </span>
          {run && (
            <span className="jp-Conveyor-peRunStatus" data-testid="conveyor-pe-run-status">
              {trans.__('Run %1: %2', shortRunId(run.id), statusLabel(run.status, trans))}
            </span>
          )}
          <span
            className="jp-Conveyor-peMessage"
            role="status"
            aria-live="polite"
            title={props.message}
            data-testid="conveyor-pe-message"
          >
            {props.message}
          </span>
        </div>
      </div>
      <PropertiesPanel model={model} choices={choices} trans={trans} />
    </div>
  );
}

/** A pipeline file open in the visual editor. */
export class PipelineEditorWidget extends DocumentWidget<PipelineEditorView, DocumentRegistry.ICodeModel> {
  constructor(options: PipelineEditorWidget.IOptions) {
    super({ content: options.content, context: options.context });
    this.model = options.model;
    this.editorRun = options.editorRun;
    this.addClass('jp-Conveyor-pipelineEditorWidget');
    const { context, model } = options;
    const load = () => {
      const text = context.model.toString();
      if (model.isOwnText(text)) {
        return;
      }
      try {
        model.path = context.path;
        model.load(text);
        this.content.parseError = null;
      } catch (error) {
        this.content.parseError = error instanceof PipelineParseError ? error.message : String(error);
      }
    };
    void context.ready.then(() => {
      load();
      void this.editorRun.followLatest(context.path, model.state.pipeline.name);
      context.model.contentChanged.connect(load);
      model.edited.connect(() => context.model.fromString(model.serialize()));
    });
    context.pathChanged.connect((_, path) => (model.path = path));
  }

  readonly model: PipelineEditorModel;
  readonly editorRun: EditorRun;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    this.editorRun.dispose();
    super.dispose();
  }
}

export namespace PipelineEditorWidget {
  export interface IOptions {
    content: PipelineEditorView;
    context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>;
    model: PipelineEditorModel;
    editorRun: EditorRun;
  }
}
