/**
 * Undo/redo over immutable states: every edit pushes the state it replaces. Edits made in quick
 * succession with the same `group` (typing in one form field) merge into one undo step.
 */
export class History<T> {
  constructor(private readonly limit = 200) {}

  get canUndo(): boolean {
    return this._past.length > 0;
  }

  get canRedo(): boolean {
    return this._future.length > 0;
  }

  /** Record that `previous` was replaced. */
  push(previous: T, group?: string): void {
    if (group && group === this._group && this._past.length > 0) {
      return;
    }
    this._group = group ?? null;
    this._past.push(previous);
    if (this._past.length > this.limit) {
      this._past.shift();
    }
    this._future = [];
  }

  /** The state to go back to (`current` becomes redoable), or null. */
  undo(current: T): T | null {
    const previous = this._past.pop();
    if (previous === undefined) {
      return null;
    }
    this._future.push(current);
    this._group = null;
    return previous;
  }

  redo(current: T): T | null {
    const next = this._future.pop();
    if (next === undefined) {
      return null;
    }
    this._past.push(current);
    this._group = null;
    return next;
  }

  /** Stop merging into the last group (focus left the field). */
  seal(): void {
    this._group = null;
  }

  clear(): void {
    this._past = [];
    this._future = [];
    this._group = null;
  }

  private _past: T[] = [];
  private _future: T[] = [];
  private _group: string | null = null;
}
