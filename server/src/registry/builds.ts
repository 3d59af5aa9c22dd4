import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import type { ImageBuild, ImageBuildLog, ImageBuildRequest, ServerEvent } from '../../../schema/generated/api';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { User } from '../store/users';
import { maySee, type RegistryCatalog } from './catalog';
import type { RegistryClient } from './client';
import { parseRef, parseRepository, userComponent } from './names';
import { LABEL_BUILD_ID, LABEL_DEBIAN, LABEL_PYTHON, LABEL_VERSION } from './packages';
import { followProgress, progressLine, type ImagePusher } from './push';
import type { EngineAuth } from './settings';

export interface BuildDeps {
  docker: Docker;
  client: RegistryClient;
  catalog: RegistryCatalog;
  pusher: ImagePusher;
  logger: Logger;
  publish: (user: string, event: ServerEvent) => void;
  /** Finished builds and their logs are kept in `<dataDir>/image-builds/<id>.json`. */
  dataDir?: string;
  /** The engine's credentials for the registry (dockerode `authconfig`); never logged. */
  engineAuth?: EngineAuth;
  /** CA bundle lent to pip and apt during the build (a TLS-inspecting proxy's CA); default PIP_CERT or Debian's bundle. */
  caBundle?: string;
}

interface BuildState {
  build: ImageBuild;
  lines: string[];
  sent: number;
  timer?: NodeJS.Timeout;
}

const PACKAGES_DIR = '/opt/conveyor/packages';

/** The Dockerfile of a custom build: the base pinned by digest, packages, package lists. */
export function dockerfile(baseByDigest: string, req: ImageBuildRequest): string {
  const pip = req.pip ?? [];
  const apt = req.apt ?? [];
  const steps = ['set -e'];
  if (apt.length) {
    steps.push(
      `apt-get update -qq`,
      `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${apt.join(' ')}`,
      'rm -rf /var/lib/apt/lists/* /var/cache/apt/*'
    );
  }
  if (pip.length) {
    steps.push(
      'PIP=$( [ -x /opt/conveyor/venv/bin/pip ] && echo /opt/conveyor/venv/bin/pip || echo "python3 -m pip")',
      `PIP_CERT=/tmp/conveyor-build/host-ca.crt $PIP install --no-cache-dir --disable-pip-version-check --progress-bar off ${pip.map(p => `'${p}'`).join(' ')}`
    );
  }
  steps.push(
    'rm -rf /tmp/conveyor-build /root/.cache',
    'find / -xdev -type f -perm /6000 -exec chmod a-s {} +',
    `mkdir -p ${PACKAGES_DIR}`,
    `dpkg-query -W -f '\${Package}=\${Version}\\n' > ${PACKAGES_DIR}/debian.txt`,
    `( [ -x /opt/conveyor/venv/bin/pip ] && /opt/conveyor/venv/bin/pip freeze --all || python3 -m pip freeze --all || true ) > ${PACKAGES_DIR}/python.txt`
  );
  return [
    `FROM ${baseByDigest}`,
    'USER root',
    'COPY host-ca.crt /tmp/conveyor-build/host-ca.crt',
    `RUN ${steps.join(' \\\n && ')}`,
    'USER 1000:1000',
    ''
  ].join('\n');
}

function tarOf(files: Record<string, string | Buffer>): NodeJS.ReadableStream {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name }, content);
  p.finalize();
  return p as unknown as NodeJS.ReadableStream;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        out[header.name] = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    stream.pipe(ex);
  });
  return out;
}

/**
 * Custom images: `FROM <registry base by digest>` plus pip and apt packages, built by the engine
 * with network for the build only, labelled with the package lists and pushed to
 * users/<me>/<name>:<version>-b<build id>. The build id hashes the base digest and the request,
 * so the same request is the same tag (409 tag_exists the second time). Log lines go to the owner
 * as `build` events and stay readable with `log(from)`.
 */
