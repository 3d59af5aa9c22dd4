import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import type { Workspace, WorkspaceCreate } from '../../schema/generated/api';
import {
  IStartChoices,
  IStartValues,
  MAX_IDLE_MINUTES,
  startErrors,
  toCreateRequest
} from './start';
import { profileSummary } from '../resources/panel';

interface IFormProps {
  choices: IStartChoices;
  existing: readonly Workspace[];
  trans: TranslationBundle;
  initial: IStartValues;
  /** Show every field's error, not only those of touched fields (after a refused submit). */
  showAll: boolean;
  onChange: (values: IStartValues) => void;
}

/**
 * The "Start workspace" form: name, image, resource profile and idle timeout.
 */
export function StartForm(props: IFormProps): JSX.Element {
  const { choices, existing, trans } = props;
  const [values, setValues] = useState(props.initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const errors = startErrors(values, existing, trans);
  const set = (patch: Partial<IStartValues>) => {
    const next = { ...values, ...patch };
    setValues(next);
    setTouched(new Set([...touched, ...Object.keys(patch)]));
    props.onChange(next);
  };
  const field = (key: keyof IStartValues) => {
    const shown = errors[key] && (props.showAll || touched.has(key));
    return {
      error: shown ? (
        <span className="jp-Conveyor-fieldError" id={`jp-conveyor-workspace-${key}-error`} role="alert">
          {errors[key]}
        </span>
      ) : null,
      aria: {
        'aria-invalid': !!shown,
        'aria-describedby': shown ? `jp-conveyor-workspace-${key}-error` : undefined
      }
    };
  };
  const name = field('name');
  const image = field('image');
  const profile = field('profile');
  const idle = field('idleMinutes');
  return (
    <div className="jp-Conveyor-form jp-Conveyor-workspaceStartForm">
      {choices.errors.map(e => (
        <p key={e} className="jp-Conveyor-warning">
          {e}
        </p>
      ))}
      <div className="jp-Conveyor-formGrid">
        <label htmlFor="jp-conveyor-workspace-name">{trans.__('Name')}</label>
        <div>
          <input
            id="jp-conveyor-workspace-name"
            className="jp-mod-styled"
            value={values.name}
            onChange={e => set({ name: e.target.value })}
            data-testid="conveyor-workspace-name"
            {...name.aria}
          />
          {name.error}
        </div>

        <label htmlFor="jp-conveyor-workspace-image">{trans.__('Image')}</label>
        <div>
          <select
            id="jp-conveyor-workspace-image"
            className="jp-mod-styled"
            value={values.image}
            onChange={e => set({ image: e.target.value })}
            data-testid="conveyor-workspace-image"
            {...image.aria}
          >
            {choices.images.length === 0 && <option value="">{trans.__('No image available')}</option>}
            {choices.images.map(ref => (
              <option key={ref} value={ref}>
                {ref === choices.defaultImage ? trans.__('%1 (your default)', ref) : ref}
              </option>
            ))}
          </select>
          {image.error}
        </div>

        <label htmlFor="jp-conveyor-workspace-profile">{trans.__('Resources')}</label>
        <div>
          <select
            id="jp-conveyor-workspace-profile"
            className="jp-mod-styled"
            value={values.profile}
            onChange={e => set({ profile: e.target.value })}
            data-testid="conveyor-workspace-profile"
            {...profile.aria}
          >
            {choices.profiles.length === 0 && <option value="">{trans.__('No profile available')}</option>}
            {choices.profiles.map(p => (
              <option key={p.name} value={p.name}>
                {`${p.name} — ${profileSummary(p, trans)}`}
              </option>
            ))}
          </select>
          {profile.error}
        </div>

        <label htmlFor="jp-conveyor-workspace-idle">{trans.__('Stop when idle for')}</label>
        <div>
          <span className="jp-Conveyor-workspaceIdle">
            <input
              id="jp-conveyor-workspace-idle"
              className="jp-mod-styled"
              type="number"
              min={1}
              max={MAX_IDLE_MINUTES}
              step={1}
              value={values.idleMinutes}
              onChange={e => set({ idleMinutes: e.target.value })}
              data-testid="conveyor-workspace-idle"
              {...idle.aria}
            />
            <span>{trans.__('minutes')}</span>
          </span>
          {idle.error}
        </div>
      </div>
      <p className="jp-Conveyor-note">
        {trans.__(
          'Your home folder is kept on a volume of yours across stops and restarts. A busy kernel, an open terminal or an open tab counts as activity.'
        )}
      </p>
    </div>
  );
}

class StartBody extends ReactWidget {
  constructor(private readonly _props: Omit<IFormProps, 'onChange'>) {
    super();
    this.addClass('jp-Conveyor-workspaceStart');
    this.values = _props.initial;
  }

  values: IStartValues;

  getValue(): IStartValues {
    return this.values;
  }

  render(): JSX.Element {
    return <StartForm {...this._props} onChange={v => (this.values = v)} />;
  }
}

/**
 * Ask for a new workspace's name, image, profile and idle timeout. Resolves with the request,
 * or `null` when cancelled; an invalid form is shown again with its errors.
 */
export async function askStart(
  choices: IStartChoices,
  existing: readonly Workspace[],
  initial: IStartValues,
  trans: TranslationBundle
): Promise<WorkspaceCreate | null> {
  let values = initial;
  let showAll = false;
  for (;;) {
    const body = new StartBody({ choices, existing, trans, initial: values, showAll });
    const result = await new Dialog<IStartValues>({
      title: trans.__('Start a workspace'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Start') })
      ],
      focusNodeSelector: '#jp-conveyor-workspace-name'
    }).launch();
    if (!result.button.accept || !result.value) {
      return null;
    }
    values = result.value;
    if (Object.keys(startErrors(values, existing, trans)).length === 0) {
      return toCreateRequest(values);
    }
    showAll = true;
  }
}
