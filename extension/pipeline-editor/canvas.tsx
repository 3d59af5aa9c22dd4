import type { TranslationBundle } from '@jupyterlab/translation';
import type { Drag } from '@lumino/dragdrop';
import {
  applyNodeChanges,
  Background,
  type ColorMode,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow
} from '@xyflow/react';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { dropItems } from './drop';
import type { PipelineEditorModel } from './model';
import { type IStepNodeData, StepNode, type StepNodeType } from './node';
import type { EditorRun } from './runstate';

export interface ICanvasProps {
  model: PipelineEditorModel;
  editorRun: EditorRun;
  trans: TranslationBundle;
  /** Bumped on every model or run change (the canvas re-derives its nodes). */
  version: number;
  colorMode: ColorMode;
  /** A drop or an edge was refused: tell the user why. */
  onRefused: (reason: string) => void;
  /** A step was clicked (opens its log when a run is shown). */
  onStepClick: (name: string) => void;
  /** Changes when the canvas area changes size on purpose (the step log opens or closes). */
  fitKey: string;
}

// Fit, but never so small that the step names cannot be read (the controls fit everything).
const FIT = { maxZoom: 1, minZoom: 0.5, padding: 0.15 };

const nodeTypes = { step: StepNode };

/** The React Flow canvas of a pipeline editor (wrapped in its provider). */
export function PipelineCanvas(props: ICanvasProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ model, editorRun, trans, version, colorMode, onRefused, onStepClick, fitKey }: ICanvasProps): JSX.Element {
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const [nodes, setNodes] = useState<StepNodeType[]>([]);
  const [edgeSelection, setEdgeSelection] = useState<Set<string>>(new Set());

  useEffect(() => {
    setNodes(prev => buildNodes(model, editorRun, trans, prev));
  }, [version]);

  // Bring the graph into view once it is loaded or laid out, and when the log opens or closes
  // (after React Flow has measured the nodes).
  const measured = useNodesInitialized();
  const pendingFit = useRef(true);
  useEffect(() => {
    // Not for an empty canvas: the first drop must stay where it was dropped.
    pendingFit.current = model.steps.length > 0;
  }, [model.fitRequest, fitKey]);
  useEffect(() => {
    if (!pendingFit.current || !measured) {
      return;
    }
    const timer = window.setTimeout(() => {
      pendingFit.current = false;
      void flow.fitView(FIT);
    }, 30);
    return () => window.clearTimeout(timer);
  });

  const edges: Edge[] = useMemo(
    () =>
      model.edges.map(e => {
        const running = editorRun.step(e.source)?.status === 'running' || editorRun.step(e.target)?.status === 'running';
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          sourceHandle: e.kind === 'data' ? e.output : null,
          targetHandle: e.kind === 'data' ? e.input : null,
          selected: edgeSelection.has(e.id),
          animated: running,
          className: `jp-Conveyor-peEdge jp-mod-${e.kind}`,
          markerEnd: { type: MarkerType.ArrowClosed },
          ariaLabel:
            e.kind === 'data'
              ? trans.__('%1.%2 feeds input %3 of %4', e.source, e.output!, e.input!, e.target)
              : trans.__('%1 runs after %2', e.target, e.source)
        };
      }),
    [version, edgeSelection]
  );

  const onNodesChange = useCallback((changes: NodeChange<StepNodeType>[]) => {
    // Removal goes through onDelete (one undo step); everything else is local until a drag ends.
    setNodes(ns => applyNodeChanges(changes.filter(c => c.type !== 'remove'), ns));
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdgeSelection(sel => {
      const next = new Set(sel);
      for (const c of changes) {
        if (c.type === 'select') {
          c.selected ? next.add(c.id) : next.delete(c.id);
        }
      }
      return next;
    });
  }, []);

  const toConnection = (c: Connection) => ({
    source: c.source,
    output: c.sourceHandle ?? '',
    target: c.target,
    input: c.targetHandle ?? ''
  });

  const isValidConnection = useCallback(
    (c: Connection | Edge) => checkOnly(model, toConnection(c as Connection)) === null,
    [model]
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const result = model.connect(toConnection(c));
      if (!result.ok) {
        onRefused(result.reason);
      }
    },
    [model, onRefused]
  );

  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.fromHandle || !state.toHandle) {
        return;
      }
      const [from, to] = state.fromHandle.type === 'source' ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
      const reason = checkOnly(model, { source: from.nodeId, output: from.id ?? '', target: to.nodeId, input: to.id ?? '' });
      if (reason) {
        onRefused(reason);
      }
    },
    [model, onRefused]
  );

  // Drops from the file browser (notebooks) and the Components panel arrive as Lumino drags.
  useEffect(() => {
    const node = wrapper.current;
    if (!node) {
      return;
    }
    const accept = (event: Event) => {
      const e = event as Drag.Event;
      if (dropItems(e.mimeData).length === 0) {
        return false;
      }
      e.preventDefault();
      e.stopPropagation();
      return true;
    };
    const onEnter = (event: Event) => {
      if (accept(event)) {
        node.classList.add('jp-mod-dropTarget');
      }
    };
    const onLeave = () => node.classList.remove('jp-mod-dropTarget');
    const onOver = (event: Event) => {
      if (accept(event)) {
        const e = event as Drag.Event;
        e.dropAction = e.proposedAction;
      }
    };
    const onDrop = (event: Event) => {
      node.classList.remove('jp-mod-dropTarget');
      if (!accept(event)) {
        return;
      }
      const e = event as Drag.Event;
      e.dropAction = e.proposedAction;
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      dropItems(e.mimeData).forEach((item, i) => {
        const position = { x: at.x + i * 30, y: at.y + i * 30 };
        if (item.kind === 'component') {
          model.addComponentStep(item.entry.ref, item.entry.spec, position);
        } else if (item.kind === 'notebook') {
          model.addNotebook(item.path, position);
        } else {
          onRefused(trans.__('Only notebooks (.ipynb) and components can be dropped here, not %1', item.path));
        }
      });
    };
    node.addEventListener('lm-dragenter', onEnter);
    node.addEventListener('lm-dragleave', onLeave);
    node.addEventListener('lm-dragover', onOver);
    node.addEventListener('lm-drop', onDrop);
    return () => {
      node.removeEventListener('lm-dragenter', onEnter);
      node.removeEventListener('lm-dragleave', onLeave);
      node.removeEventListener('lm-dragover', onOver);
      node.removeEventListener('lm-drop', onDrop);
    };
  }, [model, flow, onRefused]);

  return (
    <div
      ref={wrapper}
      className="jp-Conveyor-peCanvas"
      data-testid="conveyor-pe-canvas"
      // Focusable, so its shortcuts (undo, redo) apply once the user clicks on it.
      tabIndex={0}
      role="group"
      aria-label={trans.__('Pipeline canvas: Tab moves between steps, arrows move the selected step, Delete removes it')}
    >
      <ReactFlow<StepNodeType, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        colorMode={colorMode}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStop={(_, __, dragged) =>
          model.move(Object.fromEntries(dragged.map(n => [n.id, n.position])))
        }
        onDelete={({ nodes: ns, edges: es }) => model.deleteItems(ns.map(n => n.id), es.map(e => e.id))}
        onSelectionChange={({ nodes: ns }) => {
          model.selected = ns.length === 1 ? ns[0].id : ns.length === 0 ? null : model.selected;
        }}
        onNodeClick={(_, n) => onStepClick(n.id)}
        onPaneClick={() => (model.selected = null)}
        deleteKeyCode={['Backspace', 'Delete']}
        fitView
        fitViewOptions={FIT}
        minZoom={0.2}
        maxZoom={2}
      >
        <Background />
        <Controls showInteractive={false} />
        {model.steps.length > 5 && <MiniMap pannable zoomable style={{ width: 140, height: 96 }} ariaLabel={trans.__('Overview of the pipeline')} />}
      </ReactFlow>
      {model.steps.length === 0 && (
        <div className="jp-Conveyor-peEmpty" role="note">
          {trans.__('Drag notebooks from the file browser or components from the Components panel here.')}
        </div>
      )}
    </div>
  );
}

