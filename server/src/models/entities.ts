import type { ModelRow, VersionRow } from './queries';

/** Registry rows in the JSON shape of MLflow's `RegisteredModel` and `ModelVersion` protos. */

export interface Tag {
  key: string;
  value: string;
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: string;
  status_message: string;
  tags: Tag[];
  run_link: string;
  aliases: string[];
  model_id?: string;
}

export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  description: string;
  latest_versions: MlflowModelVersion[];
  tags: Tag[];
  aliases: { alias: string; version: string }[];
}

export function versionJson(model: ModelRow, v: VersionRow, tags: Tag[], aliases: string[]): MlflowModelVersion {
  return {
    name: model.name,
    version: String(v.version),
    creation_timestamp: v.creation_timestamp,
    last_updated_timestamp: v.last_updated_timestamp,
    user_id: v.user_id,
    current_stage: v.current_stage,
    description: v.description,
    source: v.source,
    run_id: v.run_id,
    status: v.status,
    status_message: v.status_message,
    tags,
    run_link: v.run_link,
    aliases,
    ...(v.logged_model_id ? { model_id: v.logged_model_id } : {})
  };
}

/** The newest live version in each stage (MLflow's `latest_versions`). */
export function latestPerStage<T extends { version: number; current_stage: string }>(versions: T[], stages?: string[]): T[] {
  const best = new Map<string, T>();
  for (const v of versions) {
    if (stages && stages.length && !stages.includes(v.current_stage)) continue;
    const seen = best.get(v.current_stage);
    if (!seen || v.version > seen.version) best.set(v.current_stage, v);
  }
  return [...best.values()].sort((a, b) => a.version - b.version);
}

export function modelJson(
  model: ModelRow,
  latest: MlflowModelVersion[],
  tags: Tag[],
  aliases: { alias: string; version: number }[]
): MlflowRegisteredModel {
  return {
    name: model.name,
    creation_timestamp: model.creation_timestamp,
    last_updated_timestamp: model.last_updated_timestamp,
    user_id: model.owner,
    description: model.description,
    latest_versions: latest,
    tags,
    aliases: aliases.map(a => ({ alias: a.alias, version: String(a.version) }))
  };
}
