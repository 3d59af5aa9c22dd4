import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  Component,
  ComponentInput,
  PipelineProblem,
  PipelineStep,
  PipelineValidation
} from '../../schema/generated/api';
import { autoLayout, nextFreePosition } from './autolayout';
import {
  emptyPipeline,
  type IPipelineState,
  type IPosition,
  parsePipelineText,
  serializePipeline
} from './document';
import * as graph from './graph';
import { History } from './history';
import { type IComponentPorts, type IStepPorts, stepPorts } from './ports';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

/** How long the editor waits after the last edit before asking the server to validate. */
export const VALIDATE_DELAY = 600;

/**
 * The state of one pipeline editor: the pipeline and its node positions, undo/redo, the
 * component ports of its steps and the server's validation of the current state. Pure edits
 * live in graph.ts; this class records them in the history and tells the views.
 */
export class PipelineEditorModel implements IDisposable {
  constructor(options: PipelineEditorModel.IOptions) {
    this.path = options.path;
    this._fetch = options.requestAPI;
    this._state = { pipeline: emptyPipeline('pipeline'), positions: {}, header: '' };
  }

  /** Workspace path of the pipeline file (notebook paths are made relative to its folder). */
  path: string;

  /** Emitted on every change the views render (state, selection, validation). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the pipeline itself changed by an edit (the document must be rewritten). */
  get edited(): ISignal<this, void> {
    return this._edited;
  }

  get state(): IPipelineState {
    return this._state;
  }

  get steps(): PipelineStep[] {
    return this._state.pipeline.steps;
  }

  get edges(): graph.IEdge[] {
    return graph.edgesOf(this._state);
  }

  get canUndo(): boolean {
    return this._history.canUndo;
  }

  get canRedo(): boolean {
    return this._history.canRedo;
  }

  get selected(): string | null {
    return this._selected;
  }
  set selected(name: string | null) {
    if (name !== this._selected) {
      this._selected = name;
      this._changed.emit();
    }
  }

  /** Problems the server found (null: not validated yet). */
  get validation(): { valid: boolean; errors: PipelineProblem[] } | null {
    return this._validation;
  }

  get validating(): boolean {
    return this._validating;
  }

  /** The problems of one step. */
  stepErrors(name: string): PipelineProblem[] {
    return this._validation?.errors.filter(e => e.step === name) ?? [];
  }

  /** The ports a step draws (component ports from validation or the catalog). */
  ports(name: string): IStepPorts | null {
    const step = this.steps.find(s => s.name === name);
    if (!step) {
      return null;
    }
    return stepPorts(step, step.component ? this.componentPorts(step.component, name) : null);
  }

  /** A component spec the editor knows (from the panel or the catalog). */
  component(ref: string): Component | null {
    return this._components.get(ref) ?? null;
  }

  /** A component step's declared inputs, parameters included (validation, else the catalog). */
  componentInputs(name: string): ComponentInput[] {
    const step = this.steps.find(s => s.name === name);
    if (!step?.component) {
      return [];
    }
    return this.componentPorts(step.component, name)?.inputs ?? [];
  }

  /** Remember a component's spec (the panel passes it along with a drop). */
  addComponent(ref: string, spec: Component): void {
    this._components.set(ref, spec);
  }

  /** Bumped when the whole graph should be brought into view (load, automatic layout). */
  get fitRequest(): number {
    return this._fitRequest;
  }

  /** Load the file's text: a new state and an empty history. Throws PipelineParseError. */
  load(text: string): void {
    this._state = parsePipelineText(text, this.path);
    this._fitRequest++;
    this._text = text;
    this._history.clear();
    if (this.steps.some(s => !this._state.positions[s.name])) {
      this._state = { ...this._state, positions: { ...autoLayout(this._state, this._rows), ...this._state.positions } };
      // Component ports (node heights) are known after the first validation: lay out again then.
      this._relayout = true;
    }
    this._changed.emit();
    this.validateSoon(0);
  }

