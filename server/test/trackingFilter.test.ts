import { FilterError, parseFilter, parseOrderBy } from '../src/tracking/filter';
import { compileOrder, compileWhere } from '../src/tracking/query';

describe('MLflow filter grammar', () => {
  test('parses metrics, params, tags and attributes joined by AND (case-insensitive keywords)', () => {
    expect(parseFilter("metrics.x > 0.5 and params.p = 'a' AND tags.k LIKE '%v%'")).toEqual([
      { kind: 'metric', key: 'x', op: '>', value: 0.5 },
      { kind: 'param', key: 'p', op: '=', value: 'a' },
      { kind: 'tag', key: 'k', op: 'LIKE', value: '%v%' }
    ]);
    expect(parseFilter("attributes.status = 'FINISHED' and run_name ilike 'A%' and attributes.start_time >= 100")).toEqual([
      { kind: 'attribute', key: 'status', op: '=', value: 'FINISHED' },
      { kind: 'attribute', key: 'run_name', op: 'ILIKE', value: 'A%' },
      { kind: 'attribute', key: 'start_time', op: '>=', value: 100 }
    ]);
  });

  test('keys may be backticked or double-quoted, and contain dots', () => {
    expect(parseFilter('metrics.`my loss` <= -1e-3 and params."batch size" != "32" and metrics.train.acc = 1')).toEqual([
      { kind: 'metric', key: 'my loss', op: '<=', value: -0.001 },
      { kind: 'param', key: 'batch size', op: '!=', value: '32' },
      { kind: 'metric', key: 'train.acc', op: '=', value: 1 }
    ]);
  });

  test('IN and NOT IN lists for attributes, IS NULL for params and tags, escaped quotes', () => {
    expect(parseFilter("attributes.run_id IN ('a', 'b') and attribute.status NOT IN ('FAILED')")).toEqual([
      { kind: 'attribute', key: 'run_id', op: 'IN', value: ['a', 'b'] },
      { kind: 'attribute', key: 'status', op: 'NOT IN', value: ['FAILED'] }
    ]);
    expect(parseFilter("tags.t IS NULL and params.p is not null and tags.q = 'it''s'")).toEqual([
      { kind: 'tag', key: 't', op: 'IS NULL', value: null },
      { kind: 'param', key: 'p', op: 'IS NOT NULL', value: null },
      { kind: 'tag', key: 'q', op: '=', value: "it's" }
    ]);
    expect(parseFilter('  ')).toEqual([]);
  });

  test.each([
    ['metrics.x >', 11],
    ["metrics.x > 'a'", 12],
    ["params.p = 1", 11],
    ["foo.x = 'a'", 0],
    ["params.p = 'a' or params.q = 'b'", 15],
    ["params.p = 'a", 11],
    ['metrics.x LIKE 1', 10],
    ["attributes.nope = 'a'", 0],
    ["params.p IN ('a')", 9],
    ["attributes.run_id IN ('a' 'b')", 26],
    ['metrics.x > 1 $', 14]
  ])('rejects %j at position %d', (filter, position) => {
    let error: unknown;
    try {
      parseFilter(filter);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect((error as FilterError).position).toBe(position);
  });

  test('order_by clauses', () => {
    expect(parseOrderBy('metrics.loss DESC')).toEqual({ kind: 'metric', key: 'loss', desc: true });
    expect(parseOrderBy('params.`lr`')).toEqual({ kind: 'param', key: 'lr', desc: false });
    expect(parseOrderBy('attributes.start_time asc')).toEqual({ kind: 'attribute', key: 'start_time', desc: false });
    expect(() => parseOrderBy('metrics.loss DOWN')).toThrow(FilterError);
  });

  test('compiles to parameterised SQL: values never inlined, LIKE case-sensitive on SQLite', () => {
    const where = compileWhere(parseFilter("tags.k LIKE 'a_%' and metrics.x > 2 and params.p = 'x''; drop table runs; --'"), 'sqlite');
    expect(where.sql).toContain('x.value glob ?');
    expect(where.sql).not.toContain('drop table');
    expect(where.params).toEqual(['k', 'a?*', 'x', 2, 'p', "x'; drop table runs; --", "x'; drop table runs; --"]);
    expect(compileWhere(parseFilter("tags.k LIKE 'a_%'"), 'postgres').sql).toContain('x.value like ?');
    const order = compileOrder([parseOrderBy('metrics.loss DESC')]);
    expect(order.params).toEqual(['loss']);
    expect(order.sql).toMatch(/o0\.value desc, r\.start_time desc, r\.run_uuid asc$/);
  });
});

describe('attribute names', () => {
  test('name is run_name; experiment-only attributes are refused for runs', () => {
    expect(parseFilter("attributes.name = 'x' and name LIKE 'y%'")).toEqual([
      { kind: 'attribute', key: 'run_name', op: '=', value: 'x' },
      { kind: 'attribute', key: 'run_name', op: 'LIKE', value: 'y%' }
    ]);
    expect(parseFilter("tags.name = 'name'")).toEqual([{ kind: 'tag', key: 'name', op: '=', value: 'name' }]);
    expect(() => compileWhere(parseFilter('attributes.last_update_time > 1'), 'sqlite')).toThrow(FilterError);
    expect(() => compileOrder([parseOrderBy('attributes.last_update_time')])).toThrow(FilterError);
  });
});
