import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, refreshIcon, UseSignal } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import React from 'react';

import type { SectionModel } from './sectionModel';

/**
 * A sidebar section that renders a SectionModel and never fetches by itself: it re-renders on
 * the model's `changed` signal and tells the model when it is shown or hidden, so the model's
 * poll stands by while nobody looks.
 */
export abstract class SectionPanel<O extends SectionPanel.IOptions> extends ReactWidget {
  constructor(
    protected readonly _options: O,
    section: { id: string; label: string; caption: string }
  ) {
    super();
    this.id = section.id;
    this.addClass(`jp-Conveyor-${section.id.replace(/^jp-conveyor-/, '')}`);
    this.title.label = section.label;
    this.title.caption = section.caption;
  }

  get model(): O['model'] {
    return this._options.model;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.visible = false;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed} initialSender={this.model}>
        {() => this.renderView()}
      </UseSignal>
    );
  }

  /** The section's content, for the model's current state. */
  protected abstract renderView(): JSX.Element;
}

export namespace SectionPanel {
  export interface IOptions {
    model: SectionModel;
    trans: TranslationBundle;
  }
}

/** The refresh button of a section toolbar (icon only, labelled for screen readers). */
export function RefreshButton(props: { label: string; onClick: () => void }): JSX.Element {
  return (
    <button
      type="button"
      className="jp-Button jp-mod-minimal jp-Conveyor-iconButton"
      onClick={props.onClick}
      aria-label={props.label}
      title={props.label}
    >
      <refreshIcon.react tag="span" />
    </button>
  );
}

/** A section's last error, announced to screen readers; nothing when there is none. */
export function SectionError(props: { error: string | null | undefined }): JSX.Element | null {
  return props.error ? (
    <p className="jp-Conveyor-error" role="alert">
      {props.error}
    </p>
  ) : null;
}
