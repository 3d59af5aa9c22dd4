import type { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  caretDownIcon,
  caretRightIcon,
  copyIcon
} from '@jupyterlab/ui-components';
import React from 'react';

import type { StepImage } from '../../schema/generated/api';
import { RefreshButton, SectionError, SectionPanel } from '../core/sectionPanel';
import { formatBytes, formatWhen } from '../runs/format';
import { IImageGroup, imageRef, tagOf } from './group';
import type { ImagesModel, SearchBy } from './model';

/**
 * The "Images" sidebar section: renders the ImagesModel, never fetches by itself.
 */
export class ImagesPanel extends SectionPanel<ImagesPanel.IOptions> {
  constructor(options: ImagesPanel.IOptions) {
    super(options, {
      id: 'jp-conveyor-images',
      label: options.trans.__('Images'),
      caption: options.trans.__('Workspace images: registry and local engine')
    });
  }

  protected renderView(): JSX.Element {
    return <ImagesView {...this._options} />;
  }
}

export namespace ImagesPanel {
  export interface IOptions {
    model: ImagesModel;
    trans: TranslationBundle;
    onBuild: (base?: string) => void;
    onSetDefault: (image: StepImage) => void;
    onDelete: (image: StepImage) => void;
    onCopy: (text: string) => void;
  }
}

function groupTitle(group: IImageGroup, trans: TranslationBundle): string {
  switch (group.kind) {
    case 'shared':
      return trans.__('Shared (shared/)');
    case 'mine':
      return trans.__('Mine (%1/)', group.key);
    case 'user':
      return `${group.key}/`;
    default:
      return trans.__('Local engine images');
  }
}

