import type { Component } from '../../../schema/generated/api';
import { PipelineEditorModel } from '../model';
import { NEW_INPUT } from '../ports';
import { EXAMPLE } from './fixtures';

const trainer: Component = {
  name: 'train-sklearn',
  version: '1.0.0',
  inputs: [
    { name: 'train', type: 'dataset' },
    { name: 'n_estimators', type: 'parameter', paramType: 'integer', default: 100 }
  ],
  outputs: [{ name: 'model', type: 'model' }],
  implementation: { image: 'conveyor/base:dev', command: ['python3', 'train.py'] }
};
const evaluate: Component = {
  name: 'evaluate',
  version: '2.1.0',
  inputs: [
    { name: 'model', type: 'model' },
    { name: 'test', type: 'dataset' },
    { name: 'extra', type: 'artifact' }
  ],
  outputs: [{ name: 'metrics.json', type: 'metrics' }],
  implementation: { notebook: 'evaluate.ipynb' }
};

function newModel(): PipelineEditorModel {
  // Validation is not what these tests look at: a request that never answers.
  const requestAPI = jest.fn(() => new Promise<never>(() => undefined)) as any;
  const model = new PipelineEditorModel({ path: 'flows/demo.pipeline.yaml', requestAPI });
  model.load('');
  return model;
}

afterEach(() => jest.useRealTimers());

