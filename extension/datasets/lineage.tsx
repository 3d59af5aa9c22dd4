import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { DatasetLineage, DatasetLineageRun } from './types';

const NODE_WIDTH = 220;
/** Characters of a node's title that fit its width in the code font. */
const TITLE_CHARS = 26;

/** A title cut to the node's width, with an ellipsis. */
export function fitTitle(text: string): string {
  return text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS - 1)}…` : text;
}
const NODE_HEIGHT = 44;
const COLUMN_GAP = 70;
const ROW_GAP = 14;
const PAD = 8;

export interface ILineageNode {
  key: string;
  kind: 'producer' | 'version' | 'reader';
  run?: DatasetLineageRun;
  x: number;
  y: number;
}

/**
 * Three columns: the runs that produced the version, the version, the runs that read it; edges
 * run left to right. Columns are centred on the tallest one.
 */
export function layoutLineage(lineage: DatasetLineage): {
  nodes: ILineageNode[];
  edges: { from: string; to: string; path: string }[];
  width: number;
  height: number;
} {
  const producers = lineage.producedBy ?? [];
  const readers = lineage.readBy ?? [];
  const rows = Math.max(1, producers.length, readers.length);
  const height = PAD * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP;
  const columnY = (count: number, index: number) => {
    const total = count * NODE_HEIGHT + (count - 1) * ROW_GAP;
    return (height - total) / 2 + index * (NODE_HEIGHT + ROW_GAP);
  };
  const hasProducers = producers.length > 0;
  const versionX = PAD + (hasProducers ? NODE_WIDTH + COLUMN_GAP : 0);
  const readerX = versionX + NODE_WIDTH + COLUMN_GAP;
  const runKey = (prefix: string, r: DatasetLineageRun, i: number) => `${prefix}:${r.runId}:${r.step ?? ''}:${i}`;
  const nodes: ILineageNode[] = [
    ...producers.map((run, i) => ({ key: runKey('p', run, i), kind: 'producer' as const, run, x: PAD, y: columnY(producers.length, i) })),
    { key: 'version', kind: 'version', x: versionX, y: columnY(1, 0) },
    ...readers.map((run, i) => ({ key: runKey('r', run, i), kind: 'reader' as const, run, x: readerX, y: columnY(readers.length, i) }))
  ];
  const byKey = new Map(nodes.map(n => [n.key, n]));
  const curve = (a: ILineageNode, b: ILineageNode) => {
    const x1 = a.x + NODE_WIDTH;
    const y1 = a.y + NODE_HEIGHT / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_HEIGHT / 2;
    const mid = (x1 + x2) / 2;
    return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
  };
  const version = byKey.get('version')!;
  const edges = nodes
    .filter(n => n.kind !== 'version')
    .map(n =>
      n.kind === 'producer'
        ? { from: n.key, to: 'version', path: curve(n, version) }
        : { from: 'version', to: n.key, path: curve(version, n) }
    );
  const width = (readers.length ? readerX + NODE_WIDTH : versionX + NODE_WIDTH) + PAD;
  return { nodes, edges, width, height };
}

/**
 * The lineage of a version as an SVG graph. Run nodes are buttons (Enter/Space or a click opens
 * the run); every node has a text label, never colour alone.
 */
export function LineageGraph(props: {
  lineage: DatasetLineage;
  versionLabel: string;
  trans: TranslationBundle;
  onOpenRun: ((runId: string) => void) | null;
}): JSX.Element {
  const { lineage, versionLabel, trans, onOpenRun } = props;
  const layout = layoutLineage(lineage);
  const runText = (run: DatasetLineageRun) => run.name || run.runId.slice(0, 12);
  return (
    <div className="jp-Conveyor-datasetLineage" data-testid="conveyor-dataset-lineage">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label={trans.__('Lineage of %1', versionLabel)}
      >
        <defs>
          <marker id="jp-Conveyor-lineageArrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="jp-Conveyor-dagArrow" />
          </marker>
        </defs>
        {layout.edges.map(e => (
          <path key={`${e.from}->${e.to}`} d={e.path} className="jp-Conveyor-dagEdge" markerEnd="url(#jp-Conveyor-lineageArrow)" />
        ))}
        {layout.nodes.map(node => {
          if (node.kind === 'version') {
            return (
              <g key={node.key} transform={`translate(${node.x},${node.y})`} className="jp-Conveyor-lineageNode jp-mod-version">
                <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={4} />
                <title>{versionLabel}</title>
                <text x={10} y={18} className="jp-Conveyor-lineageTitle">
                  {fitTitle(versionLabel)}
                </text>
                <text x={10} y={34} className="jp-Conveyor-lineageSub">
                  {trans.__('this version')}
                </text>
              </g>
            );
          }
          const run = node.run!;
          const role = node.kind === 'producer' ? trans.__('produced it') : trans.__('read it');
          const label = trans.__('Run %1 (%2)', runText(run), role);
          const open = onOpenRun ? () => onOpenRun(run.runId) : undefined;
          return (
            <g
              key={node.key}
              transform={`translate(${node.x},${node.y})`}
              className={`jp-Conveyor-lineageNode jp-mod-${node.kind}${open ? ' jp-mod-clickable' : ''}`}
              role={open ? 'button' : 'img'}
              tabIndex={open ? 0 : undefined}
              aria-label={open ? trans.__('Open %1', label) : label}
              data-run={run.runId}
              data-kind={node.kind}
              onClick={open}
              onKeyDown={e => {
                if (open && (e.key === 'Enter' || e.key === ' ')) {
                  e.preventDefault();
                  open();
                }
              }}
            >
              <title>{label}</title>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={4} />
              <text x={10} y={18} className="jp-Conveyor-lineageTitle">
                {fitTitle(`${runText(run)}${run.step ? ` · ${run.step}` : ''}`)}
              </text>
              <text x={10} y={34} className="jp-Conveyor-lineageSub">
                {[role, run.input ?? run.output, run.status].filter(Boolean).join(' · ')}
              </text>
            </g>
          );
        })}
      </svg>
      {(lineage.hiddenRuns ?? 0) > 0 && (
        <p className="jp-Conveyor-placeholder" data-testid="conveyor-dataset-lineage-hidden">
          {trans._n(
            'And %1 run of another user you cannot open.',
            'And %1 runs of other users you cannot open.',
            lineage.hiddenRuns ?? 0
          )}
        </p>
      )}
      {layout.nodes.length === 1 && !lineage.hiddenRuns && (
        <p className="jp-Conveyor-placeholder">
          {trans.__('No run has read or produced this version yet. Use it as a dataset:// input of a pipeline step.')}
        </p>
      )}
    </div>
  );
}