/** Why an edge is refused, or null when it may be drawn. */
function checkOnly(
  model: PipelineEditorModel,
  c: { source: string; output: string; target: string; input: string }
): string | null {
  if (!c.output || !c.input) {
    return 'connect an output (right) to an input (left)';
  }
  const result = model.check(c);
  return result.ok ? null : result.reason;
}

function buildNodes(
  model: PipelineEditorModel,
  editorRun: EditorRun,
  trans: TranslationBundle,
  prev: StepNodeType[]
): StepNodeType[] {
  const old = new Map(prev.map(n => [n.id, n]));
  return model.steps.map(step => {
    const before = old.get(step.name);
    const data: IStepNodeData = {
      step,
      ports: model.ports(step.name)!,
      errors: model.stepErrors(step.name),
      run: editorRun.step(step.name),
      trans
    };
    const status = data.run ? `, ${data.run.status}` : '';
    return {
      // Keep what React Flow measured, or it hides the node until it measures it again.
      ...before,
      id: step.name,
      type: 'step',
      // Keep a node being dragged where the pointer is.
      position: before?.dragging ? before.position : model.state.positions[step.name] ?? { x: 0, y: 0 },
      selected: step.name === model.selected || (model.selected === null && !!before?.selected),
      dragging: before?.dragging,
      ariaLabel: trans.__('Step %1%2', step.name, status),
      data
    };
  });
}
