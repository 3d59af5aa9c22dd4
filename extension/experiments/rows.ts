import type {
  ExperimentRunGroup,
  ExperimentRunRow,
  ExperimentSearchResult
} from '../../schema/generated/api';

export type PageFetcher = (offset: number, limit: number) => Promise<ExperimentSearchResult>;

/**
 * Rows of one query, fetched a page at a time as the table scrolls: only pages that become
 * visible are requested, each once; a reset (new filter, sort, columns) drops late answers.
 */
export class RunPager {
  constructor(
    readonly pageSize: number,
    private readonly _onChange: () => void
  ) {}

  /** Start a new query: forget every page, ignore answers still on their way. */
  reset(fetch: PageFetcher | null): void {
    this._generation++;
    this._pages.clear();
    this._pending.clear();
    this._fetch = fetch;
    this.error = null;
  }

  /** Store a page answered elsewhere (the first page, which also carries keys and groups). */
  put(offset: number, rows: ExperimentRunRow[]): void {
    this._pages.set(Math.floor(offset / this.pageSize), rows);
  }

  rowAt(index: number): ExperimentRunRow | undefined {
    return this._pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Rows loaded between two indexes (inclusive), in order. */
  loadedBetween(first: number, last: number): ExperimentRunRow[] {
    const out: ExperimentRunRow[] = [];
    for (let i = Math.min(first, last); i <= Math.max(first, last); i++) {
      const row = this.rowAt(i);
      if (row) {
        out.push(row);
      }
    }
    return out;
  }

  /** Every loaded row. */
  *loaded(): IterableIterator<ExperimentRunRow> {
    for (const page of this._pages.values()) {
      yield* page;
    }
  }

  /** Page numbers requested so far (loaded or pending), for tests and the benchmark. */
  get requested(): number[] {
    return [...new Set([...this._pages.keys(), ...this._pending])].sort((a, b) => a - b);
  }

  /** Fetch the pages covering rows `first..last` that are neither loaded nor on their way. */
  ensure(first: number, last: number, total: number): void {
    const fetch = this._fetch;
    if (!fetch || total <= 0) {
      return;
    }
    const from = Math.max(0, Math.floor(first / this.pageSize));
    const to = Math.min(Math.floor((total - 1) / this.pageSize), Math.floor(last / this.pageSize));
    for (let page = from; page <= to; page++) {
      if (this._pages.has(page) || this._pending.has(page)) {
        continue;
      }
      this._pending.add(page);
      const generation = this._generation;
      fetch(page * this.pageSize, this.pageSize).then(
        answer => {
          if (generation !== this._generation) {
            return;
          }
          this._pending.delete(page);
          this._pages.set(page, answer.runs);
          this._onChange();
        },
        (error: unknown) => {
          if (generation !== this._generation) {
            return;
          }
          // Not marked loaded: scrolling back over it asks again.
          this._pending.delete(page);
          this.error = error instanceof Error ? error.message : String(error);
          this._onChange();
        }
      );
    }
  }

  /** Update loaded rows in place (e.g. a candidate mark). */
  update(runId: string, change: (row: ExperimentRunRow) => ExperimentRunRow): void {
    for (const [page, rows] of this._pages) {
      const i = rows.findIndex(r => r.runId === runId);
      if (i !== -1) {
        const copy = [...rows];
        copy[i] = change(rows[i]);
        this._pages.set(page, copy);
      }
    }
  }

  error: string | null = null;
  private _fetch: PageFetcher | null = null;
  private _generation = 0;
  private _pages = new Map<number, ExperimentRunRow[]>();
  private _pending = new Set<number>();
}

export type DisplayItem =
  | { kind: 'group'; group: ExperimentRunGroup; index: number }
  | { kind: 'row'; index: number };

/**
 * Where group header rows sit among the runs when grouping by a param: the server orders rows
 * by the group value and counts each group over every match, so header `g` comes right before
 * row `sum(count[0..g-1])`.
 */
export class GroupLayout {
  constructor(
    readonly total: number,
    readonly groups: readonly ExperimentRunGroup[] = []
  ) {
    let rows = 0;
    for (const group of groups) {
      this._rowStart.push(rows);
      this._displayStart.push(rows + this._displayStart.length);
      rows += group.count;
    }
  }

  /** Rows plus group headers. */
  get count(): number {
    return this.total + this.groups.length;
  }

  itemAt(display: number): DisplayItem {
    const g = this._groupOf(display);
    if (g === -1) {
      return { kind: 'row', index: display };
    }
    if (display === this._displayStart[g]) {
      return { kind: 'group', group: this.groups[g], index: g };
    }
    return { kind: 'row', index: this._rowStart[g] + (display - this._displayStart[g] - 1) };
  }

  /** Display index of a row. */
  displayOf(row: number): number {
    let lo = 0;
    let hi = this._rowStart.length - 1;
    let g = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this._rowStart[mid] <= row) {
        g = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return g === -1 ? row : row + g + 1;
  }

  /** Row index range covered by display indexes `first..last`. */
  rowRange(first: number, last: number): [number, number] {
    const rowOf = (d: number, forward: boolean) => {
      const item = this.itemAt(Math.max(0, Math.min(d, this.count - 1)));
      if (item.kind === 'row') {
        return item.index;
      }
      const start = this._rowStart[item.index];
      return forward ? start : Math.max(0, start - 1);
    };
    return [rowOf(first, true), rowOf(last, false)];
  }

  private _groupOf(display: number): number {
    let lo = 0;
    let hi = this._displayStart.length - 1;
    let g = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this._displayStart[mid] <= display) {
        g = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return g;
  }

  private _displayStart: number[] = [];
  private _rowStart: number[] = [];
}
