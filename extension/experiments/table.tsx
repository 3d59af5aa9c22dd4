import type { TranslationBundle } from '@jupyterlab/translation';
import { useVirtualizer } from '@tanstack/react-virtual';
import React, { useEffect, useRef } from 'react';

import type { ExperimentRunRow } from '../../schema/generated/api';
import { columnLabel, formatValue, IColumn, orderExpression, sortOf } from './columns';
import type { ExperimentsModel } from './model';

export const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 30;

const WIDTHS: Record<string, number> = {
  'attributes.run_name': 220,
  'attributes.status': 100,
  'attributes.start_time': 150
};

function widthOf(column: IColumn): number {
  return WIDTHS[column.id] ?? 130;
}

export interface IRunTableProps {
  model: ExperimentsModel;
  trans: TranslationBundle;
  /** A stable id prefix for the rows (aria-activedescendant). */
  idPrefix: string;
}

/**
 * The runs as an ARIA grid, virtualised: only the rows in view (plus a few) are in the DOM,
 * and only their pages are fetched. Arrow keys move the focus, Space selects (Shift: a range),
 * Enter opens the run's details; headers are buttons that sort.
 */
export function RunTable({ model, trans, idPrefix }: IRunTableProps): JSX.Element {
  const scrollRef = useRef<HTMLDivElement>(null);
  const columns = model.columns;
  const count = model.displayCount;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    scrollPaddingStart: HEADER_HEIGHT
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : -1;

  // Fetch the pages in view once scrolling pauses, so a fling does not fetch every page passed.
  useEffect(() => {
    if (last < 0) {
      return;
    }
    const timer = window.setTimeout(() => model.ensureVisible(first, last), 60);
    return () => window.clearTimeout(timer);
  }, [model, first, last, model.total, count]);

  const template = ['32px', ...columns.map(c => `${widthOf(c)}px`)].join(' ');
  const width = 32 + columns.reduce((sum, c) => sum + widthOf(c), 0);
  const focus = Math.min(model.focus, count - 1);

  const moveFocus = (to: number) => {
    const target = Math.max(0, Math.min(to, count - 1));
    model.setFocus(target);
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget || count === 0) {
      return;
    }
    const page = Math.max(1, items.length - 2);
    const item = model.itemAt(focus);
    const row = item.kind === 'row' ? model.rowAt(item.index) : undefined;
    switch (event.key) {
      case 'ArrowDown':
        moveFocus(focus + 1);
        break;
      case 'ArrowUp':
        moveFocus(focus - 1);
        break;
      case 'PageDown':
        moveFocus(focus + page);
        break;
      case 'PageUp':
        moveFocus(focus - page);
        break;
      case 'Home':
        moveFocus(0);
        break;
      case 'End':
        moveFocus(count - 1);
        break;
      case ' ':
        if (row) {
          if (event.shiftKey) {
            model.selectRange(focus);
          } else {
            model.toggleSelected(row.runId, focus);
          }
        }
        break;
      case 'Enter':
        if (row) {
          model.openDetail(row.runId);
        }
        break;
      case 'Escape':
        model.clearSelection();
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div
      ref={scrollRef}
      className="jp-Conveyor-expGrid"
      role="grid"
      tabIndex={0}
      aria-label={trans.__('Runs')}
      aria-rowcount={count + 1}
      aria-colcount={columns.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={count > 0 ? `${idPrefix}-row-${focus}` : undefined}
      style={
        // A few runs: the grid is as tall as its rows and the comparison area gets the rest.
        HEADER_HEIGHT + count * ROW_HEIGHT < 300 && model.total !== null
          ? { flex: '0 0 auto', height: HEADER_HEIGHT + Math.max(count, 3) * ROW_HEIGHT + 2, minHeight: 0 }
          : undefined
      }
      onKeyDown={onKeyDown}
      onFocus={event => {
        // Keyboard focus lands on a row in view, not on one scrolled far away.
        const el = scrollRef.current;
        if (event.target !== event.currentTarget || !el || count === 0) {
          return;
        }
        const top = Math.ceil(el.scrollTop / ROW_HEIGHT);
        const bottom = Math.floor((el.scrollTop + el.clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) - 1;
        if (focus < top || focus > bottom) {
          model.setFocus(Math.min(top, count - 1));
        }
      }}
      data-testid="conveyor-exp-grid"
    >
      <div
        className="jp-Conveyor-expRow jp-Conveyor-expHeader"
        role="row"
        aria-rowindex={1}
        style={{ gridTemplateColumns: template, width, height: HEADER_HEIGHT }}
      >
        <span role="columnheader" className="jp-Conveyor-expCell" aria-label={trans.__('Selected')} />
        {columns.map(column => (
          <HeaderCell key={column.id} column={column} model={model} trans={trans} />
        ))}
      </div>
      <div className="jp-Conveyor-expBody" style={{ height: virtualizer.getTotalSize(), width }}>
        {items.map(v => {
          const item = model.itemAt(v.index);
          const style: React.CSSProperties = {
            gridTemplateColumns: template,
            width,
            height: v.size,
            transform: `translateY(${v.start}px)`
          };
          const common = {
            id: `${idPrefix}-row-${v.index}`,
            'aria-rowindex': v.index + 2,
            focused: v.index === focus
          };
          if (item.kind === 'group') {
            return (
              <div
                key={`g${v.index}`}
                id={common.id}
                aria-rowindex={common['aria-rowindex']}
                role="row"
                className={`jp-Conveyor-expRow jp-Conveyor-expGroup${common.focused ? ' jp-mod-focused' : ''}`}
                style={{ ...style, gridTemplateColumns: '1fr' }}
                data-testid="conveyor-exp-group"
                onClick={() => model.setFocus(v.index)}
              >
                <span role="gridcell" aria-colspan={columns.length + 1} className="jp-Conveyor-expCell">
                  <strong>{model.viewState.groupBy}</strong> = {item.group.value ?? trans.__('(none)')}{' '}
                  <span className="jp-Conveyor-expCount">
                    {trans._n('%1 run', '%1 runs', item.group.count)}
                  </span>
                </span>
              </div>
            );
          }
          const row = model.rowAt(item.index);
          return (
            <RunRow
              key={row ? row.runId : `p${v.index}`}
              row={row}
              display={v.index}
              columns={columns}
              model={model}
              trans={trans}
              style={style}
              id={common.id}
              rowIndex={common['aria-rowindex']}
              focused={common.focused}
            />
          );
        })}
      </div>
      {count === 0 && !model.loading && model.total !== null && (
        <p className="jp-Conveyor-placeholder" data-testid="conveyor-exp-empty">
          {model.viewState.filter ? trans.__('No run matches the filter.') : trans.__('No runs yet.')}
        </p>
      )}
    </div>
  );
}

function HeaderCell({
  column,
  model,
  trans
}: {
  column: IColumn;
  model: ExperimentsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const sortable = orderExpression(column) !== null;
  const sort = sortOf(model.viewState.orderBy, column);
  const label = attributeLabel(column, trans) ?? columnLabel(column);
  const ariaSort = sort === 'ASC' ? 'ascending' : sort === 'DESC' ? 'descending' : 'none';
  return (
    <span
      role="columnheader"
      className={`jp-Conveyor-expCell jp-Conveyor-expHead jp-mod-${column.kind}`}
      aria-sort={sortable ? ariaSort : undefined}
      data-column={column.id}
      title={column.id}
    >
      {sortable ? (
        <button
          type="button"
          className="jp-Conveyor-expSort"
          onClick={() => model.sortBy(column)}
          aria-label={trans.__('Sort by %1', label)}
        >
          <span className="jp-Conveyor-expHeadText">{label}</span>
          <span className="jp-Conveyor-expSortMark" aria-hidden="true">
            {sort === 'ASC' ? '▲' : sort === 'DESC' ? '▼' : ''}
          </span>
        </button>
      ) : (
        <span className="jp-Conveyor-expHeadText">{label}</span>
      )}
    </span>
  );
}

function attributeLabel(column: IColumn, trans: TranslationBundle): string | null {
  switch (column.id) {
    case 'attributes.run_name':
      return trans.__('Run');
    case 'attributes.status':
      return trans.__('Status');
    case 'attributes.start_time':
      return trans.__('Started');
    default:
      return null;
  }
}

function RunRow(props: {
  row: ExperimentRunRow | undefined;
  display: number;
  columns: IColumn[];
  model: ExperimentsModel;
  trans: TranslationBundle;
  style: React.CSSProperties;
  id: string;
  rowIndex: number;
  focused: boolean;
}): JSX.Element {
  const { row, display, columns, model, trans, style, id, rowIndex, focused } = props;
  const selected = row ? model.isSelected(row.runId) : false;
  const classes = ['jp-Conveyor-expRow', 'jp-Conveyor-expRun'];
  if (selected) classes.push('jp-mod-selected');
  if (focused) classes.push('jp-mod-focused');
  if (row && row.runId === model.detailRunId) classes.push('jp-mod-open');
  return (
    <div
      id={id}
      role="row"
      aria-rowindex={rowIndex}
      aria-selected={selected}
      className={classes.join(' ')}
      style={style}
      data-run-id={row?.runId}
      data-testid="conveyor-exp-row"
      onClick={event => {
        model.setFocus(display);
        if (!row) {
          return;
        }
        if (event.shiftKey) {
          model.selectRange(display);
        } else if ((event.target as HTMLElement).tagName !== 'INPUT') {
          model.openDetail(row.runId);
        }
      }}
    >
      <span role="gridcell" className="jp-Conveyor-expCell jp-Conveyor-expCheck">
        {row && (
          <input
            type="checkbox"
            tabIndex={-1}
            checked={selected}
            aria-label={trans.__('Select run %1', row.name || row.runId)}
            onClick={event => {
              if (!event.shiftKey) {
                model.toggleSelected(row.runId, display);
              }
            }}
            onChange={() => undefined}
          />
        )}
      </span>
      {columns.map(column => (
        <span
          key={column.id}
          role="gridcell"
          className={`jp-Conveyor-expCell jp-mod-${column.kind}`}
          data-column={column.id}
        >
          {row ? <Cell row={row} column={column} trans={trans} /> : <span className="jp-Conveyor-expSkeleton" />}
        </span>
      ))}
    </div>
  );
}

function Cell({
  row,
  column,
  trans
}: {
  row: ExperimentRunRow;
  column: IColumn;
  trans: TranslationBundle;
}): JSX.Element {
  switch (column.id) {
    case 'attributes.run_name':
      return (
        <span className="jp-Conveyor-expName" title={`${row.name} (${row.runId})`}>
          {row.candidate && (
            <span className="jp-Conveyor-expCandidate" title={trans.__('Candidate')} aria-label={trans.__('Candidate')}>
              ★
            </span>
          )}
          {row.name || row.runId.slice(0, 8)}
        </span>
      );
    case 'attributes.status':
      return <span className={`jp-Conveyor-expStatus jp-mod-${row.status.toLowerCase()}`}>{row.status.toLowerCase()}</span>;
    case 'attributes.start_time':
      return (
        <span title={new Date(row.startTime).toISOString()}>
          {new Date(row.startTime).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
        </span>
      );
    default: {
      const value = row.values[column.id];
      const text = formatValue(value);
      return <span title={value === null || value === undefined ? '' : String(value)}>{text}</span>;
    }
  }
}
