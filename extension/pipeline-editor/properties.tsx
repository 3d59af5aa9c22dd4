import type { TranslationBundle } from '@jupyterlab/translation';
import React, { useId } from 'react';

import type { ComponentInput, PipelineStep } from '../../schema/generated/api';
import {
  CheckField,
  formatParam,
  NumberField,
  parseParam,
  SelectField,
  TextField
} from './fields';
import type { PipelineEditorModel } from './model';

/** Choices the server offers, loaded once per editor. */
export interface IChoices {
  images: string[];
  profiles: string[];
}

// Constraints mirrored from schema/api/pipeline.json ($defs/name, resources, retry).
const NAME = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;
const MEMORY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/;

interface IProps {
  model: PipelineEditorModel;
  choices: IChoices;
  trans: TranslationBundle;
}

/**
 * The properties of the selected step (what it runs, image, resources, parameters, outputs,
 * retries), or of the pipeline when no step is selected. Edits go to the model as they are
 * typed; one field's typing is one undo step.
 */
export function PropertiesPanel({ model, choices, trans }: IProps): JSX.Element {
  const step = model.steps.find(s => s.name === model.selected);
  const listId = useId();
  return (
    <aside className="jp-Conveyor-peProperties" aria-label={trans.__('Properties')} data-testid="conveyor-pe-properties">
      <datalist id={listId}>
        {choices.images.map(i => (
          <option key={i} value={i} />
        ))}
      </datalist>
      {step ? (
        <StepForm key={step.name} step={step} model={model} choices={choices} imageList={listId} trans={trans} />
      ) : (
        <PipelineForm model={model} choices={choices} imageList={listId} trans={trans} />
      )}
    </aside>
  );
}

function PipelineForm({ model, choices, imageList, trans }: IProps & { imageList: string }): JSX.Element {
  const p = model.state.pipeline;
  const done = () => model.seal();
  const defaults = p.defaults ?? {};
  const setDefaults = (patch: object, field: string) =>
    model.updatePipeline({ defaults: prune({ ...defaults, ...patch }) }, `pipeline/${field}`);
  return (
    <>
      <h3 className="jp-Conveyor-peHeading">{trans.__('Pipeline')}</h3>
      <TextField
        label={trans.__('Name')}
        value={p.name}
        check={t => (NAME.test(t) ? null : trans.__('lower-case letters, digits, - and _; 1-63 characters'))}
        onChange={v => model.updatePipeline({ name: v ?? p.name }, 'pipeline/name')}
        onDone={done}
      />
      <TextField
        label={trans.__('Description')}
        multiline
        value={p.description}
        onChange={v => model.updatePipeline({ description: v }, 'pipeline/description')}
        onDone={done}
      />
      <TextField
        label={trans.__('Experiment')}
        value={p.experiment}
        placeholder={p.name}
        onChange={v => model.updatePipeline({ experiment: v }, 'pipeline/experiment')}
        onDone={done}
      />
      <TextField
        label={trans.__('Default image')}
        list={imageList}
        value={defaults.image}
        onChange={v => setDefaults({ image: v }, 'image')}
        onDone={done}
      />
      <SelectField
        label={trans.__('Default resource profile')}
        value={defaults.resources?.profile}
        options={profileOptions(choices, trans)}
        onChange={v => setDefaults({ resources: prune({ ...defaults.resources, profile: v }) }, 'profile')}
      />
      <p className="jp-Conveyor-peHint">
        {trans.__('Select a step to edit it. Drag notebooks from the file browser and components from the Components panel onto the canvas; connect an output (right) to an input (left).')}
      </p>
      <Problems model={model} step={null} trans={trans} />
    </>
  );
}

