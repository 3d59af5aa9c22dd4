import { basename, extname, posix } from 'node:path';
import type { Params, Pipeline, PipelineStep, RunSubmit } from '../../../schema/generated/api';
import type { ArtifactStore } from '../artifacts/store';
import { AppError } from '../core/errors';
import { expandGlobs, readInWorkspace, resolveInWorkspace, workspaceRoot } from '../core/workspace';
import { notebookHash } from '../executor/hash';
import type { StepAssets } from '../components/expand';
import { DATASET_SCHEME, invalidPipeline, loadPipeline, normalizePipeline } from '../pipelines/load';
import type { ComponentExpander } from '../pipelines/service';
import { upstreamOf } from '../pipelines/dag';
import { expandSweep } from '../pipelines/sweep';
import type { ProfileService } from '../resources/profiles';
import { ImageNotFound, type Runtime } from '../runtime/runtime';
import { gitCommitOf } from './gitSource';
import { newRunId } from './ids';
import type { RunState, StepSpec, StepState } from './model';
import { checkParams } from './params';
import { checkCapacity, resolveResources, type Capacity } from './resources';

export const DEFAULT_MAX_PARALLEL = 4;

/** A run ready to insert: the run row and its steps (none for a sweep parent). */
export interface PreparedRun {
  run: RunState;
  steps: StepState[];
}

export interface SubmitDeps {
  runtime: Runtime;
  artifacts: ArtifactStore;
  profiles: ProfileService;
  workspaceDir: string;
  defaultImage: string;
  /** Quotas and budgets (resources/service.ts): refuses work that exceeds a quota or a used-up budget. */
  admission?: { checkSubmit(owner: string, project: string, steps: { name: string; resources: StepSpec['resources'] }[]): Promise<void> };
  /** datasets/runs/: resolves `dataset://` inputs to versions the owner may mount (fills spec.datasets). */
  datasets?: { resolve(owner: string, steps: StepState[]): Promise<void> };
  /** Elyra `.pipeline` import (pipelines/elyra.ts), when available. */
  importElyra?: (doc: unknown, opts: { defaultImage: string }) => Pipeline;
  /** Expands `component:` steps (components module), when available. */
  components?: ComponentExpander;
}

interface Source {
  pipeline: Pipeline;
  baseDir: string;
  sourcePath: string | null;
  /** Files (and notebooks) of component steps, by step name. */
  assets?: Map<string, StepAssets>;
}

const GLOB_CHARS = /[*?[\]{}!]/;

/** A step name from a notebook file name: `Train Model.ipynb` → `train-model`. */
export function stepNameFromFile(path: string): string {
  const name = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/, '');
  return name || 'notebook';
}

/** Turns a RunSubmit into normalized pipelines with every input resolved and snapshotted. */
export class RunSubmitter {
  constructor(private readonly deps: SubmitDeps) {}

