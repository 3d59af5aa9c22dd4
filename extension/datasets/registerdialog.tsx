import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import { parseTags, suggestName } from './register';
import type { RegisterRequest } from './types';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TABLE = /\.(csv|tsv|parquet)$/i;

/** Why the form cannot be submitted, by field (empty when it can). */
export function registerErrors(request: RegisterRequest, trans: TranslationBundle): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!NAME.test(request.name)) {
    errors.name = trans.__('Letters, digits, ., _ and -, starting with a letter or digit');
  }
  const bad = (request.tags ?? []).filter(t => !TAG.test(t));
  if (bad.length) {
    errors.tags = trans.__('Not a valid tag: %1', bad.join(', '));
  }
  return errors;
}

/**
 * The "Register as dataset version" form: the workspace path (read-only), the dataset name, a
 * message, tags and, for a CSV or Parquet file, the key columns of the row diff.
 */
class RegisterForm extends ReactWidget {
  constructor(
    private readonly _path: string,
    private readonly _trans: TranslationBundle,
    name?: string
  ) {
    super();
    this.addClass('jp-Conveyor-datasetRegisterForm');
    this.request = { name: name ?? suggestName(_path), path: _path, message: '', tags: [] };
  }

  request: RegisterRequest;

  getValue(): RegisterRequest {
    return this.request;
  }

  render(): JSX.Element {
    return (
      <RegisterFormView
        path={this._path}
        trans={this._trans}
        initial={this.request}
        onChange={r => (this.request = r)}
      />
    );
  }
}

function RegisterFormView(props: {
  path: string;
  trans: TranslationBundle;
  initial: RegisterRequest;
  onChange: (request: RegisterRequest) => void;
}): JSX.Element {
  const { path, trans, initial } = props;
  const [name, setName] = useState(initial.name);
  const [message, setMessage] = useState(initial.message ?? '');
  const [tags, setTags] = useState('');
  const [key, setKey] = useState('');
  const isTableFile = TABLE.test(path);
  const [asTable, setAsTable] = useState(isTableFile);
  const [blinded, setBlinded] = useState(false);
  const request: RegisterRequest = { name: name.trim(), path, message: message.trim(), tags: parseTags(tags) };
  if (isTableFile && asTable) {
    request.table = key.trim() ? { key: parseTags(key) } : {};
  }
  if (blinded) {
    request.blinded = true;
  }
  props.onChange(request);
  const errors = registerErrors(request, trans);
  const error = (field: string) =>
    errors[field] && (
      <span className="jp-Conveyor-fieldError" id={`jp-conveyor-dataset-${field}-error`} role="alert">
        {errors[field]}
      </span>
    );
  return (
    <div className="jp-Conveyor-form jp-Conveyor-formGrid">
      <span>{trans.__('Path')}</span>
      <code className="jp-Conveyor-datasetPath" data-testid="conveyor-dataset-register-path">
        {path || '/'}
      </code>
      <label htmlFor="jp-conveyor-dataset-name">{trans.__('Dataset')}</label>
      <div>
        <input
          id="jp-conveyor-dataset-name"
          className="jp-mod-styled"
          value={name}
          placeholder="churn-train"
          aria-invalid={!!errors.name}
          aria-describedby={errors.name ? 'jp-conveyor-dataset-name-error' : undefined}
          onChange={e => setName(e.target.value)}
        />
        {name && error('name')}
      </div>
      <label htmlFor="jp-conveyor-dataset-message">{trans.__('Message')}</label>
      <textarea
        id="jp-conveyor-dataset-message"
        className="jp-mod-styled"
        rows={2}
        value={message}
        placeholder={trans.__('What changed in this version')}
        onChange={e => setMessage(e.target.value)}
      />
      <label htmlFor="jp-conveyor-dataset-tags">{trans.__('Tags')}</label>
      <div>
        <input
          id="jp-conveyor-dataset-tags"
          className="jp-mod-styled"
          value={tags}
          placeholder="prod v3"
          aria-invalid={!!errors.tags}
          onChange={e => setTags(e.target.value)}
        />
        {error('tags')}
      </div>
      {isTableFile && (
        <>
          <span />
          <label className="jp-Conveyor-datasetCheck">
            <input
              type="checkbox"
              checked={asTable}
              onChange={e => setAsTable(e.target.checked)}
              data-testid="conveyor-dataset-register-table"
            />
            {trans.__('Register as a table (schema, statistics, row-level diffs)')}
          </label>
          <label htmlFor="jp-conveyor-dataset-key">{trans.__('Key columns')}</label>
          <input
            id="jp-conveyor-dataset-key"
            className="jp-mod-styled"
            value={key}
            disabled={!asTable}
            placeholder={trans.__('optional, e.g. id')}
            title={trans.__('Rows are matched by these columns in diffs; by row content without them')}
            onChange={e => setKey(e.target.value)}
          />
        </>
      )}
      <span />
      <label
        className="jp-Conveyor-datasetCheck"
        title={trans.__('Only an admin-approved evaluation step can read a blinded version; only its metrics leave the container')}
      >
        <input type="checkbox" checked={blinded} onChange={e => setBlinded(e.target.checked)} />
        {trans.__('Blinded test set (no preview, download or mount by data scientists)')}
      </label>
    </div>
  );
}

/**
 * Asks for the dataset name, message and tags of a new version of `path`; resolves with the
 * request, or `null` when cancelled. Invalid input keeps the dialog's answer out: the caller
 * shows `registerErrors`.
 */
export async function askRegister(
  path: string,
  trans: TranslationBundle,
  name?: string
): Promise<RegisterRequest | null> {
  const body = new RegisterForm(path, trans, name);
  const result = await new Dialog<RegisterRequest>({
    title: trans.__('Register as dataset version'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Register') })
    ],
    focusNodeSelector: '#jp-conveyor-dataset-name'
  }).launch();
  if (!result.button.accept || !result.value) {
    return null;
  }
  return result.value;
}
