import { assignLayers, layoutDag } from '../layout';

describe('DAG layout', () => {
  it('puts each step one layer after its deepest upstream step', () => {
    const layers = assignLayers([
      { id: 'train', dependsOn: ['prep', 'features'] },
      { id: 'prep', dependsOn: [] },
      { id: 'features', dependsOn: ['prep'] },
      { id: 'report', dependsOn: ['train'] }
    ]);
    expect(Object.fromEntries(layers)).toEqual({ prep: 0, features: 1, train: 2, report: 3 });
  });

  it('places layers left to right without overlapping nodes', () => {
    const layout = layoutDag(
      [
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: ['a'] },
        { id: 'd', dependsOn: ['b', 'c'] }
      ],
      { nodeWidth: 100, nodeHeight: 40, layerGap: 50, rowGap: 10, margin: 5 }
    );
    const at = Object.fromEntries(layout.nodes.map(n => [n.id, n]));
    expect(at.a.x).toBe(5);
    expect(at.b.x).toBe(155);
    expect(at.c.x).toBe(155);
    expect(at.d.x).toBe(305);
    expect(Math.abs(at.b.y - at.c.y)).toBeGreaterThanOrEqual(50);
    expect(layout.width).toBe(5 * 2 + 3 * 100 + 2 * 50);
    expect(layout.height).toBe(5 * 2 + 2 * 40 + 10);
    expect(layout.edges.map(e => `${e.from}->${e.to}`).sort()).toEqual([
      'a->b',
      'a->c',
      'b->d',
      'c->d'
    ]);
    // Edges run from the right edge of the upstream node to the left edge of the downstream one.
    const ab = layout.edges.find(e => e.from === 'a' && e.to === 'b')!;
    expect(ab.path.startsWith(`M105,${at.a.y + 20}`)).toBe(true);
    expect(ab.path.endsWith(`155,${at.b.y + 20}`)).toBe(true);
  });

  it('orders a layer by its upstream positions to avoid crossings', () => {
    const layout = layoutDag([
      { id: 'top', dependsOn: [] },
      { id: 'bottom', dependsOn: [] },
      { id: 'z-after-top', dependsOn: ['top'] },
      { id: 'a-after-bottom', dependsOn: ['bottom'] }
    ]);
    const at = Object.fromEntries(layout.nodes.map(n => [n.id, n]));
    expect(at['z-after-top'].y).toBeLessThan(at['a-after-bottom'].y);
  });

  it('ignores unknown upstream names and survives a cycle', () => {
    const layers = assignLayers([
      { id: 'a', dependsOn: ['ghost', 'b'] },
      { id: 'b', dependsOn: ['a'] }
    ]);
    expect(layers.size).toBe(2);
    expect(layoutDag([]).nodes).toEqual([]);
  });
});
