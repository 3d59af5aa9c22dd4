import { initialText, inputKind, parseAll, parseGlobs, parseParam } from '../params';

describe('notebook parameter inputs', () => {
  it('gives numbers, checkboxes, text and JSON inputs by type', () => {
    expect(inputKind('int')).toBe('number');
    expect(inputKind('float')).toBe('number');
    expect(inputKind('bool')).toBe('checkbox');
    expect(inputKind('str')).toBe('text');
    expect(inputKind('list')).toBe('json');
    expect(inputKind('dict')).toBe('json');
  });

  it('pre-fills inputs from the notebook defaults', () => {
    expect(initialText({ name: 'lr', type: 'float', value: 0.1, source: 'lr = 0.1' })).toBe('0.1');
    expect(initialText({ name: 'on', type: 'bool', value: true, source: '' })).toBe('true');
    expect(initialText({ name: 's', type: 'str', value: 'hi', source: '' })).toBe('hi');
    expect(initialText({ name: 'l', type: 'list', value: [1, 2], source: '' })).toBe('[1,2]');
  });

  it('parses valid values into JSON', () => {
    expect(parseParam('int', ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(parseParam('float', '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseParam('bool', 'false')).toEqual({ ok: true, value: false });
    expect(parseParam('str', ' keep spaces ')).toEqual({ ok: true, value: ' keep spaces ' });
    expect(parseParam('list', '[1, "a"]')).toEqual({ ok: true, value: [1, 'a'] });
    expect(parseParam('dict', '{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('flags values that do not fit the type', () => {
    expect(parseParam('int', '1.5').ok).toBe(false);
    expect(parseParam('int', '').ok).toBe(false);
    expect(parseParam('int', '99999999999999999999').ok).toBe(false);
    expect(parseParam('float', 'abc').ok).toBe(false);
    expect(parseParam('float', '').ok).toBe(false);
    expect(parseParam('list', '{"a": 1}').ok).toBe(false);
    expect(parseParam('dict', '[1]').ok).toBe(false);
    expect(parseParam('dict', '{oops').ok).toBe(false);
  });

  it('collects values and errors by name, keeping unevaluated expressions when left empty', () => {
    const params = [
      { name: 'epochs', type: 'int' as const, value: 3, source: 'epochs = 3' },
      { name: 'layers', type: 'list' as const, value: [1], source: 'layers = [1]' },
      { name: 'when', type: 'expr' as const, value: 'now()', source: 'now()' }
    ];
    expect(parseAll(params, { epochs: '5', layers: '[2, 3]', when: '' })).toEqual({
      values: { epochs: 5, layers: [2, 3] },
      errors: {}
    });
    expect(parseAll(params, { epochs: 'five' }).errors).toEqual({ epochs: 'Enter a whole number' });
  });

  it('reads globs one per line, skipping blanks and comments', () => {
    expect(parseGlobs('data/*.csv\n\n  # note\n src/**/*.py  ')).toEqual([
      'data/*.csv',
      'src/**/*.py'
    ]);
  });
});
