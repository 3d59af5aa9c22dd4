import type { TranslationBundle } from '@jupyterlab/translation';
import React, { useMemo } from 'react';

import type { RunStep } from '../../schema/generated/api';
import { statusGlyph, statusLabel } from './format';
import { layoutDag } from './layout';

const NODE_WIDTH = 168;
const NODE_HEIGHT = 46;

export interface IDagProps {
  steps: RunStep[];
  selected: string | null;
  onSelect: (step: string) => void;
  trans: TranslationBundle;
}

/**
 * The run's steps as a left-to-right DAG. Nodes show the status as a glyph and a word (never
 * colour alone), are focusable, and Enter/Space or a click selects them.
 */
export function DagView({ steps, selected, onSelect, trans }: IDagProps): JSX.Element {
  const layout = useMemo(
    () =>
      layoutDag(
        steps.map(s => ({ id: s.name, dependsOn: s.dependsOn })),
        { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT }
      ),
    [steps.map(s => `${s.name}<${s.dependsOn.join(',')}`).join(';')]
  );
  const byName = new Map(steps.map(s => [s.name, s]));
  return (
    <div className="jp-Conveyor-dag" data-testid="conveyor-dag">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label={trans.__('Pipeline steps')}
      >
        <defs>
          <marker
            id="jp-Conveyor-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" className="jp-Conveyor-dagArrow" />
          </marker>
        </defs>
        {layout.edges.map(e => (
          <path
            key={`${e.from}->${e.to}`}
            d={e.path}
            className="jp-Conveyor-dagEdge"
            markerEnd="url(#jp-Conveyor-arrow)"
          />
        ))}
        {layout.nodes.map(node => {
          const step = byName.get(node.id)!;
          const isSelected = node.id === selected;
          const label = trans.__('Step %1: %2', step.name, statusLabel(step.status, trans));
          return (
            <g
              key={node.id}
              transform={`translate(${node.x},${node.y})`}
              className={`jp-Conveyor-dagNode jp-mod-${step.status}${
                isSelected ? ' jp-mod-selected' : ''
              }`}
              role="button"
              tabIndex={0}
              aria-pressed={isSelected}
              aria-label={label}
              data-step={step.name}
              data-status={step.status}
              onClick={() => onSelect(step.name)}
              onKeyDown={e => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(step.name);
                }
              }}
            >
              <title>{label}</title>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} className="jp-Conveyor-dagBox" />
              <rect width={5} height={NODE_HEIGHT} rx={2} className="jp-Conveyor-dagStripe" />
              <text x={14} y={19} className="jp-Conveyor-dagName">
                {truncate(step.name, 20)}
              </text>
              <text x={14} y={36} className="jp-Conveyor-dagStatus">
                {`${statusGlyph(step.status)} ${statusLabel(step.status, trans)}`}
                {step.attempt > 1 ? ` · ${trans.__('attempt %1', step.attempt)}` : ''}
              </text>
              {step.cachedFrom && (
                <g transform={`translate(${NODE_WIDTH - 58},6)`}>
                  <rect width={52} height={16} rx={8} className="jp-Conveyor-dagBadge" />
                  <text x={26} y={12} textAnchor="middle" className="jp-Conveyor-dagBadgeText">
                    {trans.__('cached')}
                  </text>
                </g>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