  /**
   * The runs to create: one run, or a sweep parent followed by its children.
   * `opts.noSweep` prepares one run with the submitted params even if the pipeline has a sweep
   * (resume of a sweep child).
   */
  async prepare(owner: string, body: RunSubmit, opts: { noSweep?: boolean; now?: Date } = {}): Promise<PreparedRun[]> {
    const given = [body.pipeline, body.pipelinePath, body.notebook].filter(x => x !== undefined).length;
    if (given !== 1) {
      throw AppError.invalid('Give exactly one of pipeline, pipelinePath or notebook', {
        errors: [{ path: '/', message: 'must have exactly one of pipeline, pipelinePath, notebook' }]
      });
    }
    checkParams(body.params, 'params');
    checkParams(body.notebook?.params, 'notebook.params');
    const source = await this.expandComponents(owner, this.source(body));
    const pipeline = source.pipeline;
    const capacity = await this.capacity();
    // A notebook run's parameters are the run's: shown with the run, kept by resume and rerun.
    const base: Params = { ...(pipeline.params ?? {}), ...(body.notebook?.params ?? {}), ...(body.params ?? {}) };
    const specs = await this.resolveSteps(source, capacity);
    const now = opts.now ?? new Date();
    const common = {
      owner,
      name: body.name ?? pipeline.name,
      experiment: body.experiment ?? pipeline.experiment ?? pipeline.name,
      pipeline,
      resumedFrom: null,
      cache: body.cache !== false,
      sourcePath: source.sourcePath,
      gitCommit: source.sourcePath ? await gitCommitOf(workspaceRoot(this.deps.workspaceDir), source.sourcePath) : null,
      error: null,
      createdAt: now.toISOString(),
      startedAt: null,
      finishedAt: null
    };
    await this.deps.admission?.checkSubmit(
      owner,
      body.project ?? common.experiment,
      [...specs].map(([name, spec]) => ({ name, resources: spec.resources }))
    );
    const sweep = opts.noSweep ? undefined : (body.sweep ?? pipeline.sweep);
    if (!sweep) {
      const id = newRunId(now.getTime());
      const run: RunState = { ...common, id, status: 'queued', params: base, sweep: null, submit: { ...body }, parentId: null };
      const steps = this.steps(id, pipeline, specs, base);
      await this.resolveDatasets(owner, steps);
      return [{ run, steps }];
    }
    const sets = expandSweep(sweep, base);
    const parentId = newRunId(now.getTime());
    const parent: RunState = {
      ...common,
      id: parentId,
      status: 'queued',
      params: base,
      sweep: { maxParallel: sweep.maxParallel ?? DEFAULT_MAX_PARALLEL },
      submit: { ...body },
      parentId: null
    };
    const out: PreparedRun[] = [{ run: parent, steps: [] }];
    sets.forEach((set, i) => {
      checkParams(set, `sweep[${i}]`);
      const id = newRunId(now.getTime() + 1 + i);
      const child: RunState = {
        ...common,
        id,
        name: `${common.name} #${i + 1}`,
        status: 'queued',
        params: set,
        sweep: null,
        submit: { ...body, sweep: undefined, params: set },
        parentId
      };
      out.push({ run: child, steps: this.steps(id, pipeline, specs, set) });
    });
    for (const p of out) await this.resolveDatasets(owner, p.steps);
    return out;
  }

  /** Quotas and budgets for work copied from an earlier run (rerun): 422 exceeds_quota, 403 budget_exceeded. */
  async admit(owner: string, run: RunState, steps: StepState[]): Promise<void> {
    const project = typeof run.submit.project === 'string' ? run.submit.project : run.experiment;
    await this.deps.admission?.checkSubmit(owner, project, steps.map(s => ({ name: s.name, resources: s.spec.resources })));
  }

  /** `dataset://` inputs (datasets/runs/); without that module they answer 400. */
  private async resolveDatasets(owner: string, steps: StepState[]): Promise<void> {
    const uses = steps.some(st => Object.values(st.spec.inputs).some(v => v.startsWith(DATASET_SCHEME)));
    if (!uses) return;
    if (!this.deps.datasets) throw new AppError(400, 'datasets_unavailable', 'This server cannot resolve dataset:// inputs');
    await this.deps.datasets.resolve(owner, steps);
  }

  private steps(runId: string, pipeline: Pipeline, specs: Map<string, StepSpec>, params: Params): StepState[] {
    return pipeline.steps.map((step, position) => {
      const spec = specs.get(step.name)!;
      return {
        runId,
        name: step.name,
        position,
        status: 'pending',
        attempt: 0,
        dependsOn: upstreamOf(pipeline, step.name),
        spec: { ...spec, params: { ...spec.params, ...params } },
        containerId: null,
        exitCode: null,
        oomKilled: false,
        error: null,
        cacheKey: null,
        cachedFrom: null,
        imageDigest: spec.imageDigest,
        notebookHash: spec.notebook?.sourceHash ?? null,
        executedNotebook: null,
        outputs: [],
        queuedAt: null,
        startedAt: null,
        finishedAt: null
      };
    });
  }

