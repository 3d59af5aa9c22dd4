import type { ExperimentRunRow, ExperimentSearchResult } from '../../../schema/generated/api';
import { ConveyorAPIError } from '../../core/api';
import { nextOrderBy, parseColumn } from '../columns';
import { ExperimentsModel } from '../model';
import { GroupLayout } from '../rows';
import {
  decodeViewState,
  emptyViewState,
  encodeViewState,
  LINK_PARAM,
  viewLink,
  viewStateFromSearch,
  type ViewState
} from '../viewstate';

const TOTAL = 10_000;

function row(i: number): ExperimentRunRow {
  return {
    runId: `r${i}`,
    experimentId: '1',
    name: `run-${i}`,
    status: 'FINISHED',
    owner: 'ada',
    startTime: 1_700_000_000_000 + i,
    endTime: null,
    conveyorRunId: null,
    step: null,
    candidate: false,
    values: { 'params.lr': String(i % 3), 'params.opt': 'adam', 'metrics.loss': 1 / (i + 1) }
  };
}

/** A fake search endpoint over 10,000 runs that records what was asked. */
function fakeServer(options: { groups?: boolean; fail?: Error } = {}) {
  const bodies: any[] = [];
  const fetch = jest.fn(async (path: string, init?: RequestInit): Promise<any> => {
    if (options.fail) {
      throw options.fail;
    }
    expect(path).toBe('experiments/search');
    const body = JSON.parse(String(init?.body));
    bodies.push(body);
    const offset = body.offset ?? 0;
    const limit = body.limit ?? 200;
    const runs: ExperimentRunRow[] = [];
    for (let i = offset; i < Math.min(TOTAL, offset + limit); i++) {
      runs.push(row(i));
    }
    const answer: ExperimentSearchResult = {
      total: TOTAL,
      offset,
      runs,
      keys: { params: ['lr', 'opt'], metrics: ['loss'], tags: [] },
      differingParams: ['lr']
    };
    if (options.groups) {
      answer.groups = [
        { value: '0', count: 4000 },
        { value: '1', count: 6000 }
      ];
    }
    return answer;
  });
  return { fetch, bodies };
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('view state link', () => {
  const state: ViewState = {
    experimentIds: ['1', '7'],
    filter: "metrics.loss < 0.5 and params.name = 'ünïcødé ✓'",
    orderBy: ['metrics.loss ASC'],
    groupBy: 'opt',
    columns: ['params.lr', 'metrics.loss.min'],
    onlyDiffering: true,
    selected: ['abc', 'def'],
    chart: 'parallel',
    chartColumns: ['params.lr', 'metrics.loss']
  };

  it('round-trips every field through the link, including non-ASCII filters', () => {
    const link = viewLink('http://localhost:8888/lab', state);
    expect(link.startsWith(`http://localhost:8888/lab?${LINK_PARAM}=`)).toBe(true);
    const encoded = new URL(link).searchParams.get(LINK_PARAM)!;
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(viewStateFromSearch(new URL(link).search)).toEqual(state);
    expect(decodeViewState(encodeViewState(state))).toEqual(state);
  });

  it('refuses damaged or foreign links instead of throwing', () => {
    expect(decodeViewState('not base64!')).toBeNull();
    expect(decodeViewState(encodeViewState(state).slice(0, 10))).toBeNull();
    expect(decodeViewState(btoa('{"experimentIds":[]}'))).toBeNull();
    expect(decodeViewState(btoa('[1,2]'))).toBeNull();
    expect(viewStateFromSearch('?other=1')).toBeNull();
  });

  it('drops unknown fields and wrongly typed ones', () => {
    const raw = btoa(JSON.stringify({ experimentIds: ['1'], filter: 3, evil: '<script>', chart: 'pie' }))
      .replace(/=+$/, '');
    expect(decodeViewState(raw)).toEqual(emptyViewState(['1']));
  });
});

describe('ExperimentsModel paging', () => {
  it('fetches only the first page, then only the pages scrolled into view', async () => {
    const { fetch, bodies } = fakeServer();
    const model = new ExperimentsModel({ requestAPI: fetch as any, state: { experimentIds: ['1'] } });
    await model.reload();
    expect(model.total).toBe(TOTAL);
    expect(model.requestedPages).toEqual([0]);
    expect(bodies[0].columns).toBeUndefined();
    expect(model.rowAt(0)?.runId).toBe('r0');
    expect(model.rowAt(5000)).toBeUndefined();

    model.ensureVisible(5000, 5030);
    await flush();
    expect(model.requestedPages).toEqual([0, 25]);
    expect(model.rowAt(5010)?.runId).toBe('r5010');
    // Later pages name their columns (the defaults from the first answer's keys).
    expect(bodies[1]).toMatchObject({ offset: 5000, limit: 200, columns: ['params.lr', 'params.opt', 'metrics.loss'] });

    // Asking again for a loaded or pending page does not fetch it twice.
    model.ensureVisible(5000, 5030);
    model.ensureVisible(9990, 9999);
    model.ensureVisible(9990, 9999);
    await flush();
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(model.requestedPages).toEqual([0, 25, 49]);
    model.dispose();
  });

  it('forgets pages when the query changes and ignores late answers', async () => {
    const { fetch } = fakeServer();
    const model = new ExperimentsModel({ requestAPI: fetch as any, state: { experimentIds: ['1'] } });
    await model.reload();
    model.ensureVisible(3000, 3010);
    model.sortBy(parseColumn('metrics.loss')!);
    await flush();
    await flush();
    expect(model.viewState.orderBy).toEqual(['metrics.loss ASC']);
    expect(model.requestedPages).toEqual([0]);
    model.dispose();
  });

  it('places group headers before each group and maps display rows to runs', async () => {
    const { fetch, bodies } = fakeServer({ groups: true });
    const model = new ExperimentsModel({
      requestAPI: fetch as any,
      state: { experimentIds: ['1'], groupBy: 'lr' }
    });
    await model.reload();
    expect(bodies[0].groupBy).toBe('lr');
    expect(model.displayCount).toBe(TOTAL + 2);
    expect(model.itemAt(0)).toMatchObject({ kind: 'group', group: { value: '0', count: 4000 } });
    expect(model.itemAt(1)).toEqual({ kind: 'row', index: 0 });
    expect(model.itemAt(4001)).toMatchObject({ kind: 'group', group: { value: '1' } });
    expect(model.itemAt(4002)).toEqual({ kind: 'row', index: 4000 });
    expect(model.itemAt(TOTAL + 1)).toEqual({ kind: 'row', index: TOTAL - 1 });
    model.dispose();
  });

  it('shows the server’s filter error and position, and keeps the rows it had', async () => {
    const response = new Response('', { status: 400 });
    const fail = new ConveyorAPIError(response, "Expected an operator at 14", 'invalid_filter', { position: 14 });
    const { fetch } = fakeServer();
    const model = new ExperimentsModel({
      requestAPI: fetch as any,
      state: { experimentIds: ['1'] },
      filterDebounce: 0
    });
    await model.reload();
    fetch.mockImplementationOnce(async () => {
      throw fail;
    });
    model.setFilterDraft('metrics.loss ~ 1');
    model.applyFilter();
    await flush();
    await flush();
    expect(model.filterError).toEqual({ message: 'Expected an operator at 14', position: 14 });
    expect(model.error).toBeNull();
    expect(model.viewState.filter).toBe('metrics.loss ~ 1');
    expect(model.rowAt(0)?.runId).toBe('r0');
    expect(model.total).toBe(TOTAL);
    model.dispose();
  });

  it('hides params that are the same in every run when "only differing" is on, without a new query', async () => {
    const { fetch } = fakeServer();
    const model = new ExperimentsModel({ requestAPI: fetch as any, state: { experimentIds: ['1'] } });
    await model.reload();
    const ids = () => model.columns.map(c => c.id);
    expect(ids()).toEqual(expect.arrayContaining(['params.lr', 'params.opt', 'metrics.loss']));
    model.setOnlyDiffering(true);
    expect(ids()).toContain('params.lr');
    expect(ids()).not.toContain('params.opt');
    expect(ids()).toContain('metrics.loss');
    expect(fetch).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('selects a range with shift over loaded rows and reports state changes for the link', async () => {
    const { fetch } = fakeServer();
    const model = new ExperimentsModel({ requestAPI: fetch as any, state: { experimentIds: ['1'] } });
    await model.reload();
    const states: ViewState[] = [];
    model.stateChanged.connect((_, s) => states.push(s));
    model.toggleSelected('r2', 2);
    model.selectRange(5);
    expect(model.selected).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(states[states.length - 1].selected).toEqual(['r2', 'r3', 'r4', 'r5']);
    model.dispose();
  });
});

describe('columns', () => {
  it('cycles a header through ascending, descending and unsorted', () => {
    const loss = parseColumn('metrics.loss')!;
    expect(nextOrderBy([], loss)).toEqual(['metrics.loss ASC']);
    expect(nextOrderBy(['metrics.loss ASC'], loss)).toEqual(['metrics.loss DESC']);
    expect(nextOrderBy(['metrics.loss DESC'], loss)).toEqual([]);
    expect(nextOrderBy([], parseColumn('params.learning rate')!)).toEqual(['params.`learning rate` ASC']);
    // min/max are not sortable in the MLflow grammar.
    expect(nextOrderBy(['x ASC'], parseColumn('metrics.loss.min')!)).toEqual(['x ASC']);
  });

  it('keeps a metric whose own key ends in .min a metric', () => {
    expect(parseColumn('metrics.loss.min')).toMatchObject({ key: 'loss', agg: 'min' });
    expect(parseColumn('metrics.loss.min', ['loss.min'])).toMatchObject({ key: 'loss.min', agg: 'last' });
  });
});

describe('GroupLayout', () => {
  it('maps rows back to display indexes', () => {
    const layout = new GroupLayout(10, [
      { value: 'a', count: 3 },
      { value: 'b', count: 7 }
    ]);
    expect(layout.displayOf(0)).toBe(1);
    expect(layout.displayOf(3)).toBe(5);
    expect(layout.rowRange(0, 4)).toEqual([0, 2]);
  });
});
