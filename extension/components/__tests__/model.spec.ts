import type { Component, ComponentEntry } from '../../../schema/generated/api';
import { fitsSlot } from '../../pipeline-editor/slots';
import { ComponentsModel, versionPath } from '../model';

function entry(name: string, version: string, tags: string[], description = '', extra: Partial<Component> = {}): ComponentEntry {
  return {
    ref: `${name}@${version}`,
    source: 'builtin',
    versions: [version],
    spec: { name, version, tags, description, implementation: { notebook: 'x.ipynb' }, ...extra }
  };
}

const catalog = [
  entry('train-sklearn', '1.0.0', ['training', 'sklearn'], 'Train a classifier', {
    inputs: [{ name: 'train', type: 'dataset' }],
    outputs: [{ name: 'model.pkl', type: 'model' }]
  }),
  entry('split-table', '1.2.0', ['data'], 'Seeded split'),
  entry('train-xgb', '0.1.0', ['training'], 'XGBoost', {
    inputs: [{ name: 'train', type: 'dataset' }, { name: 'valid', type: 'dataset' }],
    outputs: [{ name: 'model.pkl', type: 'model' }]
  })
];

describe('ComponentsModel', () => {
  it('filters the catalog by words and tag, and lists every tag', async () => {
    const requestAPI = jest.fn(async () => ({ components: catalog })) as any;
    const model = new ComponentsModel({ requestAPI, autoStart: false });
    await model.refresh();
    expect(requestAPI).toHaveBeenCalledWith('components');
    expect(model.tags).toEqual(['data', 'sklearn', 'training']);
    model.query = 'train';
    expect(model.filtered.map(e => e.spec.name)).toEqual(['train-sklearn', 'train-xgb']);
    model.query = 'seeded SPLIT';
    expect(model.filtered.map(e => e.spec.name)).toEqual(['split-table']);
    model.query = '';
    model.tag = 'sklearn';
    expect(model.filtered.map(e => e.spec.name)).toEqual(['train-sklearn']);
    model.dispose();
  });

  it('shows another version of the selected component, fetched once', async () => {
    const older = entry('split-table', '1.0.0', ['data'], 'Older split');
    const requestAPI = jest.fn(async (path: string) =>
      path === 'components' ? { components: catalog } : older
    ) as any;
    const model = new ComponentsModel({ requestAPI, autoStart: false });
    await model.refresh();
    model.select('split-table@1.2.0');
    expect(model.shown?.spec.version).toBe('1.2.0');
    await model.showVersion('1.0.0');
    await model.showVersion('1.0.0');
    expect(model.shown?.spec.description).toBe('Older split');
    expect(requestAPI.mock.calls.filter((c: string[]) => c[0] !== 'components')).toEqual([
      ['components/split-table/1.0.0']
    ]);
    expect(versionPath('users/bob/x y', '1.0.0')).toBe('components/users/bob/x%20y/1.0.0');
    model.dispose();
  });
});

describe('template slots', () => {
  const slot = {
    step: 'train',
    default: 'train-sklearn@1.0.0',
    requires: { inputs: [{ name: 'train', type: 'dataset' as const }], outputs: [{ name: 'model.pkl', type: 'model' as const }] }
  };
  it('accept a component with the required typed ports and no other data input', () => {
    expect(fitsSlot(catalog[0].spec, slot)).toBe(true);
    expect(fitsSlot(catalog[1].spec, slot)).toBe(false);
    // train-xgb also needs "valid", which the template would leave unconnected.
    expect(fitsSlot(catalog[2].spec, slot)).toBe(false);
  });
});