function StepForm({ step, model, choices, imageList, trans }: IProps & { step: PipelineStep; imageList: string }): JSX.Element {
  const set = (patch: Partial<PipelineStep>, field: string) =>
    model.updateStep(step.name, { ...step, ...patch }, `${step.name}/${field}`);
  const done = () => model.seal();
  const taken = new Set(model.steps.map(s => s.name).filter(n => n !== step.name));
  const spec = step.component ? model.component(step.component) : null;
  const paramInputs = model.componentInputs(step.name).filter(i => i.type === 'parameter');
  const resources = step.resources ?? {};
  const setResources = (patch: object, field: string) =>
    set({ resources: prune({ ...resources, ...patch }) }, field);
  return (
    <>
      <h3 className="jp-Conveyor-peHeading">{trans.__('Step %1', step.name)}</h3>
      <TextField
        label={trans.__('Name')}
        value={step.name}
        testId="conveyor-pe-step-name"
        check={t =>
          !NAME.test(t)
            ? trans.__('lower-case letters, digits, - and _; 1-63 characters')
            : taken.has(t)
              ? trans.__('another step has this name')
              : null
        }
        onChange={v => v && set({ name: v }, 'name')}
        onDone={done}
      />
      {step.component !== undefined && (
        <TextField
          label={trans.__('Component')}
          value={step.component}
          description={spec?.description}
          check={t => (/^[a-z0-9][a-z0-9._/-]*@[0-9]+\.[0-9]+\.[0-9]+/.test(t) ? null : trans.__('<name>@<version>'))}
          onChange={v => v && set({ component: v }, 'component')}
          onDone={done}
        />
      )}
      {step.notebook !== undefined && (
        <TextField
          label={trans.__('Notebook')}
          value={step.notebook}
          description={trans.__('Relative to the pipeline file')}
          onChange={v => v && set({ notebook: v }, 'notebook')}
          onDone={done}
        />
      )}
      {step.command !== undefined && (
        <TextField
          label={trans.__('Command')}
          value={JSON.stringify(step.command)}
          check={t => (isStringList(parseParam(t)) ? null : trans.__('a JSON list of strings: ["python3", "train.py"]'))}
          onChange={v => v && set({ command: parseParam(v) as PipelineStep['command'] }, 'command')}
          onDone={done}
        />
      )}
      <TextField
        label={trans.__('Image')}
        list={imageList}
        value={step.image}
        placeholder={model.state.pipeline.defaults?.image ?? trans.__('(pipeline default)')}
        onChange={v => set({ image: v }, 'image')}
        onDone={done}
      />
      <fieldset className="jp-Conveyor-peGroup">
        <legend>{trans.__('Resources')}</legend>
        <SelectField
          label={trans.__('Profile')}
          value={resources.profile}
          options={profileOptions(choices, trans)}
          onChange={v => setResources({ profile: v }, 'profile')}
        />
        <NumberField label={trans.__('CPUs')} value={resources.cpus} min={0.01} max={1024} onChange={v => setResources({ cpus: v }, 'cpus')} onDone={done} />
        <TextField
          label={trans.__('Memory')}
          value={resources.memory}
          placeholder="2Gi"
          check={t => (t === '' || MEMORY.test(t) ? null : trans.__('e.g. 512Mi, 2Gi'))}
          onChange={v => setResources({ memory: v }, 'memory')}
          onDone={done}
        />
        <NumberField label={trans.__('GPUs')} integer min={0} max={64} value={resources.gpus} onChange={v => setResources({ gpus: v }, 'gpus')} onDone={done} />
      </fieldset>
      <fieldset className="jp-Conveyor-peGroup">
        <legend>{trans.__('Parameters')}</legend>
        {paramInputs.map(input => (
          <ParamField key={input.name} input={input} step={step} set={set} done={done} />
        ))}
        <FreeParams step={step} skip={paramInputs.map(i => i.name)} set={set} done={done} trans={trans} />
      </fieldset>
      {step.component === undefined && (
        <TextField
          label={trans.__('Outputs')}
          value={(step.outputs ?? []).join(', ')}
          same={(t, v) => split(t).join(', ') === (v ?? '')}
          description={trans.__('Files or folders the step writes, comma-separated; each becomes an output port')}
          testId="conveyor-pe-outputs"
          onChange={v => set({ outputs: split(v ?? '') }, 'outputs')}
          onDone={done}
        />
      )}
      <fieldset className="jp-Conveyor-peGroup">
        <legend>{trans.__('Execution')}</legend>
        <NumberField
          label={trans.__('Attempts')}
          description={trans.__('Total attempts, including the first')}
          integer
          min={1}
          max={10}
          value={step.retry?.attempts}
          onChange={v => set({ retry: prune({ ...step.retry, attempts: v }) }, 'attempts')}
          onDone={done}
        />
        <NumberField
          label={trans.__('Timeout (seconds)')}
          integer
          min={1}
          max={604800}
          value={step.timeoutSeconds}
          onChange={v => set({ timeoutSeconds: v }, 'timeout')}
          onDone={done}
        />
        <CheckField label={trans.__('Reuse an identical earlier execution (cache)')} value={step.cache} defaultValue onChange={v => set({ cache: v }, 'cache')} />
        <CheckField label={trans.__('Network access')} value={step.network} defaultValue={false} onChange={v => set({ network: v }, 'network')} />
      </fieldset>
      <Problems model={model} step={step.name} trans={trans} />
    </>
  );
}

