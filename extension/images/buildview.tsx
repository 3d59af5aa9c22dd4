import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { copyIcon, ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React, { useLayoutEffect, useRef } from 'react';

import { StatusPill } from '../runs/panel';
import { stripAnsi } from '../runs/format';
import type { BuildModel } from './build';

/**
 * A custom image build in the main area: status, progress, the live log and the resulting tag.
 */
export class BuildView extends MainAreaWidget<BuildContent> {
  constructor(options: BuildView.IOptions) {
    super({ content: new BuildContent(options) });
    this.id = `jp-conveyor-build-${options.model.id}`;
    this.addClass('jp-Conveyor-buildView');
    this.title.label = options.trans.__('Build %1', options.name ?? options.model.id);
    this.title.closable = true;
  }

  get model(): BuildModel {
    return this.content.model;
  }

  dispose(): void {
    const model = this.isDisposed ? null : this.content.model;
    super.dispose();
    model?.dispose();
  }
}

export namespace BuildView {
  export interface IOptions {
    model: BuildModel;
    trans: TranslationBundle;
    name?: string;
    onCopy: (text: string) => void;
    onUseAsDefault: (ref: string) => void;
  }
}

export class BuildContent extends ReactWidget {
  constructor(private readonly _options: BuildView.IOptions) {
    super();
    this.addClass('jp-Conveyor-build');
  }

  get model(): BuildModel {
    return this._options.model;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed} initialSender={this.model}>
        {() => <BuildBody {...this._options} />}
      </UseSignal>
    );
  }
}

function BuildBody({ model, trans, onCopy, onUseAsDefault }: BuildView.IOptions): JSX.Element {
  const logRef = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    const node = logRef.current;
    if (node) {
      node.scrollTop = node.scrollHeight;
    }
  });
  const progress = model.progress;
  return (
    <div className="jp-Conveyor-buildBody">
      <div className="jp-Conveyor-buildHeader">
        <StatusPill status={model.status} trans={trans} />
        <span data-testid="conveyor-build-status" data-status={model.status}>
          {statusText(model.status, trans)}
        </span>
        <progress
          className="jp-Conveyor-buildProgress"
          max={1}
          value={model.finished ? 1 : (progress ?? undefined)}
          aria-label={trans.__('Build progress')}
        />
      </div>
      {model.status === 'succeeded' && model.ref && (
        <p className="jp-Conveyor-buildResult" role="status">
          {trans.__('Pushed')}{' '}
          <code data-testid="conveyor-build-ref">{model.ref}</code>
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
            onClick={() => onCopy(model.ref)}
            aria-label={trans.__('Copy image reference')}
            title={trans.__('Copy image reference')}
          >
            <copyIcon.react tag="span" />
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => onUseAsDefault(model.ref)}
          >
            {trans.__('Use as default')}
          </button>
        </p>
      )}
      {model.error && (
        <p className="jp-Conveyor-error" role="alert">
          {model.error}
        </p>
      )}
      <pre
        ref={logRef}
        className="jp-Conveyor-logLines jp-Conveyor-buildLog"
        tabIndex={0}
        role="log"
        aria-label={trans.__('Build log')}
        data-testid="conveyor-build-log"
      >
        {model.lines.length === 0
          ? trans.__('(no output yet)')
          : model.lines.map(line => stripAnsi(line)).join('\n')}
      </pre>
    </div>
  );
}

function statusText(status: BuildModel['status'], trans: TranslationBundle): string {
  switch (status) {
    case 'building':
      return trans.__('Building…');
    case 'pushing':
      return trans.__('Pushing to the registry…');
    case 'succeeded':
      return trans.__('Built and pushed');
    default:
      return trans.__('Build failed');
  }
}
