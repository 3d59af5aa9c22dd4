import type { Component, PipelineTemplateSlot } from '../../schema/generated/api';
import { compatible } from './ports';

/** Whether a component fits a template slot: it has the required inputs and outputs, typed. */
export function fitsSlot(spec: Component, slot: PipelineTemplateSlot): boolean {
  const req = slot.requires ?? {};
  const inputsOk = (req.inputs ?? []).every(r =>
    (spec.inputs ?? []).some(i => i.name === r.name && i.type !== 'parameter' && compatible(r.type, i.type))
  );
  const outputsOk = (req.outputs ?? []).every(r =>
    (spec.outputs ?? []).some(o => o.name === r.name && (o.type === r.type || r.type === 'artifact'))
  );
  // Every other data input would be left unconnected.
  const noOtherInputs = (spec.inputs ?? []).every(
    i => i.type === 'parameter' || i.optional || (req.inputs ?? []).some(r => r.name === i.name)
  );
  return inputsOk && outputsOk && noOtherInputs;
}
