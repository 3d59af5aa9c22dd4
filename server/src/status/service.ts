import { cpus, totalmem } from 'node:os';
import type { ServerStatus } from '../../../schema/generated/api';
import type { Identity } from '../auth/identity';
import type { Mode } from '../core/config';
import { SERVER_VERSION } from '../core/version';
import type { Runtime, RuntimeInfo } from '../runtime/runtime';
import type { Store } from '../store/store';

/** Builds GET /status: server, caller, store, engine state and capacity. Never throws for the engine. */
export class StatusService {
  private readonly startedAt: string;

  constructor(
    private readonly deps: { mode: Mode; store: Store; runtime: Runtime; clock?: () => Date }
  ) {
    this.startedAt = (deps.clock ?? (() => new Date()))().toISOString();
  }

  engineInfo(): Promise<RuntimeInfo> {
    return this.deps.runtime.info();
  }

  async status(identity: Identity, info?: RuntimeInfo): Promise<ServerStatus> {
    const engine = info ?? (await this.engineInfo());
    const { store } = this.deps;
    return {
      server: {
        version: SERVER_VERSION,
        apiVersion: 'v1',
        mode: this.deps.mode,
        startedAt: this.startedAt,
        node: process.versions.node
      },
      user: { name: identity.user.name, admin: identity.user.admin },
      store: { kind: store.kind, location: store.location, schemaVersion: store.schemaVersion },
      docker:
        engine.state === 'running'
          ? {
              state: 'running',
              version: engine.version,
              apiVersion: engine.apiVersion,
              os: engine.os,
              containersRunning: engine.containersRunning,
              images: engine.images
            }
          : { state: 'unavailable', error: engine.error },
      capacity:
        engine.state === 'running'
          ? { ...engine.capacity, source: 'docker' }
          : { cpus: cpus().length, memoryBytes: totalmem(), gpus: [], source: 'host' }
    };
  }
}
