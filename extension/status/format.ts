import type { TranslationBundle } from '@jupyterlab/translation';

import type { ServerStatus } from '../../schema/generated/api';

const GiB = 1024 ** 3;

/**
 * Bytes as GiB with one decimal, e.g. `15.6 GiB`.
 */
export function formatGiB(bytes: number, trans: TranslationBundle): string {
  return trans.__('%1 GiB', (bytes / GiB).toFixed(1));
}

export function formatDocker(
  docker: ServerStatus['docker'],
  trans: TranslationBundle
): string {
  if (docker.state !== 'running') {
    return docker.error
      ? trans.__('unavailable: %1', docker.error)
      : trans.__('unavailable');
  }
  return docker.version
    ? trans.__('running v%1', docker.version)
    : trans.__('running');
}

export function formatDockerDetails(
  docker: ServerStatus['docker'],
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  if (docker.apiVersion) {
    parts.push(trans.__('API %1', docker.apiVersion));
  }
  if (docker.os) {
    parts.push(docker.os);
  }
  if (docker.containersRunning !== undefined) {
    parts.push(
      trans._n('%1 container running', '%1 containers running', docker.containersRunning)
    );
  }
  if (docker.images !== undefined) {
    parts.push(trans._n('%1 image', '%1 images', docker.images));
  }
  return parts.join(' · ');
}

export function formatGpus(
  gpus: ServerStatus['capacity']['gpus'],
  trans: TranslationBundle
): string {
  if (gpus.length === 0) {
    return trans.__('none');
  }
  const names = gpus.map(gpu =>
    gpu.memoryBytes ? `${gpu.name} (${formatGiB(gpu.memoryBytes, trans)})` : gpu.name
  );
  return `${gpus.length} · ${names.join(', ')}`;
}

export function formatStoreKind(
  kind: ServerStatus['store']['kind'],
  trans: TranslationBundle
): string {
  return kind === 'postgres' ? trans.__('PostgreSQL') : trans.__('SQLite');
}

export function formatMode(
  mode: ServerStatus['server']['mode'],
  trans: TranslationBundle
): string {
  return mode === 'team' ? trans.__('team') : trans.__('embedded');
}
