import { execFile } from 'node:child_process';
import type { Gpu } from './runtime';

const QUERY = ['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader,nounits'];
const TTL_MS = 5 * 60_000;

/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits`
 * (memory in MiB). Each GPU is identified by its UUID: Docker's DeviceIDs accept it, and unlike
 * an index it does not change when devices are added or hidden.
 */
export function parseNvidiaSmi(csv: string): Gpu[] {
  const gpus: Gpu[] = [];
  for (const line of csv.split('\n')) {
    const [index, uuid, name, memory] = line.split(',').map(s => s.trim());
    if (!uuid || !/^GPU-/.test(uuid)) {
      continue;
    }
    const mib = Number(memory);
    gpus.push({
      id: uuid,
      name: `${name || 'NVIDIA GPU'} (#${index})`,
      ...(Number.isFinite(mib) && mib > 0 ? { memoryBytes: mib * 1024 * 1024 } : {})
    });
  }
  return gpus;
}

export type CommandRunner = (file: string, args: string[]) => Promise<string>;

const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/**
 * The GPUs the engine can hand out. Only when an NVIDIA runtime is registered with Docker are the
 * devices listed (with `nvidia-smi` on the host); the list is cached, since the status poll asks
 * for it every few seconds. No runtime, or no `nvidia-smi`: no GPUs.
 */
export class GpuProbe {
  private cached: { at: number; gpus: Gpu[] } | null = null;

  constructor(
    private readonly run: CommandRunner = runCommand,
    private readonly ttlMs = TTL_MS
  ) {}

  async list(runtimes: Record<string, unknown> | undefined, now = Date.now()): Promise<Gpu[]> {
    if (!Object.keys(runtimes ?? {}).some(name => name.toLowerCase().includes('nvidia'))) {
      return [];
    }
    if (this.cached && now - this.cached.at < this.ttlMs) {
      return this.cached.gpus;
    }
    let gpus: Gpu[] = [];
    try {
      gpus = parseNvidiaSmi(await this.run('nvidia-smi', QUERY));
    } catch {
      gpus = [];
    }
    this.cached = { at: now, gpus };
    return gpus;
  }
}
