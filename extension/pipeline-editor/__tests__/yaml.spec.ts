import { EXAMPLE } from './fixtures';
import { parseYaml, stringifyYaml, YamlError } from '../yaml';

describe('pipeline editor YAML', () => {
  it('reads the example pipeline as the server does (block, flow, comments)', () => {
    const text = EXAMPLE;
    const doc = parseYaml(text) as any;
    expect(doc.name).toBe('train-demo');
    expect(doc.params).toEqual({ seed: 42 });
    expect(doc.steps).toHaveLength(4);
    expect(doc.steps[0]).toEqual({ name: 'prepare', notebook: 'prepare.ipynb', params: { rows: 200 }, outputs: ['data.csv'] });
    expect(doc.steps[3].inputs).toEqual({ 'model-a.json': 'train-a.model-a.json', 'model-b.json': 'train-b.model-b.json' });
    expect(doc.steps[2].retry).toEqual({ attempts: 2 });
  });

  it('reads scalars by the YAML 1.2 core schema and quoted strings as strings', () => {
    const doc = parseYaml(
      [
        'a: 1',
        'b: 1.5e3',
        'c: true',
        'd: ~',
        'e: "1"',
        "f: 'it''s # not a comment'",
        'g: [1, "two", {x: 3, y: [4]}]',
        'h: { cpus: 2, memory: 2Gi }',
        'i: dataset://iris@v1 # a comment',
        'j:',
        '- x',
        '- y: 1',
        '  z: 2',
        'k: |',
        '  line one',
        '  line two',
        'l: "tab\\there"'
      ].join('\n')
    );
    expect(doc).toEqual({
      a: 1,
      b: 1500,
      c: true,
      d: null,
      e: '1',
      f: "it's # not a comment",
      g: [1, 'two', { x: 3, y: [4] }],
      h: { cpus: 2, memory: '2Gi' },
      i: 'dataset://iris@v1',
      j: ['x', { y: 1, z: 2 }],
      k: 'line one\nline two\n',
      l: 'tab\there'
    });
  });

  it('refuses files the server would refuse, naming the line', () => {
    expect(() => parseYaml('a: 1\na: 2')).toThrow(YamlError);
    expect(() => parseYaml('a: 1\na: 2')).toThrow(/line 2: .*unique/i);
    expect(() => parseYaml('a: 1\n---\nb: 2')).toThrow(YamlError);
    expect(() => parseYaml('a: [1, 2')).toThrow(YamlError);
  });

  it('writes values that read back identically, quoting only where needed', () => {
    const value = {
      name: 'x',
      n: 0.001,
      s: ['1', 'true', 'a: b', '#x', 'plain-text.csv', ''],
      multi: 'one\ntwo\n',
      nested: { list: [{ a: 1, b: [1, 2] }, [1, 2]], empty: {}, none: [] },
      pos: { x: 10, y: -20 }
    };
    const text = stringifyYaml(value);
    expect(parseYaml(text)).toEqual(value);
    expect(text).toContain('pos: { x: 10, y: -20 }');
    expect(text).toMatch(/^s: \[ .*plain-text\.csv.* \]$/m);
    expect(text).toContain('name: x\n');
  });
});
