import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogStore } from '../../src/logs/store';
import { tempDir } from '../helpers/env';

const dir = tempDir('logs');
afterAll(() => dir.cleanup());

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i} ✓`);

describe('LogStore', () => {
  test('appends to <dataDir>/logs/<run>/<step>.<attempt>.log and reads any window by line number', () => {
    const store = new LogStore({ dataDir: dir.path });
    store.append('r1', 'train', 1, lines(0, 700));
    store.append('r1', 'train', 1, lines(700, 1000));
    store.append('r1', 'train', 2, ['second attempt']);
    expect(readFileSync(join(dir.path, 'logs', 'r1', 'train.1.log'), 'utf8').split('\n')).toHaveLength(1001);
    expect(store.read('r1', 'train', 1, 0, 3)).toEqual({ lines: lines(0, 3), next: 3 });
    expect(store.read('r1', 'train', 1, 511, 2)).toEqual({ lines: lines(511, 513), next: 513 });
    expect(store.read('r1', 'train', 1, 990)).toEqual({ lines: lines(990, 1000), next: 1000 });
    expect(store.read('r1', 'train', 1, 5000)).toEqual({ lines: [], next: 1000 });
    expect(store.read('r1', 'nothing', 1, 0)).toEqual({ lines: [], next: 0 });
    expect(store.read('r1', 'train', 2, 0)).toEqual({ lines: ['second attempt'], next: 1 });
    expect(store.attempts('r1', 'train')).toEqual([1, 2]);
  });

  test('a restarted store rebuilds its index from the file and ends a line cut by a crash', () => {
    const first = new LogStore({ dataDir: dir.path });
    first.append('r2', 'prep', 1, lines(0, 300));
    appendFileSync(first.path('r2', 'prep', 1), 'half a li');
    const second = new LogStore({ dataDir: dir.path });
    expect(second.count('r2', 'prep', 1)).toBe(301);
    second.append('r2', 'prep', 1, ['after restart']);
    expect(second.read('r2', 'prep', 1, 299)).toEqual({ lines: ['line 299 ✓', 'half a li', 'after restart'], next: 302 });
  });

  test('subscribers get each batch of their step with its attempt and first line number, until they unsubscribe', () => {
    const store = new LogStore({ dataDir: dir.path });
    const seen: [number, number, string[]][] = [];
    const stop = store.subscribe('r3', 'train', (attempt, from, batch) => seen.push([attempt, from, batch]));
    store.append('r3', 'train', 1, ['a', 'b']);
    store.append('r3', 'other', 1, ['not mine']);
    store.append('r3', 'train', 1, ['multi\nline']);
    stop();
    store.append('r3', 'train', 1, ['after unsubscribe']);
    expect(seen).toEqual([
      [1, 0, ['a', 'b']],
      [1, 2, ['multi line']]
    ]);
    expect(store.read('r3', 'train', 1, 0).lines).toEqual(['a', 'b', 'multi line', 'after unsubscribe']);
  });

  test('names that would leave the logs folder are refused', () => {
    const store = new LogStore({ dataDir: dir.path });
    expect(() => store.append('../x', 'train', 1, ['x'])).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => store.read('r1', 'a/b', 1, 0)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
