import { createHash, randomBytes } from 'node:crypto';
import type { ServerEvent, Workspace, WorkspaceCreate } from '../../../schema/generated/api';
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ProfileService } from '../resources/profiles';
import type { ResourcesService } from '../resources/service';
import { ImageNotFound, type Runtime } from '../runtime/runtime';
import { shareAccess } from '../shares/access';
import type { ShareScope } from '../shares/targets';
import type { Database } from '../store/database';
import type { Store } from '../store/store';
import type { User } from '../store/users';
import type { WorkspaceConfig } from './config';
import { PORT, WorkspaceEngine, type Live } from './engine';
import { WorkspaceMeter } from './metering';
import { URI_VAR, type WorkspaceTracking } from './tracking';
import { checkWorkspaceCapacity } from './capacity';
import { linkHolders, sharedWith, type Note, type Reachable } from './shared';
import type { WorkspaceTables } from './tables';

export type Row = WorkspaceTables['workspaces'];

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** How a caller reaches a workspace: its owner, or a share link's scope (docs/sharing.md). */
export type WorkspaceAccess = 'owner' | ShareScope;

/**
 * Who may reach a workspace, and how: 'owner', else the scope of a redeemed, live share link
 * ('collaborate' | 'view'), else null. Nothing is cached: revocation and expiry apply on the next request.
 */
export async function access(db: Kysely<Database>, user: User, row: Row, now?: Date): Promise<WorkspaceAccess | null> {
  if (row.owner === user.name) return 'owner';
  return shareAccess(db, user.name, 'workspace', { id: row.id }, now);
}

export interface ServiceDeps {
  store: Store;
  runtime: Runtime;
  profiles: ProfileService;
  logger: Logger;
  config: WorkspaceConfig;
  engine: WorkspaceEngine;
  clock?: () => Date;
  /** Quotas, budgets and metering (workspaces/metering.ts); without it workspaces are not counted. */
  resources?: ResourcesService;
  /** Quota was released: queued steps may start (the scheduler's kick). */
  released?: () => void;
  /** Pushes `workspace` events (status changes) to the owner's websocket clients. */
  events?: { publish(user: string, event: ServerEvent): void };
  /** MLflow tracking from the kernels, as the owner (workspaces/tracking.ts); without it no MLflow variables. */
  tracking?: WorkspaceTracking;
}

/** Workspaces' lifecycle: rows in the store, one container each, reattached after a restart. */
export class WorkspaceService {
  /** Live containers by workspace id (address and inner token), rebuilt from Docker after a restart. */
  private readonly live = new Map<string, Live>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly meter: WorkspaceMeter | undefined;

