import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChallenge } from '../../src/registry/auth';
import { engineAuth, isLoopback, loadRegistrySettings } from '../../src/registry/settings';

const dir = mkdtempSync(join(tmpdir(), 'conveyor-regset-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

/** The one-line invalid_config error a start-up would print, and that it never holds the secret. */
function configError(env: Record<string, string>, registry = 'registry.example.com'): string {
  try {
    loadRegistrySettings(env, registry);
  } catch (err) {
    expect((err as { code: string }).code).toBe('invalid_config');
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain('hunter2');
    return message;
  }
  throw new Error('expected an invalid_config error');
}

describe('registry settings', () => {
  test('http is the default only for loopback hosts, https otherwise; the scheme may be forced', () => {
    expect(isLoopback('127.0.0.1:5000')).toBe(true);
    expect(isLoopback('localhost:5000')).toBe(true);
    expect(isLoopback('[::1]:5000')).toBe(true);
    expect(isLoopback('10.0.0.1:5000')).toBe(false);
    expect(loadRegistrySettings({}, '127.0.0.1:5000').scheme).toBe('http');
    expect(loadRegistrySettings({}, 'registry.example.com').scheme).toBe('https');
    expect(loadRegistrySettings({ CONVEYOR_REGISTRY_SCHEME: 'http' }, 'reg.internal:5000').scheme).toBe('http');
    expect(loadRegistrySettings({}, 'https://127.0.0.1:5443')).toEqual(expect.objectContaining({ address: '127.0.0.1:5443', scheme: 'https' }));
  });

  test('the password comes from the variable or from a file; the engine gets it as authconfig', () => {
    const inline = loadRegistrySettings({ CONVEYOR_REGISTRY_USERNAME: 'ci', CONVEYOR_REGISTRY_PASSWORD: 'hunter2' }, 'reg.example.com');
    expect(engineAuth(inline)).toEqual({ username: 'ci', password: 'hunter2', serveraddress: 'reg.example.com' });
    const fromFile = loadRegistrySettings({ CONVEYOR_REGISTRY_USERNAME: 'ci', CONVEYOR_REGISTRY_PASSWORD_FILE: file('pw', 'hunter2\n') }, 'reg.example.com');
    expect(fromFile.password).toBe('hunter2');
    expect(engineAuth(loadRegistrySettings({}, '127.0.0.1:5000'))).toEqual({ serveraddress: '127.0.0.1:5000' });
  });

  test('mistakes are one clear line naming the variable, never the secret', () => {
    expect(configError({ CONVEYOR_REGISTRY_SCHEME: 'ftp' })).toBe('CONVEYOR_REGISTRY_SCHEME must be "http" or "https", got "ftp"');
    expect(configError({ CONVEYOR_REGISTRY_USERNAME: 'ci' })).toMatch(/neither CONVEYOR_REGISTRY_PASSWORD nor CONVEYOR_REGISTRY_PASSWORD_FILE/);
    expect(configError({ CONVEYOR_REGISTRY_PASSWORD: 'hunter2' })).toMatch(/CONVEYOR_REGISTRY_USERNAME is not/);
    expect(configError({ CONVEYOR_REGISTRY_USERNAME: 'ci', CONVEYOR_REGISTRY_PASSWORD: 'hunter2', CONVEYOR_REGISTRY_PASSWORD_FILE: file('p2', 'x') })).toMatch(/not both/);
    expect(configError({ CONVEYOR_REGISTRY_USERNAME: 'ci', CONVEYOR_REGISTRY_PASSWORD_FILE: join(dir, 'absent') })).toMatch(/cannot be read .*ENOENT/);
    expect(configError({ CONVEYOR_REGISTRY_CA_FILE: file('ca', 'hunter2') })).toMatch(/holds no PEM certificate/);
    expect(configError({ CONVEYOR_REGISTRY_SCHEME: 'http', CONVEYOR_REGISTRY_CA_FILE: file('ca2', 'x') })).toMatch(/needs CONVEYOR_REGISTRY_SCHEME=https/);
    expect(configError({}, 'not a host/path')).toMatch(/CONVEYOR_REGISTRY must be host\[:port\]/);
  });
});

describe('WWW-Authenticate challenges', () => {
  test('Bearer with realm, service and scope; Basic; garbage', () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:users/a/x:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:users/a/x:pull,push' }
    });
    expect(parseChallenge('Basic realm="conveyor-test"')).toEqual({ scheme: 'basic', params: { realm: 'conveyor-test' } });
    expect(parseChallenge(null)).toBeNull();
    expect(parseChallenge('')).toBeNull();
  });
});
