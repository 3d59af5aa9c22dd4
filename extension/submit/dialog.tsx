import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import type { Run } from '../../schema/generated/api';
import { formatBytes } from '../runs/format';
import { INotebookParam, inputKind } from './params';
import type { SubmitModel } from './model';
import { profileSummary } from '../resources/panel';

/**
 * The form's body: renders the SubmitModel.
 */
export class SubmitBody extends ReactWidget {
  constructor(
    readonly model: SubmitModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-Conveyor-submit');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed} initialSender={this.model}>
        {() => <SubmitForm model={this.model} trans={this._trans} />}
      </UseSignal>
    );
  }
}

/**
 * A Dialog that stays open until the server accepted the run: Submit (or Enter) posts it, and a
 * refusal is shown in the dialog with every value kept. Resolves with the created run.
 */
export class SubmitDialog extends Dialog<Run | null> {
  constructor(body: SubmitBody, trans: TranslationBundle) {
    super({
      title: trans.__('Submit to training'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Submit'), ariaLabel: trans.__('Submit the run') })
      ],
      defaultButton: 1,
      focusNodeSelector: 'select, input'
    });
    this._form = body;
    this.addClass('jp-Conveyor-submitDialog');
  }

  /**
   * The run the server created, once accepted.
   */
  get run(): Run | null {
    return this._run;
  }

  resolve(index?: number): void {
    const accept = (index ?? 1) === 1;
    if (!accept || this._run) {
      super.resolve(index);
      return;
    }
    if (this._pending) {
      return;
    }
    this._pending = true;
    void this._form.model.submit().then(run => {
      this._pending = false;
      if (run) {
        this._run = run;
        super.resolve(1);
      }
    });
  }

  private _form: SubmitBody;
  private _pending = false;
  private _run: Run | null = null;
}

