import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors';
import { notebookParameters, parseParameterSource } from '../../src/notebooks/parameters';

const nb = (cells: { cell_type?: string; source: string | string[]; tags?: string[] }[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: cells.map(c => ({ cell_type: c.cell_type ?? 'code', source: c.source, metadata: c.tags ? { tags: c.tags } : {}, outputs: [] }))
});

const one = (line: string) => {
  const [p] = parseParameterSource(line);
  return p && [p.type, p.value];
};

describe('parameters cell parsing', () => {
  it.each([
    ['x = 3', ['int', 3]],
    ['x = -42', ['int', -42]],
    ['x = 1_000', ['int', 1000]],
    ['x = 0x1F', ['int', 31]],
    ['x = 0.5', ['float', 0.5]],
    ['x = 1e-3', ['float', 0.001]],
    ['x = -2.5E2', ['float', -250]],
    ['x = .5', ['float', 0.5]],
    ['x = 3.', ['float', 3]],
    ["x = 'single'", ['str', 'single']],
    ['x = "double"', ['str', 'double']],
    ['x = """triple\nline"""', ['str', 'triple\nline']],
    ["x = '''it''s'''", ['str', "it''s"]],
    ['x = "tab\\tquote\\"u\\u00e9"', ['str', 'tab\tquote"ué']],
    ["x = r'C:\\path'", ['str', 'C:\\path']],
    ["x = 'a' 'b'", ['str', 'ab']],
    ['x = True', ['bool', true]],
    ['x = False', ['bool', false]],
    ['x = None', ['none', null]],
    ['x = [1, 2.5, "a", None]', ['list', [1, 2.5, 'a', null]]],
    ['x = (1, 2)', ['list', [1, 2]]],
    ['x = (1,)', ['list', [1]]],
    ['x = (7)', ['int', 7]],
    ['x = 1, 2', ['list', [1, 2]]],
    ['x = []', ['list', []]],
    ['x = {"a": 1, "b": [True, {"c": None}], 3: "k"}', ['dict', { a: 1, b: [true, { c: null }], 3: 'k' }]],
    ['x = 3  # epochs', ['int', 3]],
    ['x: int = 3', ['int', 3]],
    ['x: list[int] = [1, 2]', ['list', [1, 2]]],
    ['x = "# not a comment"', ['str', '# not a comment']],
    ['x = np.linspace(0, 1)', ['expr', 'np.linspace(0, 1)']],
    ['x = y', ['expr', 'y']],
    ['x = 2 ** 10', ['expr', '2 ** 10']],
    ['x = f"{y}"', ['expr', 'f"{y}"']],
    ['x = {1, 2}', ['expr', '{1, 2}']],
    ['x = 123456789012345678901234567890', ['expr', '123456789012345678901234567890']]
  ])('%s', (line, expected) => {
    expect(one(line)).toEqual(expected);
  });

  it('keeps source, annotation and comment, and joins multi-line values', () => {
    const params = parseParameterSource(
      [
        '# Parameters',
        'epochs: int = 10  # how many passes',
        'layers = [',
        '    64,  # first',
        '    32,',
        ']',
        'path = \\',
        '    "data.csv"',
        'if debug:',
        '    epochs = 1',
        'import os',
        'print(epochs)',
        'a == 3',
        'lr = 0.1',
        'lr = 0.2'
      ].join('\n')
    );
    expect(params).toEqual([
      { name: 'epochs', value: 10, type: 'int', source: '10', annotation: 'int', comment: 'how many passes' },
      { name: 'layers', value: [64, 32], type: 'list', source: '[\n    64,  \n    32,\n]' },
      { name: 'path', value: 'data.csv', type: 'str', source: '"data.csv"' },
      { name: 'lr', value: 0.2, type: 'float', source: '0.2' }
    ]);
  });

  it('reads the first code cell tagged parameters, with source as a list of lines', () => {
    const params = notebookParameters(
      nb([
        { source: 'x = 1' },
        { cell_type: 'markdown', source: 'y = 2', tags: ['parameters'] },
        { source: ['rows = 200\n', 'seed = 42\n'], tags: ['setup', 'parameters'] },
        { source: 'other = 1', tags: ['parameters'] }
      ])
    );
    expect(params.map(p => [p.name, p.value])).toEqual([
      ['rows', 200],
      ['seed', 42]
    ]);
  });

  it('returns no parameters when no cell is tagged', () => {
    expect(notebookParameters(nb([{ source: 'x = 1' }]))).toEqual([]);
  });

  it('reads the example notebooks', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'pipelines', 'train.ipynb'), 'utf8');
    expect(notebookParameters(JSON.parse(text)).map(p => `${p.name}:${p.type}`)).toEqual(['lr:float', 'epochs:int', 'seed:int', 'model_out:str']);
  });

  it.each([[null], [[]], [{ nbformat: 3, cells: [] }], [{ nbformat: 4 }], [{ nbformat: 4, cells: [{ cell_type: 'weird' }] }]])('refuses %j as invalid_notebook', doc => {
    expect(() => notebookParameters(doc)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_notebook' }));
    expect(() => notebookParameters(doc)).toThrow(AppError);
  });
});