  /** Whether `text` is what the editor last read or wrote (a change made by us). */
  isOwnText(text: string): boolean {
    return text === this._text;
  }

  /** The file's text for the current state. */
  serialize(): string {
    this._text = serializePipeline(this._state);
    return this._text;
  }

  /** Replace the state by an edit; `group` merges quick successive edits into one undo step. */
  apply(next: IPipelineState, group?: string): void {
    if (next === this._state) {
      return;
    }
    this._history.push(this._state, group);
    this._set(next);
  }

  undo(): void {
    const previous = this._history.undo(this._state);
    if (previous) {
      this._set(previous);
    }
  }

  redo(): void {
    const next = this._history.redo(this._state);
    if (next) {
      this._set(next);
    }
  }

  /** End the current typing group (the next edit is its own undo step). */
  seal(): void {
    this._history.seal();
  }

  /** Add a notebook step for a workspace path; returns its name. */
  addNotebook(notebookPath: string, position?: IPosition): string {
    const base = notebookPath.split('/').pop() ?? notebookPath;
    const name = graph.uniqueName(this._state, base);
    const step: PipelineStep = { name, notebook: graph.relativePath(this.path, notebookPath) };
    this.apply(graph.addStep(this._state, step, position ?? nextFreePosition(this._state.positions)));
    this.selected = name;
    return name;
  }

  /** Add a component step (`<name>@<version>`); returns its name. */
  addComponentStep(ref: string, spec?: Component, position?: IPosition): string {
    if (spec) {
      this.addComponent(ref, spec);
    }
    const base = ref.split('@')[0].split('/').pop() ?? 'step';
    const name = graph.uniqueName(this._state, base);
    const step: PipelineStep = { name, component: ref };
    this.apply(graph.addStep(this._state, step, position ?? nextFreePosition(this._state.positions)));
    this.selected = name;
    return name;
  }

  remove(names: string[]): void {
    if (names.length === 0) {
      return;
    }
    this.apply(graph.removeSteps(this._state, names));
    if (this._selected && names.includes(this._selected)) {
      this.selected = null;
    }
  }

  /** Whether an edge may be drawn (nothing changes). */
  check(c: graph.IConnection): graph.ConnectionCheck {
    return graph.checkConnection(this._state, n => this.ports(n), c);
  }

  /** Draw an edge if it is allowed; the answer says why not otherwise. */
  connect(c: graph.IConnection): graph.ConnectionCheck {
    const check = graph.checkConnection(this._state, n => this.ports(n), c);
    if (check.ok) {
      this.apply(graph.connect(this._state, { ...c, input: check.input }));
    }
    return check;
  }

  /** Delete steps and edges in one undo step (the Delete key on the canvas). */
  deleteItems(steps: string[], edgeIds: string[]): void {
    let next = this._state;
    for (const edge of this.edges.filter(e => edgeIds.includes(e.id) && !steps.includes(e.source) && !steps.includes(e.target))) {
      next = graph.disconnect(next, edge);
    }
    if (steps.length > 0) {
      next = graph.removeSteps(next, steps);
    }
    this.apply(next);
    if (this._selected && steps.includes(this._selected)) {
      this.selected = null;
    }
  }

  disconnect(edgeIds: string[]): void {
    let next = this._state;
    for (const edge of this.edges.filter(e => edgeIds.includes(e.id))) {
      next = graph.disconnect(next, edge);
    }
    this.apply(next);
  }

  /** Replace a step's fields (the properties form); renames follow references. */
  updateStep(name: string, step: PipelineStep, group?: string): void {
    let next = this._state;
    if (step.name !== name) {
      next = graph.renameStep(next, name, step.name);
      if (this._selected === name) {
        this._selected = step.name;
      }
    }
    this.apply(graph.replaceStep(next, step.name, step), group);
  }

  /** Pipeline-level fields (name, description, defaults…). */
  updatePipeline(patch: Partial<IPipelineState['pipeline']>, group?: string): void {
    this.apply({ ...this._state, pipeline: { ...this._state.pipeline, ...patch } }, group);
  }

