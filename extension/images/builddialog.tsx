import { Dialog, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import type { ImageBuildRequest } from '../../schema/generated/api';

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/** Split a text area into package specs (one per line or separated by spaces/commas). */
export function packageList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(p => p.trim())
    .filter(Boolean);
}

/** Why the form cannot be submitted, by field (empty when it can). */
export function buildErrors(
  request: ImageBuildRequest,
  trans: TranslationBundle
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!request.base) {
    errors.base = trans.__('Choose a base image');
  }
  if (!NAME.test(request.name)) {
    errors.name = trans.__('Lower-case letters, digits, ., _ and -');
  }
  if (!VERSION.test(request.version)) {
    errors.version = trans.__('A version such as 1.0.0');
  }
  return errors;
}

/**
 * The "Build custom image" form: base (a registry tag), name, version, pip and apt packages.
 */
export class BuildForm extends ReactWidget {
  constructor(
    private readonly _bases: string[],
    private readonly _trans: TranslationBundle,
    base?: string
  ) {
    super();
    this.addClass('jp-Conveyor-buildForm');
    this.request = { base: base ?? _bases[0] ?? '', name: '', version: '1.0.0', pip: [], apt: [] };
  }

  request: ImageBuildRequest;

  getValue(): ImageBuildRequest {
    return this.request;
  }

  render(): JSX.Element {
    return (
      <BuildFormView
        bases={this._bases}
        trans={this._trans}
        initial={this.request}
        onChange={r => (this.request = r)}
      />
    );
  }
}

function BuildFormView({
  bases,
  trans,
  initial,
  onChange
}: {
  bases: string[];
  trans: TranslationBundle;
  initial: ImageBuildRequest;
  onChange: (request: ImageBuildRequest) => void;
}): JSX.Element {
  const [base, setBase] = useState(initial.base);
  const [name, setName] = useState(initial.name);
  const [version, setVersion] = useState(initial.version);
  const [pip, setPip] = useState('');
  const [apt, setApt] = useState('');
  const request = { base, name, version, pip: packageList(pip), apt: packageList(apt) };
  onChange(request);
  const errors = buildErrors(request, trans);
  const error = (field: string) =>
    errors[field] && (
      <span className="jp-Conveyor-fieldError" id={`jp-conveyor-build-${field}-error`}>
        {errors[field]}
      </span>
    );
  return (
    <div className="jp-Conveyor-form jp-Conveyor-formGrid">
      <label htmlFor="jp-conveyor-build-base">{trans.__('Base image')}</label>
      <select
        id="jp-conveyor-build-base"
        className="jp-mod-styled"
        value={base}
        onChange={e => setBase(e.target.value)}
      >
        {bases.length === 0 && <option value="">{trans.__('No registry image')}</option>}
        {bases.map(b => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
      <label htmlFor="jp-conveyor-build-name">{trans.__('Name')}</label>
      <div>
        <input
          id="jp-conveyor-build-name"
          className="jp-mod-styled"
          value={name}
          placeholder="my-xgboost"
          aria-invalid={!!errors.name}
          onChange={e => setName(e.target.value)}
        />
        {name && error('name')}
      </div>
      <label htmlFor="jp-conveyor-build-version">{trans.__('Version')}</label>
      <div>
        <input
          id="jp-conveyor-build-version"
          className="jp-mod-styled"
          value={version}
          aria-invalid={!!errors.version}
          onChange={e => setVersion(e.target.value)}
        />
        {error('version')}
      </div>
      <label htmlFor="jp-conveyor-build-pip">{trans.__('pip packages')}</label>
      <textarea
        id="jp-conveyor-build-pip"
        className="jp-mod-styled"
        rows={3}
        value={pip}
        placeholder="xgboost==2.1.1"
        onChange={e => setPip(e.target.value)}
      />
      <label htmlFor="jp-conveyor-build-apt">{trans.__('apt packages')}</label>
      <textarea
        id="jp-conveyor-build-apt"
        className="jp-mod-styled"
        rows={2}
        value={apt}
        placeholder="graphviz"
        onChange={e => setApt(e.target.value)}
      />
    </div>
  );
}

/**
 * Ask for a build; resolves with the request, or `null` when cancelled or invalid.
 */
export async function askBuild(
  bases: string[],
  trans: TranslationBundle,
  base?: string
): Promise<ImageBuildRequest | null> {
  const body = new BuildForm(bases, trans, base);
  const result = await new Dialog<ImageBuildRequest>({
    title: trans.__('Build custom image'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Build') })
    ],
    focusNodeSelector: '#jp-conveyor-build-name'
  }).launch();
  if (!result.button.accept || !result.value) {
    return null;
  }
  const errors = Object.values(buildErrors(result.value, trans));
  if (errors.length) {
    await showErrorMessage(trans.__('Cannot build this image'), errors.join('\n'));
    return null;
  }
  return result.value;
}
