import { readFileSync } from 'node:fs';
import { AppError } from '../core/errors';

/** How Conveyor reaches and authenticates to the image registry (team mode may name any registry). */
export interface RegistrySettings {
  /** host:port, as image references name it. */
  address: string;
  scheme: 'http' | 'https';
  username?: string;
  /** Never logged, never put in an error, a label or an API answer. */
  password?: string;
  /** PEM bundle trusted for an https registry (besides the system's). */
  ca?: string;
}

type Env = Record<string, string | undefined>;

function invalid(message: string): AppError {
  return new AppError(500, 'invalid_config', message);
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http is the default for. */
export function isLoopback(address: string): boolean {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(address);
  const host = bracketed ? bracketed[1] : address.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function readSecretFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw invalid(`${name} names a file that cannot be read (${path}): ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * Reads CONVEYOR_REGISTRY, CONVEYOR_REGISTRY_SCHEME (http|https; default http only for loopback
 * hosts), CONVEYOR_REGISTRY_USERNAME with CONVEYOR_REGISTRY_PASSWORD or
 * CONVEYOR_REGISTRY_PASSWORD_FILE, and CONVEYOR_REGISTRY_CA_FILE. A mistake is one `invalid_config`
 * error naming the variable, never the secret.
 */
export function loadRegistrySettings(env: Env, registry: string): RegistrySettings {
  let address = registry.trim();
  let scheme: string | undefined;
  const prefixed = /^(https?):\/\/(.+?)\/?$/.exec(address);
  if (prefixed) [, scheme, address] = prefixed;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(address)) {
    throw invalid(`CONVEYOR_REGISTRY must be host[:port], got "${registry}"`);
  }
  const rawScheme = env.CONVEYOR_REGISTRY_SCHEME || scheme || (isLoopback(address) ? 'http' : 'https');
  if (rawScheme !== 'http' && rawScheme !== 'https') {
    throw invalid(`CONVEYOR_REGISTRY_SCHEME must be "http" or "https", got "${rawScheme}"`);
  }
  const username = env.CONVEYOR_REGISTRY_USERNAME || undefined;
  const inline = env.CONVEYOR_REGISTRY_PASSWORD || undefined;
  const file = env.CONVEYOR_REGISTRY_PASSWORD_FILE || undefined;
  if (inline && file) {
    throw invalid('Set CONVEYOR_REGISTRY_PASSWORD or CONVEYOR_REGISTRY_PASSWORD_FILE, not both');
  }
  const password = file ? readSecretFile('CONVEYOR_REGISTRY_PASSWORD_FILE', file) : inline;
  if (username && !password) {
    throw invalid('CONVEYOR_REGISTRY_USERNAME is set but neither CONVEYOR_REGISTRY_PASSWORD nor CONVEYOR_REGISTRY_PASSWORD_FILE');
  }
  if (!username && password) {
    throw invalid('A registry password is set but CONVEYOR_REGISTRY_USERNAME is not');
  }
  if (username?.includes(':')) {
    throw invalid('CONVEYOR_REGISTRY_USERNAME cannot contain ":"');
  }
  let ca: string | undefined;
  if (env.CONVEYOR_REGISTRY_CA_FILE) {
    if (rawScheme !== 'https') throw invalid('CONVEYOR_REGISTRY_CA_FILE needs CONVEYOR_REGISTRY_SCHEME=https');
    ca = readSecretFile('CONVEYOR_REGISTRY_CA_FILE', env.CONVEYOR_REGISTRY_CA_FILE);
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw invalid(`CONVEYOR_REGISTRY_CA_FILE (${env.CONVEYOR_REGISTRY_CA_FILE}) holds no PEM certificate`);
    }
  }
  return { address, scheme: rawScheme, username, password, ca };
}

export interface EngineAuth {
  username?: string;
  password?: string;
  serveraddress: string;
}

/** The engine's X-Registry-Auth for pushes and pulls (dockerode `authconfig`). */
export function engineAuth(s: RegistrySettings): EngineAuth {
  return s.username ? { username: s.username, password: s.password, serveraddress: s.address } : { serveraddress: s.address };
}