export function ImagesView(props: ImagesPanel.IOptions): JSX.Element {
  const { model, trans, onBuild } = props;
  const groups = model.groups;
  return (
    <div className="jp-Conveyor-imagesBody">
      <div className="jp-Conveyor-runsToolbar">
        <input
          type="search"
          className="jp-Conveyor-input jp-Conveyor-runsSearch"
          placeholder={
            model.searchBy === 'package' ? trans.__('e.g. xgboost 2') : trans.__('Filter by name')
          }
          aria-label={trans.__('Search images')}
          value={model.query}
          onChange={e => (model.query = e.target.value)}
          data-testid="conveyor-images-search"
        />
        <select
          className="jp-Conveyor-input"
          aria-label={trans.__('Search images by')}
          value={model.searchBy}
          onChange={e => (model.searchBy = e.target.value as SearchBy)}
          data-testid="conveyor-images-search-by"
        >
          <option value="name">{trans.__('Name')}</option>
          <option value="package">{trans.__('Package')}</option>
        </select>
        <RefreshButton label={trans.__('Refresh images')} onClick={() => void model.refresh()} />
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
          onClick={() => onBuild()}
          aria-label={trans.__('Build custom image…')}
          title={trans.__('Build custom image…')}
          data-testid="conveyor-images-build"
        >
          <addIcon.react tag="span" />
        </button>
      </div>
      <SectionError error={model.error} />
      {groups.length === 0 && !model.loading && (
        <p className="jp-Conveyor-placeholder">
          {model.query ? trans.__('No image matches.') : trans.__('No images yet.')}
        </p>
      )}
      {groups.map(group => (
        <section
          key={group.key}
          className="jp-Conveyor-imageGroup"
          aria-label={groupTitle(group, trans)}
          data-group={group.kind}
          data-testid="conveyor-image-group"
        >
          <h3 className="jp-Conveyor-resourcesHeading">{groupTitle(group, trans)}</h3>
          {group.repositories.map(repo => (
            <div key={repo.name} className="jp-Conveyor-imageRepo" data-repository={repo.name}>
              <div className="jp-Conveyor-imageRepoName">{repo.name}</div>
              <ul className="jp-Conveyor-imageTags" aria-label={repo.name}>
                {repo.tags.map(image => (
                  <TagRow key={imageRef(image)} image={image} {...props} />
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}

function TagRow(props: ImagesPanel.IOptions & { image: StepImage }): JSX.Element {
  const { image, model, trans, onSetDefault, onDelete, onCopy, onBuild } = props;
  const ref = imageRef(image);
  const expanded = model.expanded === ref;
  const isDefault = !!image.default;
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  const detailsId = `jp-conveyor-image-${ref.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <li
      className={`jp-Conveyor-imageTag${isDefault ? ' jp-mod-default' : ''}`}
      data-ref={ref}
      data-testid="conveyor-image-tag"
    >
      <button
        type="button"
        className="jp-Conveyor-imageTagHead"
        aria-expanded={expanded}
        aria-controls={detailsId}
        onClick={() => void model.toggle(image)}
      >
        <Caret.react tag="span" className="jp-Conveyor-caret" />
        <span className="jp-Conveyor-imageTagName">{tagOf(image)}</span>
        {isDefault && (
          <span className="jp-Conveyor-defaultBadge" data-testid="conveyor-image-default">
            {trans.__('default')}
          </span>
        )}
        <span className="jp-Conveyor-imageMeta">
          <span title={trans.__('Size')}>{formatBytes(image.sizeBytes)}</span>
          <span title={image.created}>{formatWhen(image.created)}</span>
        </span>
      </button>
      {image.matches && image.matches.length > 0 && (
        <div className="jp-Conveyor-imageMatches" data-testid="conveyor-image-matches">
          {image.matches.join(', ')}
        </div>
      )}
      {expanded && (
        <div id={detailsId} className="jp-Conveyor-imageDetails">
          <dl className="jp-Conveyor-imageFacts">
            <dt>{trans.__('Reference')}</dt>
            <dd>
              <code>{ref}</code>
            </dd>
            {image.buildId && (
              <>
                <dt>{trans.__('Build')}</dt>
                <dd data-testid="conveyor-image-build-id">{image.buildId}</dd>
              </>
            )}
            <dt>{trans.__('Digest')}</dt>
            <dd className="jp-Conveyor-digest">
              <code title={image.digest ?? image.id}>{(image.digest ?? image.id).slice(0, 19)}…</code>
              <button
                type="button"
                className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
                onClick={() => onCopy(image.digest ?? image.id)}
                aria-label={trans.__('Copy digest')}
                title={trans.__('Copy digest')}
              >
                <copyIcon.react tag="span" />
              </button>
            </dd>
          </dl>
          <Packages {...props} />
          <div className="jp-Conveyor-imageActions">
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-accept"
              disabled={isDefault}
              onClick={() => onSetDefault(image)}
              data-testid="conveyor-image-use-default"
            >
              {isDefault ? trans.__('Default') : trans.__('Use as default')}
            </button>
            {image.source === 'registry' && (
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-reject"
                onClick={() => onBuild(ref)}
              >
                {trans.__('Build from…')}
              </button>
            )}
            {model.canDelete(image) && (
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-warn"
                onClick={() => onDelete(image)}
                data-testid="conveyor-image-delete"
              >
                {trans.__('Delete')}
              </button>
            )}
          </div>
        </div>
      )}
    </li>
  );
}

function Packages({ image, model, trans }: ImagesPanel.IOptions & { image: StepImage }) {
  if (image.source !== 'registry') {
    return null;
  }
  const details = model.details(image);
  if (!details) {
    return <p className="jp-Conveyor-placeholder">{trans.__('Loading packages…')}</p>;
  }
  const lists: [string, string[]][] = [
    [trans.__('Python packages (%1)', details.packages.python.length), details.packages.python],
    [trans.__('Debian packages (%1)', details.packages.debian.length), details.packages.debian]
  ];
  return (
    <>
      {lists.map(([title, items]) => (
        <details key={title} className="jp-Conveyor-packages" data-testid="conveyor-image-packages">
          <summary>{title}</summary>
          <ul>
            {items.map(p => (
              <li key={p}>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </>
  );
}
