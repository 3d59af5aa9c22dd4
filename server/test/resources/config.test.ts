import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadResourceConfig, resourceConfig } from '../../src/resources/config';
import { BUILTIN_PROFILES } from '../../src/resources/profiles';
import { tempDir } from '../helpers/env';
import { json, secretHeaders, SECRET } from '../helpers/server';
import { startResourcesServer } from './helpers';

const root = join(__dirname, '..', '..');
const bundle = join(root, 'dist', 'conveyor-server.js');

function configError(raw: unknown): string {
  try {
    resourceConfig(raw);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('admin config', () => {
  test('no config ships the small/medium/large/gpu profiles and 50/80/100% alerts', () => {
    const c = loadResourceConfig(undefined);
    expect(c.profiles.map(p => p.name)).toEqual(['small', 'medium', 'large', 'gpu']);
    expect(c.profiles).toEqual(BUILTIN_PROFILES);
    expect(c.thresholds).toEqual([0.5, 0.8, 1.0]);
    expect(c.stopRunningAtBudget).toBe(false);
  });

  test('reads a YAML config: profiles with GPUs and disk, teams, quotas, budgets', () => {
    const dir = tempDir('cfg');
    const path = join(dir.path, 'conveyor.yaml');
    writeFileSync(
      path,
      [
        'profiles:',
        '  - { name: tiny, cpus: 0.5, memory: 256Mi, pricePerHour: 0.01, preemptiblePricePerHour: 0.003, disk: 5Gi }',
        '  - { name: a100, cpus: 8, memory: 64Gi, gpus: { count: 2, type: a100 }, pricePerHour: 6 }',
        'teams: { ml: [alice, bob] }',
        'quotas: { users: { alice: { cpus: 1 } }, teams: { ml: { cpus: 4, gpus: 1 } } }',
        'budgets: { users: { alice: 10 }, projects: { churn: 100 } }',
        'alerts: { thresholds: [0.9, 0.5] }',
        'stopRunningAtBudget: true'
      ].join('\n')
    );
    const c = loadResourceConfig(path);
    dir.cleanup();
    expect(c.profiles).toEqual([
      { name: 'tiny', description: '0.5 CPUs, 256Mi', cpus: 0.5, memory: '256Mi', memoryBytes: 256 * 1024 ** 2, gpus: 0, pricePerHour: 0.01, preemptiblePricePerHour: 0.003, disk: '5Gi' },
      { name: 'a100', description: '8 CPUs, 64Gi, 2 GPU', cpus: 8, memory: '64Gi', memoryBytes: 64 * 1024 ** 3, gpus: 2, gpuType: 'a100', pricePerHour: 6 }
    ]);
    expect(c.teams).toEqual({ ml: ['alice', 'bob'] });
    expect(c.quotas.users.alice).toEqual({ cpus: 1 });
    expect(c.budgets.projects.churn).toBe(100);
    expect(c.thresholds).toEqual([0.5, 0.9]);
    expect(c.stopRunningAtBudget).toBe(true);
  });

  test('a bad config names the field in one line', () => {
    expect(configError({ profiles: [{ name: 'x', cpus: -1, memory: '1Gi', pricePerHour: 1 }] })).toBe(
      'CONVEYOR_CONFIG: /profiles/0/cpus must be > 0'
    );
    expect(configError({ quotas: { users: { alice: { cpu: 1 } } } })).toBe('CONVEYOR_CONFIG: /quotas/users/alice/cpu is not allowed');
    expect(configError({ profiles: [{ name: 'x', cpus: 1, memory: 'lots', pricePerHour: 1 }] })).toMatch(/^CONVEYOR_CONFIG: \/profiles\/0\/memory must match pattern/);
    expect(configError({ budgets: { teams: { ghosts: 5 } } })).toBe('CONVEYOR_CONFIG: /budgets/teams/ghosts names a team that /teams does not define');
    const twice = { name: 'x', cpus: 1, memory: '1Gi', pricePerHour: 1 };
    expect(configError({ profiles: [twice, twice] })).toBe('CONVEYOR_CONFIG: /profiles/1/name "x" is defined twice');
    expect(configError({ alerts: { thresholds: [1.5] } })).toBe('CONVEYOR_CONFIG: /alerts/thresholds/0 must be <= 1');
  });

  test('GET /profiles serves the configured profiles', async () => {
    const t = await startResourcesServer({
      profiles: [{ name: 'tiny', cpus: 0.5, memory: '256Mi', pricePerHour: 0.01 }]
    });
    try {
      const res = await fetch(`${t.url}/profiles`, { headers: secretHeaders() });
      expect(res.status).toBe(200);
      expect((await json(res)).map((p: { name: string }) => p.name)).toEqual(['tiny']);
    } finally {
      await t.close();
    }
  });

  test('the server refuses to start on a bad config file with a one-line error naming the field', () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root });
    const dir = tempDir('cfg');
    const path = join(dir.path, 'bad.json');
    writeFileSync(path, JSON.stringify({ quotas: { users: { alice: { cpus: 'two' } } } }));
    const r = spawnSync(process.execPath, [bundle, 'serve'], {
      env: { ...process.env, CONVEYOR_SECRET: SECRET, CONVEYOR_DATA_DIR: dir.path, CONVEYOR_PORT: '0', CONVEYOR_CONFIG: path },
      encoding: 'utf8',
      timeout: 30_000
    });
    dir.cleanup();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`conveyor-server: invalid_config: CONVEYOR_CONFIG ${path}: /quotas/users/alice/cpus must be number`);
    expect(r.stdout).not.toContain('listening');
  });
});
