import type { TranslationBundle } from '@jupyterlab/translation';
import { Handle, type Node, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import React, { useEffect } from 'react';

import type { PipelineProblem, PipelineStep, RunStep } from '../../schema/generated/api';
import { statusGlyph, statusLabel } from '../runs/format';
import { NODE_BASE_HEIGHT, NODE_WIDTH, PORT_ROW } from './autolayout';
import { type IPort, type IStepPorts, NEW_INPUT } from './ports';

export interface IStepNodeData extends Record<string, unknown> {
  step: PipelineStep;
  ports: IStepPorts;
  errors: PipelineProblem[];
  /** The step in the run shown on the canvas, if any. */
  run: RunStep | null;
  trans: TranslationBundle;
}

export type StepNodeType = Node<IStepNodeData, 'step'>;

/** What a step runs, in a few words. */
function kindOf(step: PipelineStep, trans: TranslationBundle): { label: string; detail: string } {
  if (step.component) {
    return { label: trans.__('component'), detail: step.component };
  }
  if (step.notebook) {
    return { label: trans.__('notebook'), detail: step.notebook };
  }
  if (step.command) {
    return { label: trans.__('command'), detail: step.command.join(' ') };
  }
  return { label: trans.__('empty'), detail: trans.__('choose a notebook, command or component') };
}

/**
 * One step on the canvas: its name and what it runs, its inputs (left) and outputs (right) with
 * their types, validation problems and, during a run, its status (glyph and word, not colour
 * alone).
 */
export function StepNode({ id, data, selected }: NodeProps<StepNodeType>): JSX.Element {
  const { step, ports, errors, run, trans } = data;
  // Handles come and go with the ports (validation answers, declared outputs): re-measure them.
  const updateNodeInternals = useUpdateNodeInternals();
  const portKey = [...ports.inputs.map(p => `i:${p.name}`), ...ports.outputs.map(p => `o:${p.name}`), ports.open].join('|');
  useEffect(() => updateNodeInternals(id), [portKey, errors.length, !!run]);
  const kind = kindOf(step, trans);
  const inputs: IPort[] = ports.open ? [...ports.inputs, { name: NEW_INPUT, type: 'any' }] : ports.inputs;
  const rows = Math.max(inputs.length + ports.outputs.length, 1);
  const status = run?.status;
  const classes = ['jp-Conveyor-peNode'];
  if (selected) {
    classes.push('jp-mod-selected');
  }
  if (errors.length > 0) {
    classes.push('jp-mod-invalid');
  }
  if (status) {
    classes.push(`jp-mod-${status}`);
  }
  const problems = errors.map(e => e.message).join('\n');
  return (
    <div
      className={classes.join(' ')}
      style={{ width: NODE_WIDTH, minHeight: NODE_BASE_HEIGHT + rows * PORT_ROW }}
      data-step={step.name}
      data-status={status ?? ''}
      title={problems || undefined}
    >
      <div className="jp-Conveyor-peNodeHeader">
        <span className="jp-Conveyor-peNodeName">{step.name}</span>
        <span className="jp-Conveyor-peNodeKind">{kind.label}</span>
      </div>
      <div className="jp-Conveyor-peNodeDetail" title={kind.detail}>
        {kind.detail}
      </div>
      <div className="jp-Conveyor-peNodePorts">
        {inputs.map(port => (
          <div key={`in:${port.name}`} className="jp-Conveyor-pePort jp-mod-input">
            <Handle
              type="target"
              position={Position.Left}
              id={port.name}
              className={`jp-Conveyor-peHandle jp-mod-${port.type}`}
              aria-label={
                port.name === NEW_INPUT
                  ? trans.__('New input of %1', step.name)
                  : trans.__('Input %1 (%2) of %3', port.name, port.type, step.name)
              }
            />
            <span className="jp-Conveyor-pePortName" title={port.description ?? port.name}>
              {port.name === NEW_INPUT ? trans.__('+ input') : port.name}
            </span>
            {port.name !== NEW_INPUT && port.type !== 'any' && (
              <span className="jp-Conveyor-pePortType">{port.type}</span>
            )}
          </div>
        ))}
        {ports.outputs.map(port => (
          <div key={`out:${port.name}`} className="jp-Conveyor-pePort jp-mod-output">
            {port.type !== 'any' && <span className="jp-Conveyor-pePortType">{port.type}</span>}
            <span className="jp-Conveyor-pePortName" title={port.description ?? port.name}>
              {port.name}
            </span>
            <Handle
              type="source"
              position={Position.Right}
              id={port.name}
              className={`jp-Conveyor-peHandle jp-mod-${port.type}`}
              aria-label={trans.__('Output %1 (%2) of %3', port.name, port.type, step.name)}
            />
          </div>
        ))}
      </div>
      {(errors.length > 0 || status) && (
        <div className="jp-Conveyor-peNodeFooter">
          {status && (
            <span className="jp-Conveyor-peNodeStatus" data-testid="conveyor-pe-status">
              {`${statusGlyph(status)} ${statusLabel(status, trans)}`}
              {run?.cachedFrom ? ` · ${trans.__('cached')}` : ''}
            </span>
          )}
          {errors.length > 0 && (
            <span className="jp-Conveyor-peNodeError" role="img" aria-label={problems}>
              {`⚠ ${errors.length === 1 ? errors[0].message : trans.__('%1 problems', errors.length)}`}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