  /** Nodes dragged to new places (one undo step per drag). */
  move(positions: Record<string, IPosition>): void {
    const changed = Object.entries(positions).some(([n, p]) => {
      const old = this._state.positions[n];
      return !old || Math.round(old.x) !== Math.round(p.x) || Math.round(old.y) !== Math.round(p.y);
    });
    if (changed) {
      this.apply({ ...this._state, positions: { ...this._state.positions, ...positions } });
    }
  }

  /** Arrange every node left to right (dagre); undoable. */
  layout(): void {
    this._fitRequest++;
    this.apply({ ...this._state, positions: autoLayout(this._state, this._rows) });
  }

  /** Ask the server to validate after VALIDATE_DELAY ms of quiet. */
  validateSoon(delay = VALIDATE_DELAY): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.validate(), delay);
  }

  /** Validate now (per step, component ports included); a stale answer is dropped. */
  async validate(): Promise<void> {
    if (this.steps.length === 0) {
      this._validation = { valid: false, errors: [{ path: '/steps', message: 'add a step', step: null }] };
      this._changed.emit();
      return;
    }
    const ticket = ++this._ticket;
    this._validating = true;
    this._changed.emit();
    try {
      const answer = await this._fetch<PipelineValidation>('pipelines/validate', {
        method: 'POST',
        body: JSON.stringify({ pipeline: JSON.parse(this.serializeJSON()), perStep: true }),
        headers: { 'Content-Type': 'application/json' }
      });
      if (ticket !== this._ticket || this._isDisposed) {
        return;
      }
      for (const [step, ports] of Object.entries(answer.steps ?? {})) {
        if (ports) {
          this._stepPorts.set(step, ports);
        }
      }
      this._validation = { valid: answer.valid, errors: answer.errors };
      if (this._relayout && !this.canUndo) {
        this._state = { ...this._state, positions: autoLayout(this._state, this._rows) };
        this._fitRequest++;
      }
      this._relayout = false;
    } catch (error) {
      if (ticket !== this._ticket || this._isDisposed) {
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this._validation = { valid: false, errors: [{ path: '', message, step: null }] };
    }
    this._validating = false;
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._timer);
    Signal.clearData(this);
  }

  private serializeJSON(): string {
    const { pipeline, positions } = this._state;
    const layout = Object.fromEntries(
      pipeline.steps
        .filter(s => positions[s.name])
        .map(s => [s.name, { x: Math.round(positions[s.name].x), y: Math.round(positions[s.name].y) }])
    );
    return JSON.stringify({ ...pipeline, layout });
  }

  private componentPorts(ref: string, stepName: string): IComponentPorts | null {
    const fromServer = this._stepPorts.get(stepName);
    if (fromServer && fromServer.component === ref) {
      return fromServer;
    }
    return this._components.get(ref) ?? null;
  }

  private _rows = (name: string): number => {
    const p = this.ports(name);
    return p ? Math.max(p.inputs.length + (p.open ? 1 : 0) + p.outputs.length, 1) : 1;
  };

  private _set(next: IPipelineState): void {
    this._state = next;
    this._edited.emit();
    this._changed.emit();
    this.validateSoon();
  }

  private _changed = new Signal<this, void>(this);
  private _components = new Map<string, Component>();
  private _edited = new Signal<this, void>(this);
  private _fetch: Fetcher;
  private _fitRequest = 0;
  private _history = new History<IPipelineState>();
  private _isDisposed = false;
  private _relayout = false;
  private _selected: string | null = null;
  private _state: IPipelineState;
  private _stepPorts = new Map<string, IComponentPorts & { component?: string }>();
  private _text = '';
  private _ticket = 0;
  private _timer = 0;
  private _validating = false;
  private _validation: { valid: boolean; errors: PipelineProblem[] } | null = null;
}

export namespace PipelineEditorModel {
  export interface IOptions {
    path: string;
    requestAPI: Fetcher;
  }
}
