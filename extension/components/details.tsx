import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ComponentInput, ComponentOutput } from '../../schema/generated/api';
import type { ComponentsPanel } from './panel';

/** What a parameter accepts, in a few words: `number, 0–1, default 0.2`. */
export function describeParam(input: ComponentInput, trans: TranslationBundle): string {
  const parts: string[] = [input.paramType ?? 'any'];
  if (input.minimum !== undefined || input.maximum !== undefined) {
    parts.push(`${input.minimum ?? '−∞'}–${input.maximum ?? '∞'}`);
  }
  if (input.enum) {
    parts.push(trans.__('one of %1', input.enum.map(v => JSON.stringify(v)).join(', ')));
  }
  parts.push(
    input.default === undefined ? trans.__('required') : trans.__('default %1', JSON.stringify(input.default))
  );
  return parts.join(', ');
}

/**
 * The selected component: its versions, inputs and outputs with their types, parameters with
 * ranges and defaults, docs, and "insert into the open pipeline".
 */
export function ComponentDetails({ model, trans, canInsert, onInsert }: ComponentsPanel.IOptions): JSX.Element | null {
  const selected = model.selected;
  const shown = model.shown;
  if (!selected || !shown) {
    return null;
  }
  const spec = shown.spec;
  const data = (spec.inputs ?? []).filter(i => i.type !== 'parameter');
  const params = (spec.inputs ?? []).filter(i => i.type === 'parameter');
  const impl = spec.implementation;
  return (
    <div className="jp-Conveyor-componentDetails" data-testid="conveyor-component-details" aria-label={trans.__('Details of %1', shown.ref)}>
      <div className="jp-Conveyor-componentActions">
        <label>
          {trans.__('Version')}{' '}
          <select
            className="jp-Conveyor-input"
            value={spec.version}
            onChange={e => void model.showVersion(e.target.value)}
            aria-label={trans.__('Version of %1', spec.name)}
          >
            {selected.versions.map(v => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={!canInsert()}
          title={canInsert() ? trans.__('Insert into the open pipeline as a new step') : trans.__('Open a pipeline first')}
          aria-label={trans.__('Insert %1 into the open pipeline', shown.ref)}
          onClick={() => onInsert(shown)}
          data-testid="conveyor-component-insert"
        >
          {trans.__('Insert')}
        </button>
      </div>
      <p className="jp-Conveyor-componentMeta">
        <code>{shown.ref}</code>
        {' · '}
        {impl.notebook
          ? trans.__('notebook %1', impl.notebook)
          : trans.__('command %1', (impl.command ?? []).join(' '))}
        {impl.image ? ` · ${impl.image}` : ''}
        {shown.owner ? ` · ${trans.__('by %1', shown.owner)}` : ''}
        {shown.path ? ` · ${shown.path}` : ''}
      </p>
      <Ports title={trans.__('Inputs')} ports={data} trans={trans} />
      <Ports title={trans.__('Outputs')} ports={spec.outputs ?? []} trans={trans} />
      {params.length > 0 && (
        <>
          <h4 className="jp-Conveyor-groupTitle">{trans.__('Parameters')}</h4>
          <dl className="jp-Conveyor-componentPorts">
            {params.map(p => (
              <React.Fragment key={p.name}>
                <dt>{p.name}</dt>
                <dd>
                  <span className="jp-Conveyor-componentType">{describeParam(p, trans)}</span>
                  {p.description && <span> — {p.description}</span>}
                </dd>
              </React.Fragment>
            ))}
          </dl>
        </>
      )}
      {spec.docs && (
        <>
          <h4 className="jp-Conveyor-groupTitle">{trans.__('Docs')}</h4>
          <div className="jp-Conveyor-componentDocs">{spec.docs}</div>
        </>
      )}
    </div>
  );
}

function Ports({ title, ports, trans }: { title: string; ports: Array<ComponentInput | ComponentOutput>; trans: TranslationBundle }): JSX.Element | null {
  if (ports.length === 0) {
    return null;
  }
  return (
    <>
      <h4 className="jp-Conveyor-groupTitle">{title}</h4>
      <dl className="jp-Conveyor-componentPorts">
        {ports.map(p => (
          <React.Fragment key={p.name}>
            <dt>{p.name}</dt>
            <dd>
              <span className={`jp-Conveyor-componentType jp-mod-${p.type}`}>{p.type}</span>
              {'optional' in p && p.optional ? ` (${trans.__('optional')})` : ''}
              {p.description && <span> — {p.description}</span>}
            </dd>
          </React.Fragment>
        ))}
      </dl>
    </>
  );
}
