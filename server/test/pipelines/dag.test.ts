import type { Pipeline } from '../../../schema/generated/api';
import { downstreamOf, findCycle, topoOrder, upstreamOf } from '../../src/pipelines/dag';
import { MAX_SWEEP_SETS, expandSweep } from '../../src/pipelines/sweep';

const diamond: Pipeline = {
  apiVersion: 'conveyor/v1',
  kind: 'Pipeline',
  name: 'd',
  steps: [
    { name: 'compare', notebook: 'c.ipynb', inputs: { a: 'train-a.m', b: 'train-b.m' } },
    { name: 'train-b', notebook: 't.ipynb', outputs: ['m'], inputs: { d: 'prepare.d' } },
    { name: 'train-a', notebook: 't.ipynb', outputs: ['m'], dependsOn: ['prepare'] },
    { name: 'prepare', notebook: 'p.ipynb', outputs: ['d'] },
    { name: 'lonely', command: ['true'] }
  ]
};

describe('DAG helpers', () => {
  it('orders steps upstream first, ties in declaration order', () => {
    expect(topoOrder(diamond)).toEqual(['prepare', 'train-b', 'train-a', 'compare', 'lonely']);
  });

  it('lists direct upstream steps from dependsOn and inputs', () => {
    expect(upstreamOf(diamond, 'compare')).toEqual(['train-a', 'train-b']);
    expect(upstreamOf(diamond, 'train-b')).toEqual(['prepare']);
    expect(upstreamOf(diamond, 'prepare')).toEqual([]);
  });

  it('collects transitive downstream steps including the given ones', () => {
    expect([...downstreamOf(diamond, ['prepare'])].sort()).toEqual(['compare', 'prepare', 'train-a', 'train-b']);
    expect([...downstreamOf(diamond, ['train-a', 'lonely'])].sort()).toEqual(['compare', 'lonely', 'train-a']);
  });

  it('finds no cycle in a DAG and names one otherwise', () => {
    expect(findCycle(diamond)).toBeNull();
    const cyclic: Pipeline = {
      ...diamond,
      steps: [
        { name: 'c', command: ['x'], dependsOn: ['b'] },
        { name: 'a', command: ['x'], dependsOn: ['c'] },
        { name: 'b', command: ['x'], dependsOn: ['a'] }
      ]
    };
    expect(findCycle(cyclic)).toEqual(['c', 'a', 'b', 'c']);
    expect(() => topoOrder(cyclic)).toThrow('pipeline has a cycle: c → a → b → c');
  });
});

describe('expandSweep', () => {
  it('expands a grid as a cartesian product in key order, merged over the base', () => {
    expect(expandSweep({ grid: { lr: [0.1, 0.01], depth: [2, 3, 4] } }, { lr: 1, seed: 7 })).toEqual([
      { lr: 0.1, seed: 7, depth: 2 },
      { lr: 0.1, seed: 7, depth: 3 },
      { lr: 0.1, seed: 7, depth: 4 },
      { lr: 0.01, seed: 7, depth: 2 },
      { lr: 0.01, seed: 7, depth: 3 },
      { lr: 0.01, seed: 7, depth: 4 }
    ]);
  });

  it('uses a list as written', () => {
    expect(expandSweep({ list: [{ a: 1 }, { a: 2, b: 'x' }] }, { b: 'base' })).toEqual([{ a: 1, b: 'base' }, { a: 2, b: 'x' }]);
  });

  it(`refuses more than ${MAX_SWEEP_SETS} sets`, () => {
    const values = Array.from({ length: 11 }, (_, i) => i) as [number, ...number[]];
    const ten = values.slice(0, 10) as [number, ...number[]];
    expect(expandSweep({ grid: { a: ten, b: ten, c: ten } }, {})).toHaveLength(1000);
    expect(() => expandSweep({ grid: { a: values, b: values, c: values } }, {})).toThrow(
      expect.objectContaining({ status: 400, code: 'sweep_too_large', details: { count: 1331, max: 1000 } })
    );
  });
});
