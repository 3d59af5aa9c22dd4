import { EXAMPLE } from './fixtures';
import { nameFromPath, parsePipelineText, PipelineParseError, serializePipeline } from '../document';

const example = EXAMPLE;

describe('pipeline file round trip', () => {
  it('keeps the header comment, the content and a stable key order', () => {
    const state = parsePipelineText(example, 'examples/pipelines/train.yaml');
    const text = serializePipeline(state);
    expect(text.startsWith('# A small training pipeline')).toBe(true);
    expect(parsePipelineText(text).pipeline).toEqual(state.pipeline);
    // Writing again gives the same bytes: diffs only show real edits.
    expect(serializePipeline(parsePipelineText(text))).toBe(text);
    const keys = text.split('\n').filter(l => /^[a-z]/.test(l)).map(l => l.split(':')[0]);
    expect(keys).toEqual(['apiVersion', 'kind', 'name', 'description', 'params', 'defaults', 'steps']);
  });

  it('writes positions under layout, rounded, in step order, and reads them back', () => {
    const state = parsePipelineText(example);
    state.positions = { compare: { x: 600.4, y: 10 }, prepare: { x: 0, y: 0.6 } };
    const text = serializePipeline(state);
    expect(text.endsWith('layout:\n  prepare: { x: 0, y: 1 }\n  compare: { x: 600, y: 10 }\n')).toBe(true);
    const back = parsePipelineText(text);
    expect(back.positions).toEqual({ prepare: { x: 0, y: 1 }, compare: { x: 600, y: 10 } });
    expect('layout' in back.pipeline).toBe(false);
  });

  it('orders step keys the same way whatever the order they were built in', () => {
    const text = serializePipeline({
      header: '',
      positions: {},
      pipeline: {
        steps: [{ outputs: ['m'], inputs: { d: 'a.d' }, component: 'train@1.0.0', name: 'b' }],
        name: 'p',
        kind: 'Pipeline',
        apiVersion: 'conveyor/v1'
      } as any
    });
    expect(text).toBe(
      'apiVersion: conveyor/v1\nkind: Pipeline\nname: p\nsteps:\n  - name: b\n    component: train@1.0.0\n    inputs: { d: a.d }\n    outputs: [ m ]\n'
    );
  });

  it('opens an empty file as a new pipeline named after it, and refuses other formats', () => {
    expect(parsePipelineText('', 'flows/My Flow.pipeline.yaml').pipeline).toEqual({
      apiVersion: 'conveyor/v1',
      kind: 'Pipeline',
      name: 'my-flow',
      steps: []
    });
    expect(nameFromPath('a/b.yaml')).toBe('b');
    expect(() => parsePipelineText('apiVersion: conveyor/v1alpha1\nnodes: []')).toThrow(PipelineParseError);
    expect(() => parsePipelineText('- a\n- b')).toThrow(/must be a mapping/);
    expect(() => parsePipelineText('steps: 3')).toThrow(/steps must be a list/);
  });
});
