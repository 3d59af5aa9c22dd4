import { AppError } from '../../src/core/errors';
import { loadPipeline, normalizePipeline } from '../../src/pipelines/load';
import { parseDuration } from '../../src/pipelines/migrate';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

function messagesOf(fn: () => unknown): string[] {
  const err = errorOf(fn);
  expect(err.status).toBe(400);
  expect(err.code).toBe('invalid_pipeline');
  return (err.details as { errors: { path: string; message: string }[] }).errors.map(e => `${e.path} ${e.message}`);
}

const v1 = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: 'conveyor/v1', kind: 'Pipeline', name: 'demo', steps, ...extra });

describe('loadPipeline', () => {
  it('reads a YAML pipeline file', () => {
    const p = loadPipeline(
      ['apiVersion: conveyor/v1', 'kind: Pipeline', 'name: demo', 'steps:', '  - name: a', '    notebook: a.ipynb', '    outputs: [out.csv]', '  - name: b', '    notebook: b.ipynb', '    inputs: {data: a.out.csv}'].join('\n'),
      'demo.yaml'
    );
    expect(p.steps.map(s => s.name)).toEqual(['a', 'b']);
    expect(p.steps[1].inputs).toEqual({ data: 'a.out.csv' });
  });

  it('reads a JSON pipeline file', () => {
    const p = loadPipeline(JSON.stringify(v1([{ name: 'only', command: ['python3', '-c', 'print(1)'] }])), 'p.json');
    expect(p.steps[0].command).toEqual(['python3', '-c', 'print(1)']);
  });

  it('names the line of a YAML syntax error', () => {
    const [msg] = messagesOf(() => loadPipeline('apiVersion: conveyor/v1\nsteps: [\n  - a: b\n', 'bad.yaml'));
    expect(msg).toMatch(/bad\.yaml is not valid YAML: line \d+/);
  });

  it('refuses broken JSON and duplicate YAML keys', () => {
    expect(messagesOf(() => loadPipeline('{"apiVersion": ', 'p.json'))[0]).toMatch(/not valid JSON/);
    expect(messagesOf(() => loadPipeline('name: a\nname: b\n', 'p.yaml'))[0]).toMatch(/not valid YAML/);
  });
});

