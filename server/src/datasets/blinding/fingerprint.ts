import { createHash } from 'node:crypto';
import { canonicalJson } from '../../runs/jobs';
import type { StepSpec } from '../../runs/model';

/**
 * What an admin approves when an evaluation step may mount a blinded version: the exact code
 * (the notebook's cell sources or the command), the image, the step's files, params and env.
 * Any change (one character of a cell, another image, a changed helper file) is another
 * fingerprint and needs another approval.
 */
export function stepFingerprint(spec: Pick<StepSpec, 'notebook' | 'command' | 'imageDigest' | 'files' | 'params' | 'env'>): string {
  const material = {
    notebook: spec.notebook ? spec.notebook.sourceHash : null,
    command: spec.command ?? null,
    image: spec.imageDigest,
    files: [...spec.files].sort((a, b) => (a.path < b.path ? -1 : 1)).map(f => [f.path, f.hash]),
    params: spec.params,
    env: spec.env
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}