describe('PipelineEditorModel', () => {
  it('builds a pipeline from a notebook and a component, writing readable YAML', () => {
    const model = newModel();
    const prep = model.addNotebook('flows/nb/prepare.ipynb', { x: 0, y: 0 });
    const train = model.addComponentStep('train-sklearn@1.0.0', trainer, { x: 300, y: 0 });
    model.updateStep(prep, { ...model.steps[0], outputs: ['data.csv'] });
    expect(model.connect({ source: prep, output: 'data.csv', target: train, input: 'train' })).toEqual({
      ok: true,
      input: 'train'
    });
    expect(model.serialize()).toBe(
      [
        'apiVersion: conveyor/v1',
        'kind: Pipeline',
        'name: demo',
        'steps:',
        '  - name: prepare',
        '    notebook: nb/prepare.ipynb',
        '    outputs: [ data.csv ]',
        '  - name: train-sklearn',
        '    component: train-sklearn@1.0.0',
        '    inputs: { train: prepare.data.csv }',
        'layout:',
        '  prepare: { x: 0, y: 0 }',
        '  train-sklearn: { x: 300, y: 0 }',
        ''
      ].join('\n')
    );
  });

  it('undoes and redoes every edit, in order, and a new edit clears the redo', () => {
    const model = newModel();
    const a = model.addNotebook('flows/a.ipynb');
    model.addNotebook('flows/a.ipynb');
    expect(model.steps.map(s => s.name)).toEqual(['a', 'a-2']);
    model.move({ [a]: { x: 500, y: 500 } });
    model.undo();
    expect(model.state.positions[a]).not.toEqual({ x: 500, y: 500 });
    model.undo();
    expect(model.steps.map(s => s.name)).toEqual(['a']);
    model.redo();
    expect(model.steps.map(s => s.name)).toEqual(['a', 'a-2']);
    model.remove(['a-2']);
    expect(model.canRedo).toBe(false);
    model.undo();
    model.undo();
    model.undo();
    expect(model.steps).toEqual([]);
    expect(model.canUndo).toBe(false);
  });

  it('merges quick typing in one field into one undo step', () => {
    const model = newModel();
    const a = model.addNotebook('flows/a.ipynb');
    for (const image of ['p', 'py', 'pyt']) {
      model.updateStep(a, { ...model.steps[0], image }, `${a}/image`);
    }
    expect(model.steps[0].image).toBe('pyt');
    model.undo();
    expect(model.steps[0].image).toBeUndefined();
  });

  it('refuses edges whose types do not fit, and cycles, with the reason', () => {
    const model = newModel();
    const train = model.addComponentStep('train-sklearn@1.0.0', trainer);
    const ev = model.addComponentStep('evaluate@2.1.0', evaluate);
    const check = model.connect({ source: train, output: 'model', target: ev, input: 'test' });
    expect(check).toEqual({
      ok: false,
      reason: 'train-sklearn.model is a model; input test of evaluate takes a dataset'
    });
    expect(model.edges).toEqual([]);
    expect(model.connect({ source: train, output: 'model', target: ev, input: 'model' }).ok).toBe(true);
    // artifact takes anything
    expect(model.connect({ source: train, output: 'model', target: ev, input: 'extra' }).ok).toBe(true);
    // parameters are not ports
    expect(model.ports(train)!.inputs.map(i => i.name)).toEqual(['train']);
    const back = model.connect({ source: ev, output: 'metrics.json', target: train, input: 'train' });
    expect(back.ok).toBe(false);
    expect(!back.ok && back.reason).toMatch(/cycle/);
    // a component takes only its declared inputs
    expect(model.connect({ source: train, output: 'model', target: ev, input: NEW_INPUT }).ok).toBe(false);
  });

  it('names a notebook input after the output dropped on it, and removing a step removes its edges', () => {
    const model = newModel();
    const a = model.addNotebook('flows/a.ipynb');
    const b = model.addNotebook('flows/b.ipynb');
    model.updateStep(a, { ...model.steps[0], outputs: ['out/data.csv'] });
    expect(model.connect({ source: a, output: 'out/data.csv', target: b, input: NEW_INPUT })).toEqual({
      ok: true,
      input: 'data.csv'
    });
    expect(model.edges.map(e => e.id)).toEqual(['data:a.out/data.csv->b.data.csv']);
    model.updateStep(a, { ...model.steps[0], name: 'prep' });
    expect(model.steps[1].inputs).toEqual({ 'data.csv': 'prep.out/data.csv' });
    model.remove(['prep']);
    expect(model.steps).toEqual([{ name: 'b', notebook: 'b.ipynb' }]);
  });

  it('lays the DAG out left to right, and places files without a layout on load', () => {
    const model = newModel();
    model.load(EXAMPLE);
    const p = model.state.positions;
    expect(Object.keys(p).sort()).toEqual(['compare', 'prepare', 'train-a', 'train-b']);
    expect(p.prepare.x).toBeLessThan(p['train-a'].x);
    expect(p['train-a'].x).toBe(p['train-b'].x);
    expect(p['train-a'].y).not.toBe(p['train-b'].y);
    expect(p['train-b'].x).toBeLessThan(p.compare.x);
    model.move({ compare: { x: 0, y: 900 } });
    model.layout();
    expect(model.state.positions.compare.x).toBeGreaterThan(p['train-a'].x);
    model.undo();
    expect(model.state.positions.compare).toEqual({ x: 0, y: 900 });
  });

  it('shows the server validation per step, dropping stale answers', async () => {
    jest.useFakeTimers();
    const answers: Array<(v: unknown) => void> = [];
    const requestAPI = jest.fn(() => new Promise(resolve => answers.push(resolve))) as any;
    const model = new PipelineEditorModel({ path: 'p.pipeline.yaml', requestAPI });
    model.load('');
    model.addNotebook('a.ipynb');
    jest.runOnlyPendingTimers();
    model.addNotebook('b.ipynb');
    jest.runOnlyPendingTimers();
    expect(requestAPI).toHaveBeenCalledTimes(2);
    const body = JSON.parse((requestAPI.mock.calls[1] as any)[1].body);
    expect(body.perStep).toBe(true);
    expect(body.pipeline.steps.map((s: any) => s.name)).toEqual(['a', 'b']);
    answers[1]({ valid: false, errors: [{ path: '/steps/1/notebook', message: 'no such notebook', step: 'b' }], steps: {} });
    await Promise.resolve();
    await Promise.resolve();
    answers[0]({ valid: true, errors: [], steps: {} });
    await Promise.resolve();
    await Promise.resolve();
    expect(model.validation?.valid).toBe(false);
    expect(model.stepErrors('b').map(e => e.message)).toEqual(['no such notebook']);
    expect(model.stepErrors('a')).toEqual([]);
  });
});
