import { API_SCHEMAS, type JsonSchema } from './schemas';
import { API_PREFIX, SERVER_VERSION } from './version';

/** One documented route; each feature exports its own list next to its router. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Path under the API prefix, OpenAPI style: `/tokens/{id}`. */
  path: string;
  summary: string;
  /** Request body schema file, e.g. `token-create.json`. */
  request?: string;
  /** Success response: a schema file, `{ arrayOf }` a schema file, or an inline schema. */
  response?: string | { arrayOf: string } | { inline: JsonSchema };
  /** Success status code, 200 unless told. */
  status?: number;
  /** False for the few routes that need no credentials (none yet). */
  auth?: boolean;
}

function componentName(file: string): string {
  const schema = API_SCHEMAS[file];
  return schema?.title ?? file.replace(/\.json$/, '');
}

function ref(file: string): JsonSchema {
  return { $ref: `#/components/schemas/${componentName(file)}` };
}

/**
 * Rewrites references between schema files into component references: `x.json` → the component,
 * `x.json#/$defs/y` → a pointer into it, and a file's own `#/$defs/y` (given `self`) likewise.
 */
function rewriteRefs(value: unknown, self?: string): unknown {
  if (Array.isArray(value)) {
    return value.map(v => rewriteRefs(v, self));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const [file, pointer] = inner.split('#', 2);
        const target = file ? (file.endsWith('.json') ? file : undefined) : self;
        out.$ref = target ? `#/components/schemas/${componentName(target)}${pointer ?? ''}` : inner;
      } else if (key !== '$id') {
        out[key] = rewriteRefs(inner, self);
      }
    }
    return out;
  }
  return value;
}

function responseSchema(response: RouteDoc['response']): JsonSchema | undefined {
  if (response === undefined) {
    return undefined;
  }
  if (typeof response === 'string') {
    return ref(response);
  }
  if ('arrayOf' in response) {
    return { type: 'array', items: ref(response.arrayOf) };
  }
  return rewriteRefs(response.inline) as JsonSchema;
}

/** Builds the OpenAPI 3.1 document from schema/api and the route table. */
export function buildOpenApi(routes: RouteDoc[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const file of Object.keys(API_SCHEMAS)) {
    schemas[componentName(file)] = rewriteRefs(API_SCHEMAS[file], file);
  }
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: ref('error.json') } }
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = { summary: route.summary };
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map(m => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' }
    }));
    if (params.length) {
      operation.parameters = params;
    }
    if (route.request) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: ref(route.request) } }
      };
    }
    const schema = responseSchema(route.response);
    const status = String(route.status ?? 200);
    operation.responses = {
      [status]: schema
        ? { description: 'OK', content: { 'application/json': { schema } } }
        : { description: 'OK' },
      default: errorResponse
    };
    if (route.auth === false) {
      operation.security = [];
    }
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Conveyor companion API', version: SERVER_VERSION },
    servers: [{ url: API_PREFIX }],
    security: [{ conveyorSecret: [] }, { bearerToken: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        conveyorSecret: { type: 'apiKey', in: 'header', name: 'X-Conveyor-Secret' },
        bearerToken: { type: 'http', scheme: 'bearer' }
      }
    }
  };
}