  private source(body: RunSubmit): Source {
    const root = workspaceRoot(this.deps.workspaceDir);
    if (body.pipeline !== undefined) {
      const baseDir = body.baseDir ?? '';
      if (baseDir) resolveInWorkspace(root, baseDir);
      return { pipeline: normalizePipeline(body.pipeline), baseDir, sourcePath: null };
    }
    if (body.pipelinePath !== undefined) {
      const abs = resolveInWorkspace(root, body.pipelinePath);
      const text = readOr404(root, body.pipelinePath, () =>
        new AppError(404, 'file_not_found', `No pipeline file ${body.pipelinePath} in the workspace`, { path: body.pipelinePath })
      ).toString('utf8');
      const baseDir = posix.dirname(body.pipelinePath.split('\\').join('/'));
      let pipeline: Pipeline;
      if (extname(abs) === '.pipeline') {
        if (!this.deps.importElyra) {
          throw AppError.invalid('Elyra .pipeline files cannot be imported by this server');
        }
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          throw new AppError(400, 'invalid_pipeline', `${body.pipelinePath} is not valid JSON`);
        }
        pipeline = this.deps.importElyra(doc, { defaultImage: this.deps.defaultImage });
      } else {
        pipeline = loadPipeline(text, abs);
      }
      return { pipeline, baseDir: baseDir === '.' ? '' : baseDir, sourcePath: body.pipelinePath };
    }
    const nb = body.notebook!;
    const name = stepNameFromFile(nb.path);
    const dir = posix.dirname(nb.path.split('\\').join('/'));
    const step: Record<string, unknown> = {
      name,
      notebook: posix.basename(nb.path),
      image: nb.image,
      resources: nb.resources,
      params: nb.params,
      files: nb.files,
      outputs: nb.outputs,
      network: nb.network,
      timeoutSeconds: nb.timeoutSeconds,
      retry: nb.retry
    };
    for (const k of Object.keys(step)) if (step[k] === undefined) delete step[k];
    resolveInWorkspace(root, nb.path);
    const pipeline = normalizePipeline({ apiVersion: 'conveyor/v1', kind: 'Pipeline', name, steps: [step] });
    return { pipeline, baseDir: dir === '.' ? '' : dir, sourcePath: nb.path };
  }

  /** `component:` steps → notebook or command steps with the component's files (400 invalid_pipeline with per-step paths). */
  private async expandComponents(owner: string, source: Source): Promise<Source> {
    if (!source.pipeline.steps.some(s => s.component !== undefined)) return source;
    if (!this.deps.components) throw invalidPipeline([{ path: '/steps', message: 'component steps are not available on this server' }]);
    const x = await this.deps.components.expand(owner, source.pipeline);
    if (x.errors.length > 0) throw invalidPipeline(x.errors.map(({ path, message }) => ({ path, message })));
    return { ...source, pipeline: normalizePipeline(x.pipeline), assets: x.assets };
  }

  private async capacity(): Promise<Capacity> {
    const info = await this.deps.runtime.info();
    if (info.state !== 'running') {
      throw new AppError(503, 'engine_unavailable', `The container engine is not available: ${info.error}`);
    }
    return { cpus: info.capacity.cpus, memoryBytes: info.capacity.memoryBytes, gpus: info.capacity.gpus.map(g => g.id) };
  }

  private async resolveSteps(source: Source, capacity: Capacity): Promise<Map<string, StepSpec>> {
    const { pipeline, baseDir } = source;
    const digests = new Map<string, string>();
    const out = new Map<string, StepSpec>();
    for (const step of pipeline.steps) {
      const image = step.image ?? pipeline.defaults?.image ?? this.deps.defaultImage;
      if (!digests.has(image)) digests.set(image, await this.imageDigest(image, step.name));
      const resources = resolveResources(this.deps.profiles, pipeline.defaults?.resources, step.resources, step.name);
      checkCapacity(step.name, resources, capacity);
      const retry = step.retry ?? pipeline.defaults?.retry ?? {};
      const spec: StepSpec = {
        image,
        imageDigest: digests.get(image)!,
        command: step.command,
        params: { ...(step.params ?? {}) },
        files: [...(await this.files(step, baseDir)), ...(await this.assetFiles(source.assets?.get(step.name)))],
        inputs: Object.fromEntries(Object.entries(step.inputs ?? {}).map(([k, v]) => [k, v!])),
        outputs: step.outputs ?? [],
        env: Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v!])),
        resources,
        network: step.network ?? false,
        timeoutSeconds: step.timeoutSeconds ?? pipeline.defaults?.timeoutSeconds,
        retry: { attempts: retry.attempts ?? 1, backoffSeconds: retry.backoffSeconds ?? 2, onExitCodes: retry.onExitCodes },
        cache: step.cache !== false
      };
      const assetNotebook = source.assets?.get(step.name)?.notebook;
      if (step.notebook && assetNotebook) {
        const { hash } = await this.deps.artifacts.put(assetNotebook.content);
        spec.notebook = { name: assetNotebook.name, path: assetNotebook.name, hash, sourceHash: notebookHash(assetNotebook.content) };
      } else if (step.notebook) {
        const rel = posix.join(baseDir, step.notebook);
        const content = readOr404(workspaceRoot(this.deps.workspaceDir), rel, () =>
          new AppError(404, 'notebook_not_found', `Step "${step.name}": no notebook ${rel} in the workspace`, { step: step.name, path: rel })
        );
        const { hash } = await this.deps.artifacts.put(content);
        spec.notebook = { name: posix.basename(rel), path: rel, hash, sourceHash: notebookHash(content) };
      }
      out.set(step.name, spec);
    }
    return out;
  }

  private async imageDigest(image: string, step: string): Promise<string> {
    try {
      return (await this.deps.runtime.imageDigest(image)).id;
    } catch (err) {
      if (err instanceof ImageNotFound) {
        throw new AppError(400, 'unknown_image', `Step "${step}" uses the image "${image}", which is not on the container engine`, {
          step,
          image
        });
      }
      throw err;
    }
  }

  private async assetFiles(assets: StepAssets | undefined): Promise<StepSpec['files']> {
    const out: StepSpec['files'] = [];
    for (const f of assets?.files ?? []) out.push({ path: f.path, hash: (await this.deps.artifacts.put(f.content)).hash });
    return out;
  }

  private async files(step: PipelineStep, baseDir: string): Promise<StepSpec['files']> {
    const globs = step.files ?? [];
    if (globs.length === 0) return [];
    const found = expandGlobs(workspaceRoot(this.deps.workspaceDir), baseDir, globs);
    for (const g of globs) {
      if (!GLOB_CHARS.test(g) && !found.includes(posix.normalize(g))) {
        throw new AppError(404, 'file_not_found', `Step "${step.name}": no file ${posix.join(baseDir, g)} in the workspace`, {
          step: step.name,
          path: posix.join(baseDir, g)
        });
      }
    }
    const out: StepSpec['files'] = [];
    for (const rel of found) {
      const { hash } = await this.deps.artifacts.put(readInWorkspace(workspaceRoot(this.deps.workspaceDir), posix.join(baseDir, rel)));
      out.push({ path: rel, hash });
    }
    return out;
  }
}

/** A workspace file's bytes (readInWorkspace); a missing file or a folder is the caller's 404. */
function readOr404(root: string, rel: string, missing: () => AppError): Buffer {
  try {
    return readInWorkspace(root, rel);
  } catch (err) {
    const gone = err instanceof AppError ? err.code === 'not_a_file' : ['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '');
    if (gone) throw missing();
    throw err;
  }
}