/** A component parameter, typed by its spec (number range, enum, boolean, JSON). */
function ParamField({ input, step, set, done }: {
  input: ComponentInput;
  step: PipelineStep;
  set: (patch: Partial<PipelineStep>, field: string) => void;
  done: () => void;
}): JSX.Element {
  const value = step.params?.[input.name];
  const update = (v: unknown) =>
    set({ params: prune({ ...step.params, [input.name]: v }) as PipelineStep['params'] }, `param:${input.name}`);
  const placeholder = input.default === undefined ? '' : formatParam(input.default);
  if (input.enum) {
    return (
      <SelectField
        label={input.name}
        description={input.description}
        value={value === undefined ? undefined : formatParam(value)}
        options={[{ value: '', label: placeholder ? `(${placeholder})` : '' }, ...input.enum.map(e => ({ value: formatParam(e), label: formatParam(e) }))]}
        onChange={v => update(v === undefined ? undefined : input.enum!.find(e => formatParam(e) === v))}
      />
    );
  }
  if (input.paramType === 'boolean') {
    return <CheckField label={input.name} description={input.description} value={value as boolean | undefined} defaultValue={input.default === true} onChange={update} />;
  }
  if (input.paramType === 'number' || input.paramType === 'integer') {
    return (
      <NumberField
        label={input.name}
        description={input.description}
        integer={input.paramType === 'integer'}
        min={input.minimum}
        max={input.maximum}
        placeholder={placeholder}
        value={value as number | undefined}
        onChange={update}
        onDone={done}
      />
    );
  }
  return (
    <TextField
      label={input.name}
      description={input.description}
      placeholder={placeholder}
      value={value === undefined ? undefined : input.paramType === 'string' ? String(value) : formatParam(value)}
      onChange={v => update(v === undefined ? undefined : input.paramType === 'string' ? v : parseParam(v))}
      onDone={done}
    />
  );
}

/** Parameters without a spec (notebook steps): `name = value` rows, values as JSON. */
function FreeParams({ step, skip, set, done, trans }: {
  step: PipelineStep;
  skip: string[];
  set: (patch: Partial<PipelineStep>, field: string) => void;
  done: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const entries = Object.entries(step.params ?? {}).filter(([k]) => !skip.includes(k));
  const text = entries.map(([k, v]) => `${k} = ${formatParam(v)}`).join('\n');
  const parse = (t: string): Record<string, unknown> | string => {
    const out: Record<string, unknown> = {};
    for (const line of t.split('\n').filter(l => l.trim())) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*=\s*(.*)$/.exec(line);
      if (!m) {
        return trans.__('one "name = value" per line: %1', line.trim());
      }
      out[m[1]] = parseParam(m[2]);
    }
    return out;
  };
  return (
    <TextField
      label={skip.length > 0 ? trans.__('Other parameters') : trans.__('name = value, one per line')}
      multiline
      value={text}
      same={(t, v) => {
        const parsed = parse(t);
        return typeof parsed !== 'string' && Object.entries(parsed).map(([k, x]) => `${k} = ${formatParam(x)}`).join('\n') === (v ?? '');
      }}
      check={t => {
        const parsed = parse(t);
        return typeof parsed === 'string' ? parsed : null;
      }}
      onChange={v => {
        const parsed = parse(v ?? '') as Record<string, unknown>;
        const kept = Object.fromEntries(Object.entries(step.params ?? {}).filter(([k]) => skip.includes(k)));
        set({ params: { ...kept, ...parsed } as PipelineStep['params'] }, 'params');
      }}
      onDone={done}
    />
  );
}

function Problems({ model, step, trans }: { model: PipelineEditorModel; step: string | null; trans: TranslationBundle }): JSX.Element | null {
  const errors = step ? model.stepErrors(step) : (model.validation?.errors ?? []).filter(e => e.step === null);
  if (errors.length === 0) {
    return null;
  }
  return (
    <div className="jp-Conveyor-peProblems" role="status">
      <h4>{trans.__('Problems')}</h4>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            {e.path && <code>{e.path}</code>} {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function profileOptions(choices: IChoices, trans: TranslationBundle): Array<{ value: string; label: string }> {
  return [{ value: '', label: trans.__('(default)') }, ...choices.profiles.map(p => ({ value: p, label: p }))];
}

function split(text: string): string[] {
  return text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every(x => typeof x === 'string');
}

/** Drop undefined fields; undefined when nothing is left. */
function prune<T extends object>(obj: T): T | undefined {
  const out = Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}
