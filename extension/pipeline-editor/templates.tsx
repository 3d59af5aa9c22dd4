import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import { UseSignal } from '@jupyterlab/ui-components';
import React, { useId } from 'react';

import type {
  ComponentEntry,
  ComponentList,
  PipelineTemplate,
  PipelineTemplateList,
  PipelineTemplateSlot
} from '../../schema/generated/api';
import type { Fetcher } from './model';
import { fitsSlot } from './slots';

/** The state of the "New pipeline from template" dialog. */
export class TemplateChooser {
  constructor(private readonly _fetch: Fetcher, readonly cwd: string) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  templates: PipelineTemplate[] = [];
  components: ComponentEntry[] = [];
  error: string | null = null;
  loading = true;
  templateId = '';
  /** Slot (step) → chosen component ref. */
  slots: Record<string, string> = {};
  path = '';

  get template(): PipelineTemplate | null {
    return this.templates.find(t => t.id === this.templateId) ?? null;
  }

  /** The components that fit a slot (its default first). */
  candidates(slot: PipelineTemplateSlot): string[] {
    const refs = this.components.filter(c => fitsSlot(c.spec, slot)).map(c => c.ref);
    return [slot.default, ...refs.filter(r => r !== slot.default)];
  }

  async load(): Promise<void> {
    try {
      const [templates, components] = await Promise.all([
        this._fetch<PipelineTemplateList>('pipeline-templates'),
        this._fetch<ComponentList>('components').catch(() => ({ components: [] }) as ComponentList)
      ]);
      this.templates = templates.templates;
      this.components = components.components;
      if (this.templates.length > 0) {
        this.choose(this.templates[0].id);
      }
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.loading = false;
    this._changed.emit();
  }

  choose(id: string): void {
    this.templateId = id;
    const t = this.template;
    this.slots = Object.fromEntries((t?.slots ?? []).map(s => [s.step, s.default]));
    this.path = `${this.cwd ? `${this.cwd}/` : ''}${id}.pipeline.yaml`;
    this._changed.emit();
  }

  set(patch: Partial<Pick<TemplateChooser, 'path'>> & { slot?: [string, string] }): void {
    if (patch.path !== undefined) {
      this.path = patch.path;
    }
    if (patch.slot) {
      this.slots = { ...this.slots, [patch.slot[0]]: patch.slot[1] };
    }
    this._changed.emit();
  }

  /** Write the pipeline file; resolves to its path. */
  async instantiate(): Promise<string> {
    const t = this.template;
    if (!t) {
      throw new Error('No template chosen');
    }
    const changed = Object.fromEntries(
      Object.entries(this.slots).filter(([step, ref]) => t.slots.find(s => s.step === step)?.default !== ref)
    );
    await this._fetch(`pipeline-templates/${encodeURIComponent(t.id)}/instantiate`, {
      method: 'POST',
      body: JSON.stringify({ path: this.path, slots: changed }),
      headers: { 'Content-Type': 'application/json' }
    });
    return this.path;
  }

  private _changed = new Signal<this, void>(this);
}

/** The dialog body: templates, their slots (swap a component) and the file to write. */
export class TemplateBody extends ReactWidget {
  constructor(readonly chooser: TemplateChooser, private readonly trans: TranslationBundle) {
    super();
    this.addClass('jp-Conveyor-peTemplates');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.chooser.changed} initialSender={this.chooser}>
        {() => <TemplateForm chooser={this.chooser} trans={this.trans} />}
      </UseSignal>
    );
  }
}

function TemplateForm({ chooser, trans }: { chooser: TemplateChooser; trans: TranslationBundle }): JSX.Element {
  const pathId = useId();
  if (chooser.loading) {
    return <p>{trans.__('Loading templates…')}</p>;
  }
  if (chooser.error) {
    return <p className="jp-Conveyor-peFieldError" role="alert">{chooser.error}</p>;
  }
  const t = chooser.template;
  return (
    <div className="jp-Conveyor-peTemplateForm">
      <div role="radiogroup" aria-label={trans.__('Templates')} className="jp-Conveyor-peTemplateList">
        {chooser.templates.map(tpl => (
          <label key={tpl.id} className={`jp-Conveyor-peTemplate${tpl.id === chooser.templateId ? ' jp-mod-selected' : ''}`}>
            <input type="radio" name="template" checked={tpl.id === chooser.templateId} onChange={() => chooser.choose(tpl.id)} />
            <span>
              <strong>{tpl.name}</strong>
              <span className="jp-Conveyor-peFieldHelp">{tpl.description}</span>
            </span>
          </label>
        ))}
      </div>
      {t && t.slots.length > 0 && (
        <fieldset className="jp-Conveyor-peGroup">
          <legend>{trans.__('Components: swap a step for any component that fits')}</legend>
          {t.slots.map(slot => (
            <SlotField key={slot.step} slot={slot} chooser={chooser} />
          ))}
        </fieldset>
      )}
      <div className="jp-Conveyor-peField">
        <label htmlFor={pathId}>{trans.__('File')}</label>
        <input
          id={pathId}
          className="jp-mod-styled"
          value={chooser.path}
          data-testid="conveyor-template-path"
          onChange={e => chooser.set({ path: e.target.value })}
        />
      </div>
    </div>
  );
}

function SlotField({ slot, chooser }: { slot: PipelineTemplateSlot; chooser: TemplateChooser }): JSX.Element {
  const id = useId();
  return (
    <div className="jp-Conveyor-peField">
      <label htmlFor={id}>{slot.step}</label>
      <select id={id} className="jp-mod-styled" value={chooser.slots[slot.step]} onChange={e => chooser.set({ slot: [slot.step, e.target.value] })}>
        {chooser.candidates(slot).map(ref => (
          <option key={ref} value={ref}>
            {ref}
          </option>
        ))}
      </select>
      {slot.description && <div className="jp-Conveyor-peFieldHelp">{slot.description}</div>}
    </div>
  );
}

/** Show the dialog; resolves to the written file's path, or null when cancelled. */
export async function chooseTemplate(fetch: Fetcher, cwd: string, trans: TranslationBundle): Promise<string | null> {
  const chooser = new TemplateChooser(fetch, cwd);
  void chooser.load();
  for (;;) {
    const body = new TemplateBody(chooser, trans);
    const result = await new Dialog({
      title: trans.__('New Pipeline from Template'),
      body,
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Create') })]
    }).launch();
    if (!result.button.accept) {
      return null;
    }
    try {
      return await chooser.instantiate();
    } catch (error) {
      // Keep the choices and show why (e.g. 409: the file exists).
      chooser.error = null;
      await new Dialog({
        title: trans.__('Could not create the pipeline'),
        body: error instanceof Error ? error.message : String(error),
        buttons: [Dialog.okButton({ label: trans.__('Back') })]
      }).launch();
    }
  }
}
