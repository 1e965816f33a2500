import { z } from 'zod';
import { problem, problemStatus, type RouteContract } from '../../core/index.js';
import { ProblemSchema } from './problem-schema.js';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

/** `/a/:x/b` → `/a/{x}/b` (OpenAPI path templating). */
export const openApiPath = (fastifyPath: string): string => fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The operationId: method + path words, e.g. `post_api_v1_rollouts_agent_action`. */
export const operationId = (c: Pick<RouteContract, 'method' | 'path'>): string =>
  `${c.method.toLowerCase()}${c.path.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '') || '_root'}`;

/** Whether a request schema accepts no value (an optional body). */
const acceptsUndefined = (s: z.ZodType): boolean => s.safeParse(undefined).success;

/**
 * Converts zod schemas to JSON Schema 2020-12 (OpenAPI 3.1's dialect) and hoists each
 * schema's `$defs` (recursive types such as `z.json()`) into `components.schemas`, deduplicated
 * by content, so every `$ref` resolves from the document root.
 */
class SchemaSink {
  readonly components: Record<string, Json> = {};
  private readonly byContent = new Map<string, string>();

  convert(schema: z.ZodType, io: Io): Json {
    const raw = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    delete raw.$schema;
    const defs = (raw.$defs ?? {}) as Record<string, Json>;
    delete raw.$defs;
    const rename = new Map<string, string>();
    for (const [local, def] of Object.entries(defs)) {
      const key = JSON.stringify(def);
      let name = this.byContent.get(key);
      if (name === undefined) {
        name = `Schema${this.byContent.size + 1}`;
        this.byContent.set(key, name);
      }
      rename.set(local, name);
    }
    const rewrite = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(rewrite);
      if (v === null || typeof v !== 'object') return v;
      const out: Json = {};
      for (const [k, x] of Object.entries(v)) {
        const m = k === '$ref' && typeof x === 'string' ? /^#\/\$defs\/(.+)$/.exec(x) : null;
        out[k] = m ? `#/components/schemas/${rename.get(m[1]!) ?? m[1]!}` : rewrite(x);
      }
      return out;
    };
    for (const [local, def] of Object.entries(defs)) this.components[rename.get(local)!] = rewrite(def) as Json;
    return rewrite(raw) as Json;
  }
}

/** The problem codes a route may answer: its own plus the ones its shape implies. */
export function problemCodesOf(c: RouteContract): string[] {
  const codes = new Set<string>();
  if (c.params || c.query || c.body) codes.add('VALIDATION_FAILED');
  if (c.body) ['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'].forEach((x) => codes.add(x));
  if (c.role !== 'open') ['UNAUTHORIZED', 'FORBIDDEN'].forEach((x) => codes.add(x));
  for (const p of c.problems ?? []) codes.add(p);
  codes.add('INTERNAL');
  return [...codes];
}

const PROBLEM_DETAIL: Readonly<Record<string, string>> = {
  VALIDATION_FAILED: 'invalid body',
  INVALID_JSON: 'request body is not valid JSON',
  PAYLOAD_TOO_LARGE: 'request body is larger than the limit',
  UNSUPPORTED_MEDIA_TYPE: 'send application/json',
  UNAUTHORIZED: 'this endpoint needs an API token: send Authorization: Bearer <token>',
  FORBIDDEN: 'the API token does not have the role this endpoint needs',
  NOT_FOUND: 'not found',
  CONFLICT: 'the action does not apply in the current state',
  INTERNAL: 'internal error',
};

function parametersOf(c: RouteContract, sink: SchemaSink): Json[] {
  const out: Json[] = [];
  const pathNames = [...c.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const paramSchema = c.params ? sink.convert(c.params, 'input') : undefined;
  const paramProps = (paramSchema?.properties ?? {}) as Record<string, Json>;
  for (const name of pathNames) {
    const example = c.examples?.params?.[name];
    out.push({ name, in: 'path', required: true, schema: paramProps[name] ?? { type: 'string' }, ...(example === undefined ? {} : { example }) });
  }
  if (c.query) {
    const q = sink.convert(c.query, 'input');
    const required = new Set((q.required ?? []) as string[]);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, Json>)) {
      const example = c.examples?.query?.[name];
      out.push({ name, in: 'query', required: required.has(name), schema, ...(example === undefined ? {} : { example }) });
    }
  }
  return out;
}

function problemResponses(c: RouteContract): Record<string, Json> {
  const byStatus = new Map<number, string[]>();
  for (const code of problemCodesOf(c)) {
    const status = problemStatus(code) ?? 500;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort((x, y) => x[0] - y[0])) {
    out[String(status)] = {
      description: `problem: ${codes.join(', ')}`,
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: Object.fromEntries(
            codes.map((code) => [
              code,
              {
                value: problem(
                  status,
                  code,
                  PROBLEM_DETAIL[code] ?? code.toLowerCase().replace(/_/g, ' '),
                  code === 'VALIDATION_FAILED' ? [{ path: 'field', message: 'the rule it broke' }] : undefined,
                ),
              },
            ]),
          ),
        },
      },
    };
  }
  return out;
}

function operationOf(c: RouteContract, sink: SchemaSink): Json {
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(c.responses)) {
    const media = r.contentType ?? 'application/json';
    responses[status] = {
      description: r.description,
      ...(r.schema || r.example !== undefined
        ? { content: { [media]: { ...(r.schema ? { schema: sink.convert(r.schema, 'output') } : {}), ...(r.example === undefined ? {} : { example: r.example }) } } }
        : {}),
    };
  }
  Object.assign(responses, problemResponses(c));
  const params = parametersOf(c, sink);
  return {
    operationId: operationId(c),
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    tags: [...c.tags],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(c.body
      ? {
          requestBody: {
            required: !acceptsUndefined(c.body),
            content: {
              'application/json': {
                schema: sink.convert(c.body, 'input'),
                ...(c.examples?.body === undefined ? {} : { example: c.examples.body }),
              },
            },
          },
        }
      : {}),
    responses,
    security: c.role === 'open' ? [] : [{ bearer: [] }],
    'x-apprentice-role': c.role,
    ...(c.roleByParam ? { 'x-apprentice-role-by-param': c.roleByParam } : {}),
    'x-apprentice-problems': problemCodesOf(c),
  };
}

/**
 * The OpenAPI 3.1 document of the registered routes, generated from their contracts (the zod
 * schemas the server validates with). Routes are sorted by path and method.
 */
export function buildOpenApiDocument(contracts: readonly RouteContract[], info: OpenApiInfo): Json {
  const sink = new SchemaSink();
  const paths: Record<string, Record<string, Json>> = {};
  const sorted = [...contracts].sort((x, y) => x.path.localeCompare(y.path) || x.method.localeCompare(y.method));
  for (const c of sorted) {
    const p = openApiPath(c.path);
    (paths[p] ??= {})[c.method.toLowerCase()] = operationOf(c, sink);
  }
  const tags = [...new Set(sorted.flatMap((c) => c.tags))].sort().map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags,
    paths,
    components: {
      schemas: { Problem: sink.convert(ProblemSchema, 'output'), ...sink.components },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An apprentice API token (`apprentice tokens create`); roles viewer < operator < admin.' },
      },
    },
  };
}