export class ImageBuilds {
  private readonly builds = new Map<string, BuildState>();

  constructor(private readonly deps: BuildDeps) {}

  private file(id: string): string | undefined {
    return this.deps.dataDir && /^bld-[0-9a-z-]+$/.test(id) ? join(this.deps.dataDir, 'image-builds', `${id}.json`) : undefined;
  }

  /** A build of this process, else one a previous process saved (one still building then was interrupted). */
  private state(id: string): BuildState | undefined {
    const hit = this.builds.get(id);
    if (hit) return hit;
    const file = this.file(id);
    if (!file || !existsSync(file)) return undefined;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { build: ImageBuild; lines: string[] };
    if (saved.build.status === 'building' || saved.build.status === 'pushing') {
      saved.build.status = 'failed';
      saved.build.error = 'interrupted: the server stopped during the build';
    }
    const s: BuildState = { build: saved.build, lines: saved.lines, sent: saved.lines.length };
    this.builds.set(id, s);
    return s;
  }

  private save(s: BuildState): void {
    const file = this.file(s.build.id);
    if (!file) return;
    mkdirSync(join(this.deps.dataDir!, 'image-builds'), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ build: s.build, lines: s.lines }));
    renameSync(`${file}.tmp`, file);
  }

  /** The caller's builds (admins: everyone's), newest first. */
  list(user: User): ImageBuild[] {
    const dir = this.deps.dataDir ? join(this.deps.dataDir, 'image-builds') : undefined;
    const ids = new Set([...this.builds.keys(), ...(dir && existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.json')).map(f => f.slice(0, -5)) : [])]);
    return [...ids]
      .map(id => this.state(id)!)
      .filter(s => s && (s.build.owner === user.name || user.admin))
      .map(s => ({ ...s.build, lines: s.lines.length }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(user: User, id: string): ImageBuild {
    const s = this.state(id);
    if (!s || (s.build.owner !== user.name && !user.admin)) throw new AppError(404, 'build_not_found', `No image build ${id}`, { id });
    return { ...s.build, lines: s.lines.length };
  }

  log(user: User, id: string, from: number): ImageBuildLog {
    this.get(user, id);
    const s = this.state(id)!;
    return { from, lines: s.lines.slice(from), status: s.build.status };
  }

  async start(user: User, req: ImageBuildRequest): Promise<ImageBuild> {
    const { client, pusher } = this.deps;
    const base = parseRef(req.base);
    if (base.registry && base.registry !== client.address) {
      throw AppError.invalid(`The base must be an image of the registry ${client.address}`, { base: req.base });
    }
    parseRepository(base.repository);
    if (!base.digest && (!base.tag || base.tag === 'latest')) {
      throw new AppError(400, 'invalid_tag', 'The base must name a <version>-b<build id> tag or a digest, never latest', { base: req.base });
    }
    const digest = maySee(user, base.repository) ? (base.digest ?? (await client.head(base.repository, base.tag!))) : null;
    if (!digest) throw new AppError(404, 'image_not_found', `No image ${req.base} in the registry`, { base: req.base });
    const recipe = JSON.stringify({ digest, name: req.name, version: req.version, pip: req.pip ?? [], apt: req.apt ?? [] });
    const buildId = createHash('sha256').update(recipe).digest('hex').slice(0, 12);
    const repository = `users/${userComponent(user.name)}/${req.name}`;
    const tag = `${req.version}-b${buildId}`;
    await pusher.check(user, repository, tag);
    const id = `bld-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const build: ImageBuild = {
      id,
      owner: user.name,
      status: 'building',
      base: `${client.address}/${base.repository}@${digest}`,
      repository,
      tag,
      ref: `${client.address}/${repository}:${tag}`,
      pip: req.pip ?? [],
      apt: req.apt ?? [],
      createdAt: new Date().toISOString()
    };
    const state: BuildState = { build, lines: [], sent: 0 };
    this.builds.set(id, state);
    this.save(state);
    void this.run(user, state, req);
    return { ...build };
  }

  private line(s: BuildState, text: string): void {
    for (const l of text.split('\n')) s.lines.push(l);
    s.timer ??= setTimeout(() => this.flush(s), 200);
  }

  private flush(s: BuildState): void {
    clearTimeout(s.timer);
    s.timer = undefined;
    const lines = s.lines.slice(s.sent);
    const event: ServerEvent = { type: 'build', buildId: s.build.id, status: s.build.status, from: s.sent, lines };
    if (s.build.status === 'succeeded') event.ref = s.build.ref;
    if (s.build.error) event.error = s.build.error;
    s.sent = s.lines.length;
    this.deps.publish(s.build.owner, event);
  }

  private async run(user: User, s: BuildState, req: ImageBuildRequest): Promise<void> {
    const { docker, pusher, logger } = this.deps;
    const b = s.build;
    const stage = `conveyor-build/${b.id}:stage`;
    const t0 = Date.now();
    try {
      this.line(s, `pulling ${b.base}`);
      await followProgress(docker, (await docker.pull(b.base, { authconfig: this.deps.engineAuth })) as NodeJS.ReadableStream);
      const ca = readFileSync(this.deps.caBundle ?? process.env.PIP_CERT ?? '/etc/ssl/certs/ca-certificates.crt');
      const file = dockerfile(b.base, req);
      const stream = await docker.buildImage(tarOf({ Dockerfile: file, 'host-ca.crt': ca }), { t: stage, rm: true, forcerm: true, networkmode: 'host' });
      await followProgress(docker, stream, e => {
        const l = progressLine(e);
        if (l !== undefined && l !== '') this.line(s, l);
      });
      this.line(s, 'reading the package lists');
      const c = await docker.createContainer({ Image: stage, Entrypoint: ['true'], NetworkDisabled: true });
      let files: Record<string, string>;
      try {
        files = await readTar((await c.getArchive({ path: PACKAGES_DIR })) as NodeJS.ReadableStream);
      } finally {
        await c.remove({ force: true });
      }
      const list = (name: string) => (files[`packages/${name}`] ?? '').split('\n').map(x => x.trim()).filter(Boolean).join(',');
      const q = (v: string) => JSON.stringify(v);
      const labels = [
        `io.conveyor.image=${q(req.name)}`,
        `${LABEL_VERSION}=${q(req.version)}`,
        `${LABEL_BUILD_ID}=${q(b.tag.split('-b')[1])}`,
        `${LABEL_PYTHON}=${q(list('python.txt'))}`,
        `${LABEL_DEBIAN}=${q(list('debian.txt'))}`
      ];
      const labelled = await docker.buildImage(tarOf({ Dockerfile: `FROM ${stage}\nLABEL ${labels.join(' ')}\n` }), { t: b.ref, rm: true });
      await followProgress(docker, labelled);
      await docker.getImage(stage).remove().catch(() => undefined);
      b.status = 'pushing';
      this.line(s, `pushing ${b.ref}`);
      const pushed = await pusher.push(user, b.ref, b.repository, b.tag, l => this.line(s, l));
      b.digest = pushed.digest;
      b.status = 'succeeded';
      this.line(s, `built and pushed ${b.ref} (${pushed.digest}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      logger.info({ user: b.owner, build: b.id, ref: b.ref, ms: Date.now() - t0 }, 'image built');
    } catch (err) {
      b.status = 'failed';
      b.error = (err as Error).message;
      this.line(s, `error: ${b.error}`);
      logger.warn({ user: b.owner, build: b.id, err: b.error }, 'image build failed');
      await docker.getImage(stage).remove().catch(() => undefined);
    } finally {
      b.finishedAt = new Date().toISOString();
      this.flush(s);
      try {
        this.save(s);
      } catch (err) {
        logger.warn({ build: b.id, err: (err as Error).message }, 'could not save the build record');
      }
    }
  }
}
