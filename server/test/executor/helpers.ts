import Docker from 'dockerode';
import { ArtifactStore } from '../../src/artifacts/store';
import { silentLogger } from '../../src/core/logger';
import { StepExecutor, type StepJob } from '../../src/executor/executor';
import { LogStore } from '../../src/logs/store';
import { DockerRuntime } from '../../src/runtime/docker';
import type { Runtime } from '../../src/runtime/runtime';
import { TEST_IMAGE } from '../helpers/env';

export const docker = new Docker();

export function makeExecutor(dataDir: string, runtime: Runtime = new DockerRuntime(docker)) {
  const artifacts = new ArtifactStore({ dataDir });
  const logs = new LogStore({ dataDir });
  const executor = new StepExecutor({ runtime, artifacts, logs, logger: silentLogger(), stopGraceSeconds: 1 });
  return { executor, artifacts, logs, runtime };
}

let counter = 0;

export function job(overrides: Partial<StepJob> = {}): StepJob {
  counter += 1;
  return {
    runId: `run-${process.pid}-${counter}`,
    step: 'train',
    attempt: 1,
    owner: 'alice',
    image: TEST_IMAGE,
    params: {},
    files: [],
    inputs: [],
    outputs: [],
    env: {},
    resources: {},
    network: false,
    ...overrides
  };
}

/** A notebook (nbformat 4) from code cell sources; cells listed in `tagged` get those tags. */
export function notebook(sources: string[], tagged: Record<number, string[]> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      cells: sources.map((source, i) => ({
        cell_type: 'code',
        id: `c${i}`,
        metadata: tagged[i] ? { tags: tagged[i] } : {},
        source,
        outputs: [],
        execution_count: null
      })),
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5
    })
  );
}

export async function containerGone(id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return false;
  } catch (err) {
    return (err as { statusCode?: number }).statusCode === 404;
  }
}

export function python(code: string): string[] {
  return ['python3', '-c', code];
}
