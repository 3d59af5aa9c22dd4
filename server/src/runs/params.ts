import { AppError } from '../core/errors';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function invalid(message: string, path: string): AppError {
  return new AppError(400, 'invalid_params', message, { path });
}

function checkValue(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} is not a finite number`, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkValue(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkValue(v, `${path}.${k}`);
    return;
  }
  throw invalid(`${path} must be a JSON scalar, list or dict`, path);
}

/** Params must be an object of valid Python identifiers to JSON scalars, lists and dicts (400 invalid_params). */
export function checkParams(params: unknown, where: string): void {
  if (params === undefined) return;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalid(`${where} must be an object of name → value`, where);
  }
  for (const [name, value] of Object.entries(params)) {
    if (!NAME.test(name)) {
      throw invalid(`${where}: "${name}" is not a valid parameter name (a Python identifier of at most 64 characters)`, `${where}.${name}`);
    }
    checkValue(value, `${where}.${name}`);
  }
}