  constructor(private readonly deps: ServiceDeps) {
    const { resources } = deps;
    if (resources) {
      this.meter = new WorkspaceMeter({ resources, profiles: deps.profiles, logger: deps.logger, released: deps.released }, async (id, reason) =>
        this.stop(await this.reload(id), null, { reason: 'budget', message: reason })
      );
    }
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  private get db() {
    return this.deps.store.db;
  }

  async list(user: User): Promise<Row[]> {
    return this.db.selectFrom('workspaces').selectAll().where('owner', '=', user.name).orderBy('created_at', 'desc').execute();
  }

  /** The caller's workspaces and those shared with them through a live link they redeemed, newest first. */
  async listReachable(user: User): Promise<Reachable[]> {
    const own = (await this.list(user)).map(row => ({ row, access: 'owner' as const }));
    const shared = await sharedWith(this.db, user.name, this.now());
    return [...own, ...shared].sort((a, b) => b.row.created_at.localeCompare(a.row.created_at));
  }

  /** The workspace if `user` owns it (management: start, stop, delete, share); 404 otherwise, also for link holders. */
  async get(user: User, id: string): Promise<Row> {
    const { row, access: how } = await this.getReachable(user, id);
    if (how !== 'owner') throw AppError.notFound(`No workspace ${id}`);
    return row;
  }

  /** The workspace and how `user` reaches it (owner or a share link's scope: the proxy); 404 when not at all. */
  async getReachable(user: User, id: string): Promise<{ row: Row; access: WorkspaceAccess }> {
    const row = /^[0-9a-f]{12}$/.test(id)
      ? await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    const how = row ? await access(this.db, user, row, this.now()) : null;
    if (!row || !how) throw AppError.notFound(`No workspace ${id}`);
    return { row, access: how };
  }

  async create(user: User, input: WorkspaceCreate): Promise<Row> {
    const profile = this.deps.profiles.get(input.profile);
    if (!profile) throw new AppError(400, 'unknown_profile', `No resource profile named ${input.profile}`);
    if (profile.gpus > 0) throw new AppError(400, 'unsupported_profile', 'Workspaces with GPUs are not supported yet');
    try {
      await this.deps.runtime.imageDigest(input.image);
    } catch (err) {
      if (err instanceof ImageNotFound) throw new AppError(400, 'unknown_image', `Image ${input.image} is not on the container engine`);
      throw err;
    }
    const taken = await this.db.selectFrom('workspaces').select('id').where('owner', '=', user.name).where('name', '=', input.name).executeTakeFirst();
    if (taken) throw new AppError(409, 'workspace_exists', `You already have a workspace named ${input.name}`);
    await this.meter?.check({ owner: user.name, name: input.name, profile: profile.name });
    await this.checkCapacity(input.name, profile.name);
    const id = randomBytes(6).toString('hex');
    const row: Row = {
      id,
      owner: user.name,
      name: input.name,
      image: input.image,
      image_digest: null,
      profile: profile.name,
      status: 'stopped',
      container_id: null,
      volume: `conveyor-home-${user.name.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
      network: `conveyor-ws-${id}`,
      token_hash: null,
      idle_seconds: input.idleSeconds ?? this.deps.config.idleSeconds,
      run_seconds: 0,
      created_at: this.now().toISOString(),
      started_at: null,
      stopped_at: null,
      last_activity_at: null,
      error: null
    };
    await this.db.insertInto('workspaces').values(row).execute();
    try {
      await this.start(row);
    } catch (err) {
      // Refused by a quota or budget taken in the meantime: no half-made workspace stays behind.
      if (err instanceof AppError && err.status < 500) await this.db.deleteFrom('workspaces').where('id', '=', id).execute();
      throw err;
    }
    return this.reload(id);
  }

  async reload(id: string): Promise<Row> {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** 422 exceeds_capacity when the profile is larger than the machine (workspaces/capacity.ts). */
  private async checkCapacity(name: string, profileName: string): Promise<void> {
    const p = this.deps.profiles.get(profileName);
    const demand = { cpus: p?.cpus ?? 1, memoryBytes: p?.memoryBytes ?? 2 * 1024 ** 3, gpus: p?.gpus ?? 0 };
    await checkWorkspaceCapacity(this.deps.runtime, name, profileName, demand);
  }

  /**
   * Updates a row; a status change is pushed as a `workspace` event to the owner and to the users
   * holding a redeemed, live share link to it (their "Shared with me" list updates too).
   */
  private async update(id: string, values: Partial<Row>, note: Note = {}): Promise<void> {
    await this.db.updateTable('workspaces').set(values).where('id', '=', id).execute();
    if (values.status === undefined || !this.deps.events) return;
    const row = await this.db.selectFrom('workspaces').select(['owner', 'name']).where('id', '=', id).executeTakeFirst();
    if (!row) return;
    const error = values.status === 'failed' ? values.error : null;
    const event: ServerEvent = { type: 'workspace', id, name: row.name, status: values.status, ...note, ...(error ? { error } : {}) };
    this.deps.events.publish(row.owner, event);
    for (const user of await linkHolders(this.db, id, this.now())) if (user !== row.owner) this.deps.events.publish(user, event);
  }

  /** Starts a stopped workspace (no-op when it is starting or running); JupyterLab answers later. */
  async start(row: Row): Promise<void> {
    const fresh = await this.reload(row.id);
    if (fresh.status === 'running' || fresh.status === 'starting') return;
    const token = randomBytes(24).toString('hex');
    const startedAt = this.now().toISOString();
    // Budgets, quotas and the machine's size first (403/422/409): a refused start changes nothing.
    await this.checkCapacity(fresh.name, fresh.profile);
    await this.meter?.acquire({ ...fresh, started_at: startedAt }, new Date(startedAt));
    await this.update(row.id, { status: 'starting', started_at: startedAt, stopped_at: null, error: null, token_hash: sha256(token), last_activity_at: startedAt });
    const profile = this.deps.profiles.get(fresh.profile);
    try {
      const { engine } = this.deps;
      await engine.ensureVolume(fresh.volume, fresh.owner);
      await engine.ensureNetwork(fresh.network, fresh.id, fresh.owner, this.deps.config.outbound);
      // A listener on the network's gateway and a new token for this start (never fails the start).
      const env = (await this.deps.tracking?.open(fresh.id, fresh.owner, () => engine.gateway(fresh.network))) ?? {};
      // The host's own services are closed to the workspace but for that listener (before the container exists).
      await engine.guard(fresh.network, env[URI_VAR] ? Number(new URL(env[URI_VAR]).port) : null);
      const digest = await this.deps.runtime.imageDigest(fresh.image);
      const containerId = await engine.run({
        id: fresh.id,
        owner: fresh.owner,
        image: digest.id,
        volume: fresh.volume,
        network: fresh.network,
        token,
        cpus: profile?.cpus ?? 1,
        memoryBytes: profile?.memoryBytes ?? 2 * 1024 ** 3,
        env
      });
      await this.update(row.id, { container_id: containerId, image_digest: digest.id });
      const live = await engine.inspect(containerId, fresh.network);
      if (live) this.live.set(row.id, live);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn({ workspace: row.id, err: message }, 'workspace start failed');
      await this.deps.tracking?.close(row.id);
      await this.meter?.release({ ...fresh, started_at: startedAt }, this.now());
      await this.update(row.id, { status: 'failed', error: message, stopped_at: this.now().toISOString() });
      throw new AppError(500, 'workspace_start_failed', `The workspace could not start: ${message}`);
    }
    this.track(row.id, this.waitReady(row.id));
  }

  private track(id: string, p: Promise<void>): void {
    const done = p
      .catch(err => this.deps.logger.warn({ workspace: id, err: String(err) }, 'workspace readiness failed'))
      .finally(() => this.pending.delete(id));
    this.pending.set(id, done);
  }

  /** Polls the inner JupyterLab until it answers, then marks the workspace running. */
  private async waitReady(id: string): Promise<void> {
    const deadline = Date.now() + this.deps.config.startTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
      const live = this.live.get(id);
      const row = await this.reload(id);
      if (row.status !== 'starting' || !live) return;
      try {
        const res = await fetch(`http://${live.ip}:${PORT}${WorkspaceEngine.baseUrl(id)}api/status`, {
          headers: { authorization: `token ${live.token}` },
          signal: AbortSignal.timeout(2000)
        });
        if (res.ok) {
          await this.update(id, { status: 'running' });
          this.deps.logger.info({ workspace: id }, 'workspace running');
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    await this.stop(await this.reload(id), 'JupyterLab did not answer in time');
  }

  /** Stops and removes the container (the home volume stays); adds the running time to the cost. */
  async stop(row: Row, error: string | null = null, note: Note = {}): Promise<void> {
    const fresh = await this.reload(row.id);
    if (fresh.status === 'stopped' && !fresh.container_id) return;
    await this.update(row.id, { status: 'stopping' }, note);
    // The tracking token is revoked with its listener, before the container goes.
    await this.deps.tracking?.close(row.id);
    if (fresh.container_id) await this.deps.engine.remove(fresh.container_id);
    // The network goes too: each one takes an address pool of the engine (about 30 by default).
    await this.deps.engine.removeNetwork(fresh.network);
    this.live.delete(row.id);
    const now = this.now();
    // Quota back and the lifetime metered (once per start) before the row says stopped: a crash in between meters nothing twice.
    if (fresh.status !== 'stopped' && fresh.status !== 'failed') await this.meter?.release(fresh, now);
    const ran = fresh.started_at ? Math.max(0, (now.getTime() - Date.parse(fresh.started_at)) / 1000) : 0;
    await this.update(
      row.id,
      {
        status: error ? 'failed' : 'stopped',
      container_id: null,
      token_hash: null,
      stopped_at: now.toISOString(),
        run_seconds: fresh.run_seconds + (fresh.status === 'stopped' ? 0 : ran),
        error: error ?? note.message ?? null
      },
      note
    );
  }

  async restart(row: Row): Promise<void> {
    await this.stop(row);
    await this.start(row);
  }

  async remove(row: Row, volume: boolean): Promise<void> {
    await this.stop(row);
    await this.deps.engine.removeNetwork(row.network);
    await this.db.deleteFrom('workspaces').where('id', '=', row.id).execute();
    if (volume) {
      const others = await this.db.selectFrom('workspaces').select('id').where('volume', '=', row.volume).executeTakeFirst();
      if (!others) await this.deps.engine.removeVolume(row.volume);
    }
  }

  /** Where the proxy sends a running workspace's requests (null when it is not running). */
  async target(row: Row): Promise<Live | null> {
    if (row.status !== 'running' || !row.container_id) return null;
    let live = this.live.get(row.id);
    if (!live) {
      live = (await this.deps.engine.inspect(row.container_id, row.network)) ?? undefined;
      if (live) this.live.set(row.id, live);
    }
    return live?.running && live.token && sha256(live.token) === row.token_hash ? live : null;
  }

  /** The proxy could not reach a running workspace: forget the cached address; a gone container settles the row as stopped. */
  async unreachable(row: Row): Promise<void> {
    this.live.delete(row.id);
    if (!row.container_id) return;
    const live = await this.deps.engine.inspect(row.container_id, row.network);
    if (!live?.running) await this.stop(row);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.update(id, { last_activity_at: at.toISOString() });
  }

  /** Running rows, for the culler. */
  async running(): Promise<Row[]> {
    return this.db.selectFrom('workspaces').selectAll().where('status', '=', 'running').execute();
  }

  /** After a restart (or kill -9): reattach running containers by label, settle rows whose container is gone. */
  async recover(): Promise<void> {
    const containers = await this.deps.engine.listContainers();
    const rows = await this.db.selectFrom('workspaces').selectAll().where('status', 'in', ['starting', 'running', 'stopping']).execute();
    for (const row of rows) {
      const c = containers.find(x => x.workspace === row.id && x.id === row.container_id);
      if (c?.running && row.status !== 'stopping') {
        const live = await this.deps.engine.inspect(c.id, row.network);
        if (live) this.live.set(row.id, live);
        // The tracking listener again, for the token the container's env carries (none kept here).
        await this.deps.tracking?.reopen(row.id, row.owner, live?.tracking);
        this.meter?.reattach(row);
        if (row.status === 'starting') this.track(row.id, this.waitReady(row.id));
        this.deps.logger.info({ workspace: row.id }, 'workspace reattached');
      } else {
        await this.stop(row);
      }
    }
    // Containers whose row is gone (deleted while the server was down).
    for (const c of containers) {
      if (!(await this.db.selectFrom('workspaces').select('id').where('id', '=', c.workspace).executeTakeFirst())) {
        await this.deps.engine.remove(c.id);
      }
    }
  }

  /** Waits for starts in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  /** The API form of a row, as `access` (default: the owner) sees it. */
  view(row: Row, how: WorkspaceAccess = 'owner'): Workspace {
    const now = this.now().getTime();
    const current = row.started_at && !['stopped', 'failed'].includes(row.status) ? (now - Date.parse(row.started_at)) / 1000 : 0;
    const price = this.deps.profiles.priceOf({ profile: row.profile }, false);
    return {
      id: row.id,
      owner: row.owner,
      access: how,
      name: row.name,
      image: row.image,
      profile: row.profile,
      status: row.status,
      url: `${WorkspaceEngine.baseUrl(row.id)}lab`,
      idleSeconds: row.idle_seconds,
      createdAt: row.created_at,
      startedAt: row.started_at,
      stoppedAt: row.stopped_at,
      lastActivityAt: row.last_activity_at,
      ageSeconds: Math.max(0, Math.round((now - Date.parse(row.created_at)) / 1000)),
      cost: Math.round(((row.run_seconds + Math.max(0, current)) / 3600) * price * 1e6) / 1e6,
      error: row.error
    };
  }
}