describe('normalizePipeline', () => {
  it('refuses a document that is not an object, or an unknown apiVersion', () => {
    expect(messagesOf(() => normalizePipeline([1, 2]))[0]).toMatch(/^\/ must be an object/);
    expect(messagesOf(() => normalizePipeline({ apiVersion: 'conveyor/v9', steps: [] }))[0]).toBe(
      '/apiVersion must be "conveyor/v1" or "conveyor/v1alpha1", got "conveyor/v9"'
    );
  });

  it('reports schema errors with their field paths', () => {
    const msgs = messagesOf(() => normalizePipeline(v1([{ name: 'Bad Name', notebook: 'a.ipynb', colour: 'red' }])));
    expect(msgs).toEqual(expect.arrayContaining(['/steps/0/name must match pattern "^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$"', '/steps/0/colour is not allowed']));
  });

  it('refuses duplicate step names', () => {
    expect(messagesOf(() => normalizePipeline(v1([{ name: 'a', notebook: 'a.ipynb' }, { name: 'a', notebook: 'b.ipynb' }])))).toEqual([
      '/steps/1/name "a" is already the name of another step'
    ]);
  });

  it('requires exactly one of notebook or command', () => {
    expect(messagesOf(() => normalizePipeline(v1([{ name: 'a' }, { name: 'b', notebook: 'b.ipynb', command: ['x'] }])))).toEqual([
      '/steps/0 step "a" must have exactly one of notebook, command or component',
      '/steps/1 step "b" must have exactly one of notebook, command or component'
    ]);
  });

  it('checks that inputs name an existing step and one of its declared outputs', () => {
    const msgs = messagesOf(() =>
      normalizePipeline(
        v1([
          { name: 'a', notebook: 'a.ipynb', outputs: ['model.pkl'] },
          { name: 'b', notebook: 'b.ipynb', inputs: { m: 'a.weights.bin', x: 'nope.file', own: 'b.out' }, outputs: ['out'] }
        ])
      )
    );
    expect(msgs).toEqual([
      '/steps/1/inputs/m "a.weights.bin": step "a" declares no output "weights.bin" (its outputs: model.pkl)',
      '/steps/1/inputs/x "nope.file" names no step "nope"',
      '/steps/1/inputs/own step "b" cannot take its own output "out" as input'
    ]);
  });

  it('checks dependsOn names and refuses a self-dependency', () => {
    expect(messagesOf(() => normalizePipeline(v1([{ name: 'a', notebook: 'a.ipynb', dependsOn: ['a', 'ghost'] }])))).toEqual([
      '/steps/0/dependsOn/0 step "a" cannot depend on itself',
      '/steps/0/dependsOn/1 names no step "ghost"'
    ]);
  });

  it('rejects a cycle and names it in order', () => {
    const err = errorOf(() =>
      normalizePipeline(
        v1([
          { name: 'start', notebook: 's.ipynb' },
          { name: 'a', notebook: 'a.ipynb', dependsOn: ['start', 'c'] },
          { name: 'b', notebook: 'b.ipynb', dependsOn: ['a'] },
          { name: 'c', notebook: 'c.ipynb', outputs: ['x'], dependsOn: ['b'] }
        ])
      )
    );
    expect(err.code).toBe('invalid_pipeline');
    expect(err.message).toBe('pipeline has a cycle: a → b → c → a');
    expect((err.details as { cycle: string[] }).cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('finds a cycle made through inputs', () => {
    const err = errorOf(() =>
      normalizePipeline(
        v1([
          { name: 'x', notebook: 'x.ipynb', outputs: ['o'], inputs: { i: 'y.o' } },
          { name: 'y', notebook: 'y.ipynb', outputs: ['o'], inputs: { i: 'x.o' } }
        ])
      )
    );
    expect((err.details as { cycle: string[] }).cycle).toEqual(['x', 'y', 'x']);
  });

  it('requires a sweep to have grid or list, not both and not neither', () => {
    const step = [{ name: 'a', notebook: 'a.ipynb' }];
    expect(messagesOf(() => normalizePipeline(v1(step, { sweep: { grid: { lr: [1] }, list: [{ lr: 1 }] } })))).toEqual(['/sweep must have exactly one of grid or list']);
    expect(messagesOf(() => normalizePipeline(v1(step, { sweep: { maxParallel: 2 } })))).toEqual(['/sweep must have exactly one of grid or list']);
    expect(normalizePipeline(v1(step, { sweep: { grid: { lr: [1, 2] } } })).sweep).toEqual({ grid: { lr: [1, 2] } });
  });
});

describe('apiVersion conveyor/v1alpha1', () => {
  it('migrates nodes to v1 steps', () => {
    const p = loadPipeline(
      [
        'apiVersion: conveyor/v1alpha1',
        'name: old',
        'image: my/image:1',
        'parameters: {lr: 0.1}',
        'nodes:',
        '  - id: prep',
        '    script: prep.py',
        '    outputs: [data.csv]',
        '    retries: 2',
        '    timeout: 1h30m',
        '  - id: train',
        '    notebook: train.ipynb',
        '    image: other:2',
        '    after: [prep]',
        '    parameters: {epochs: 3}',
        '    inputs: {data: prep.data.csv}',
        '    timeout: "45s"'
      ].join('\n'),
      'old.yml'
    );
    expect(p).toEqual({
      apiVersion: 'conveyor/v1',
      kind: 'Pipeline',
      name: 'old',
      params: { lr: 0.1 },
      defaults: { image: 'my/image:1' },
      steps: [
        { name: 'prep', command: ['python3', 'prep.py'], outputs: ['data.csv'], retry: { attempts: 3 }, timeoutSeconds: 5400 },
        { name: 'train', notebook: 'train.ipynb', image: 'other:2', dependsOn: ['prep'], params: { epochs: 3 }, inputs: { data: 'prep.data.csv' }, timeoutSeconds: 45 }
      ]
    });
  });

  it('names the v1alpha1 fields that are wrong', () => {
    expect(
      messagesOf(() => normalizePipeline({ apiVersion: 'conveyor/v1alpha1', name: 'x', nodes: [{ id: 'a', notebook: 'a.ipynb', retries: -1, timeout: 'soon', colour: 1 }] }))
    ).toEqual(['/nodes/0/colour is not a conveyor/v1alpha1 node field', '/nodes/0/retries must be an integer 0-9', '/nodes/0/timeout must be a duration such as 90, "30s", "10m" or "1h30m"']);
  });

  it('validates the migrated pipeline like a v1 one (cycles too)', () => {
    const err = errorOf(() =>
      normalizePipeline({ apiVersion: 'conveyor/v1alpha1', name: 'x', nodes: [{ id: 'a', notebook: 'a.ipynb', after: ['b'] }, { id: 'b', notebook: 'b.ipynb', after: ['a'] }] })
    );
    expect(err.message).toBe('pipeline has a cycle: a → b → a');
  });

  it('parses durations', () => {
    expect([parseDuration(90), parseDuration('90'), parseDuration('10m'), parseDuration('2h'), parseDuration('1d'), parseDuration('1h 5m')]).toEqual([90, 90, 600, 7200, 86400, 3900]);
    expect([parseDuration('10x'), parseDuration(0), parseDuration('m'), parseDuration(1.5)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
