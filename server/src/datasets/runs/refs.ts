import { AppError } from '../../core/errors';
import { DATASET_SCHEME } from '../../pipelines/load';

/** A parsed `dataset://[<owner>/]<name>@<version id|tag>` step input. */
export interface DatasetRef {
  /** The owner named in the reference; undefined means the submitter's own dataset. */
  owner?: string;
  name: string;
  /** A 12-hex version id or a tag. */
  ref: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isDatasetInput(value: string): boolean {
  return value.startsWith(DATASET_SCHEME);
}

/** Parses a step input; 400 invalid_dataset_ref names the step and input on any malformed part. */
export function parseDatasetRef(value: string, at: { step: string; input: string }): DatasetRef {
  const rest = value.slice(DATASET_SCHEME.length);
  const at_ = rest.lastIndexOf('@');
  const path = at_ > 0 ? rest.slice(0, at_) : '';
  const ref = at_ > 0 ? rest.slice(at_ + 1) : '';
  const parts = path.split('/');
  const bad = (why: string) =>
    new AppError(400, 'invalid_dataset_ref', `Step "${at.step}", input "${at.input}": ${JSON.stringify(value)} ${why}`, {
      ...at,
      ref: value,
      expected: 'dataset://[<owner>/]<name>@<version id|tag>'
    });
  if (!path || !ref) throw bad('must name a dataset and a version or tag (dataset://<name>@<version|tag>)');
  if (parts.length > 2) throw bad('has too many path segments');
  const [owner, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (owner !== undefined && !PART.test(owner)) throw bad('names an invalid owner');
  if (!NAME.test(name)) throw bad('names an invalid dataset');
  if (!REF.test(ref)) throw bad('names an invalid version or tag');
  return { owner, name, ref };
}
