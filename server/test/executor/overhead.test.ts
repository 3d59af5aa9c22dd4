import { tempDir } from '../helpers/env';
import { job, makeExecutor, notebook } from './helpers';

const dir = tempDir('overhead');
afterAll(() => dir.cleanup());

/**
 * Not a timing assertion (speed is measured, not asserted): prints where a trivial step's wall
 * time goes, so a regression shows up in the test log. Overhead = run() wall time minus the
 * notebook execution papermill itself reports (metadata.papermill.duration, kernel start included).
 */
test('a trivial notebook step succeeds; its per-phase overhead is reported', async () => {
  const { executor, artifacts } = makeExecutor(dir.path);
  const rows: string[] = [];
  const overheads: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const outcome = await executor.run(job({ notebook: { name: 'nb.ipynb', content: notebook(['x = 1']) } }), new AbortController().signal);
    const wall = performance.now() - t0;
    expect(outcome.status).toBe('succeeded');
    const executed = JSON.parse((await artifacts.read(outcome.executedNotebook!)).toString());
    const papermill = executed.metadata.papermill.duration * 1000;
    if (i > 0) {
      overheads.push(wall - papermill);
    }
    rows.push(`wall ${Math.round(wall)} ms, papermill ${Math.round(papermill)} ms, overhead ${Math.round(wall - papermill)} ms, phases ${JSON.stringify(outcome.timings)}`);
  }
  const t1 = performance.now();
  const command = await executor.run(job({ command: ['true'] }), new AbortController().signal);
  rows.push(`command step 'true': wall ${Math.round(performance.now() - t1)} ms, phases ${JSON.stringify(command.timings)}`);
  const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
  process.stderr.write(`step overhead (warm, mean of ${overheads.length}): ${Math.round(mean)} ms\n${rows.join('\n')}\n`);
  expect(command.status).toBe('succeeded');
});
