import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ComponentEntry } from '../../schema/generated/api';
import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { ComponentDetails } from './details';
import { startComponentDrag } from './drag';
import type { ComponentsModel } from './model';
import { readOnlyNote } from '../workspaces/inside';

/**
 * The "Components" sidebar section: search, tag filter, the catalog and the selected
 * component's details. Rows drag onto the pipeline canvas.
 */
export class ComponentsPanel extends SectionPanel<ComponentsPanel.IOptions> {
  constructor(options: ComponentsPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-components',
      label: options.trans.__('Components'),
      caption: options.trans.__('Reusable pipeline steps: built-in, workspace and registry')
    });
  }

  protected renderView(): JSX.Element {
    return <ComponentsView {...this._options} />;
  }
}

export namespace ComponentsPanel {
  export interface IOptions {
    model: ComponentsModel;
    trans: TranslationBundle;
    /** Whether a pipeline editor is open to insert into. */
    canInsert: () => boolean;
    onInsert: (entry: ComponentEntry) => void;
  }
}

const SOURCE_LABELS: Record<ComponentEntry['source'], string> = {
  builtin: 'built-in',
  workspace: 'workspace',
  registry: 'registry'
};

export function ComponentsView(props: ComponentsPanel.IOptions): JSX.Element {
  const { model, trans } = props;
  const entries = model.filtered;
  const selected = model.selected;
  return (
    <div className="jp-Conveyor-componentsBody">
      <div className="jp-Conveyor-runsToolbar">
        <input
          type="search"
          className="jp-Conveyor-input jp-Conveyor-runsSearch"
          placeholder={trans.__('Search components')}
          aria-label={trans.__('Search components')}
          value={model.query}
          onChange={e => (model.query = e.target.value)}
          data-testid="conveyor-components-search"
        />
        <select
          className="jp-Conveyor-input"
          aria-label={trans.__('Filter by tag')}
          value={model.tag}
          onChange={e => (model.tag = e.target.value)}
          data-testid="conveyor-components-tag"
        >
          <option value="">{trans.__('All tags')}</option>
          {model.tags.map(t => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <RefreshButton label={trans.__('Refresh components')} onClick={() => void model.refresh()} />
      </div>
      <SectionError error={model.error} />
      {model.readOnly && (
        <p className="jp-Conveyor-placeholder" role="note" data-testid="conveyor-components-read-only">
          {readOnlyNote(trans, trans.__('the catalog reads this workspace’s files, which a view link does not open.'))}
        </p>
      )}
      {(model.fileErrors ?? []).map(e => (
        <p key={e.path} className="jp-Conveyor-componentFileError" role="note">
          {trans.__('%1: %2', e.path, e.message)}
        </p>
      ))}
      {entries.length === 0 && !model.loading && !model.readOnly && (
        <p className="jp-Conveyor-placeholder">
          {model.query || model.tag ? trans.__('No component matches.') : trans.__('No components yet.')}
        </p>
      )}
      <ul className="jp-Conveyor-componentList" aria-label={trans.__('Components')}>
        {entries.map(entry => {
          const isSelected = selected?.ref === entry.ref;
          return (
            <li
              key={`${entry.source}:${entry.ref}`}
              className={`jp-Conveyor-componentRow${isSelected ? ' jp-mod-selected' : ''}`}
              data-ref={entry.ref}
              data-testid="conveyor-component"
            >
              <button
                type="button"
                className="jp-Conveyor-componentButton"
                aria-expanded={isSelected}
                title={trans.__('Drag onto a pipeline, or press Enter for details')}
                onClick={() => model.select(isSelected ? null : entry.ref)}
                onPointerDown={e => startComponentDrag(e, entry)}
              >
                <span className="jp-Conveyor-componentName">{entry.spec.name}</span>
                <span className="jp-Conveyor-componentVersion">{entry.spec.version}</span>
                <span className={`jp-Conveyor-componentSource jp-mod-${entry.source}`}>
                  {trans.__(SOURCE_LABELS[entry.source])}
                </span>
                {entry.spec.description && (
                  <span className="jp-Conveyor-componentDescription">{entry.spec.description}</span>
                )}
                {(entry.spec.tags ?? []).length > 0 && (
                  <span className="jp-Conveyor-componentTags">
                    {(entry.spec.tags ?? []).map(t => (
                      <span key={t} className="jp-Conveyor-componentTag">
                        {t}
                      </span>
                    ))}
                  </span>
                )}
              </button>
              {isSelected && <ComponentDetails {...props} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
