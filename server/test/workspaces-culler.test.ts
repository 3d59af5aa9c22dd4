import { isIdle } from '../src/workspaces/culler';

/** The idle rule: activity, busy kernels and open terminals all keep a workspace alive. */
const now = new Date('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

test('no activity for the idle time, no kernel busy, no terminal: idle', () => {
  expect(isIdle({ lastActivity: ago(61), kernels: [{ execution_state: 'idle' }], terminals: 0 }, now, 60)).toBe(true);
  expect(isIdle({ lastActivity: ago(60), kernels: [], terminals: 0 }, now, 60)).toBe(true);
});

test('recent activity (UI, API, kernel output) is not idle', () => {
  expect(isIdle({ lastActivity: ago(59), kernels: [], terminals: 0 }, now, 60)).toBe(false);
});

test('a busy kernel is activity even when nothing else happened for hours (the JupyterHub culler pitfall)', () => {
  expect(isIdle({ lastActivity: ago(36000), kernels: [{ execution_state: 'idle' }, { execution_state: 'busy' }], terminals: 0 }, now, 60)).toBe(false);
  expect(isIdle({ lastActivity: ago(36000), kernels: [{ execution_state: 'starting' }], terminals: 0 }, now, 60)).toBe(false);
});

test('an open terminal keeps the workspace running', () => {
  expect(isIdle({ lastActivity: ago(36000), kernels: [], terminals: 1 }, now, 60)).toBe(false);
});