export function SubmitForm({
  model,
  trans
}: {
  model: SubmitModel;
  trans: TranslationBundle;
}): JSX.Element {
  const errors = model.paramErrors;
  const imageTags = model.images.flatMap(image =>
    image.tags.map(tag => ({ tag, size: image.sizeBytes }))
  );
  return (
    <div className="jp-Conveyor-form" aria-busy={model.loading}>
      <p className="jp-Conveyor-formPath">
        <span className="jp-Conveyor-term">{trans.__('Notebook')}</span>{' '}
        <code data-testid="conveyor-submit-path">{model.path}</code>
      </p>
      {model.savedBeforeSubmit && (
        <p className="jp-Conveyor-note" role="status" data-testid="conveyor-submit-saved">
          {trans.__('Saved before submitting')}
        </p>
      )}
      {model.loadErrors.map(e => (
        <p key={e} className="jp-Conveyor-warning">
          {e}
        </p>
      ))}
      <div className="jp-Conveyor-formGrid">
        <label htmlFor="jp-conveyor-submit-image">{trans.__('Image')}</label>
        <select
          id="jp-conveyor-submit-image"
          className="jp-mod-styled"
          value={model.image}
          onChange={e => model.set({ image: e.target.value })}
        >
          {imageTags.length === 0 && <option value="">{trans.__('Server default')}</option>}
          {imageTags.map(({ tag, size }) => (
            <option key={tag} value={tag}>
              {`${tag} (${formatBytes(size)})`}
            </option>
          ))}
        </select>

        <label htmlFor="jp-conveyor-submit-profile">{trans.__('Resources')}</label>
        <select
          id="jp-conveyor-submit-profile"
          className="jp-mod-styled"
          value={model.profile}
          onChange={e => model.set({ profile: e.target.value })}
        >
          {model.profiles.length === 0 && (
            <option value="">{trans.__('Server default')}</option>
          )}
          {model.profiles.map(p => (
            <option key={p.name} value={p.name}>
              {`${p.name} — ${profileSummary(p, trans)}`}
            </option>
          ))}
        </select>

        <label htmlFor="jp-conveyor-submit-experiment">{trans.__('Experiment')}</label>
        <div>
          <input
            id="jp-conveyor-submit-experiment"
            className="jp-mod-styled"
            value={model.experiment}
            onChange={e => model.set({ experiment: e.target.value })}
            aria-invalid={!model.experiment.trim()}
          />
          {!model.experiment.trim() && (
            <span className="jp-Conveyor-fieldError">{trans.__('Name the experiment')}</span>
          )}
        </div>
      </div>

      <fieldset className="jp-Conveyor-fieldset" data-testid="conveyor-submit-params">
        <legend>{trans.__('Parameters')}</legend>
        {model.loading ? (
          <p className="jp-Conveyor-placeholder">{trans.__('Reading the notebook…')}</p>
        ) : model.params.length === 0 ? (
          <p className="jp-Conveyor-placeholder">
            {trans.__('No cell tagged “parameters” in this notebook.')}
          </p>
        ) : (
          <div className="jp-Conveyor-formGrid">
            {model.params.map(p => (
              <ParamInput
                key={p.name}
                param={p}
                text={model.texts[p.name] ?? ''}
                error={errors[p.name]}
                onChange={text => model.setParam(p.name, text)}
                trans={trans}
              />
            ))}
          </div>
        )}
      </fieldset>

      <div className="jp-Conveyor-formGrid">
        <label htmlFor="jp-conveyor-submit-files">{trans.__('Files')}</label>
        <textarea
          id="jp-conveyor-submit-files"
          className="jp-mod-styled"
          rows={2}
          placeholder={trans.__('data/*.csv (one glob per line)')}
          value={model.files}
          onChange={e => model.set({ files: e.target.value })}
          aria-describedby="jp-conveyor-submit-files-help"
        />
        <span />
        <span id="jp-conveyor-submit-files-help" className="jp-Conveyor-help">
          {trans.__('Files the notebook reads, relative to the workspace; copied into the container.')}
        </span>
        <label htmlFor="jp-conveyor-submit-outputs">{trans.__('Outputs')}</label>
        <textarea
          id="jp-conveyor-submit-outputs"
          className="jp-mod-styled"
          rows={2}
          placeholder={trans.__('model.pkl (one glob per line)')}
          value={model.outputs}
          onChange={e => model.set({ outputs: e.target.value })}
        />
        <span />
        <label className="jp-Conveyor-check">
          <input
            type="checkbox"
            checked={model.cache}
            onChange={e => model.set({ cache: e.target.checked })}
          />
          {trans.__('Use cache (reuse an identical earlier execution)')}
        </label>
      </div>

      {model.serverError && (
        <p
          key={model.serverError}
          className="jp-Conveyor-error"
          role="alert"
          data-testid="conveyor-submit-error"
          // The dialog body scrolls: bring a refusal into view instead of leaving it below the fold.
          ref={el => el?.scrollIntoView?.({ block: 'nearest' })}
        >
          {model.serverError}
        </p>
      )}
      {model.submitting && (
        <p className="jp-Conveyor-placeholder" role="status">
          {trans.__('Submitting…')}
        </p>
      )}
    </div>
  );
}

function ParamInput({
  param,
  text,
  error,
  onChange,
  trans
}: {
  param: INotebookParam;
  text: string;
  error?: string;
  onChange: (text: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const id = `jp-conveyor-param-${param.name}`;
  const kind = inputKind(param.type);
  const common = {
    id,
    'aria-invalid': !!error,
    'aria-describedby': error ? `${id}-error` : undefined,
    'data-param': param.name,
    title: param.source
  };
  let input: JSX.Element;
  if (kind === 'checkbox') {
    input = (
      <input
        {...common}
        type="checkbox"
        checked={text === 'true'}
        onChange={e => onChange(e.target.checked ? 'true' : 'false')}
      />
    );
  } else if (kind === 'json') {
    input = (
      <textarea
        {...common}
        className="jp-mod-styled jp-Conveyor-mono"
        rows={2}
        value={text}
        placeholder={param.type === 'expr' ? param.source : undefined}
        onChange={e => onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        className="jp-mod-styled"
        type={kind === 'number' ? 'number' : 'text'}
        step={param.type === 'float' ? 'any' : param.type === 'int' ? 1 : undefined}
        value={text}
        onChange={e => onChange(e.target.value)}
      />
    );
  }
  return (
    <>
      <label htmlFor={id}>
        <code>{param.name}</code> <span className="jp-Conveyor-paramType">{param.type}</span>
      </label>
      <div>
        {input}
        {error && (
          <span id={`${id}-error`} className="jp-Conveyor-fieldError" role="alert">
            {trans.__(error)}
          </span>
        )}
      </div>
    </>
  );
}
