import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { z } from 'zod';
import { contractRoute, defineRoute, sendProblem, toProblem } from '../../core/index.js';
import { buildServe } from '../../cli/commands/serve.js';
import { accessFor, hasRule, indexRouteRoles } from '../../security/route-roles.js';
import { operationId, openApiPath } from './openapi-document.js';
import { registeredRoutes, type RegisteredRoute } from './route-catalogue.js';

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown> } };

/** Registered routes (method + OpenAPI path) that the document does not describe. */
function undocumented(routes: readonly RegisteredRoute[], doc: Doc): string[] {
  return routes
    .filter((r) => doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()] === undefined)
    .map((r) => `${r.method} ${r.url}`);
}

/**
 * The contract of the whole service, built exactly as `apprentice serve` composes it: every
 * route module declares its contract, `/openapi.json` is valid OpenAPI 3.1, and every example
 * passes its schema (the zod schema and the JSON Schema generated from it).
 */
describe('/openapi.json (the service as `serve` builds it)', () => {
  let dir: string;
  let app: FastifyInstance;
  let stop: () => Promise<void>;
  let doc: Doc;
  let routes: readonly RegisteredRoute[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-openapi-'));
    process.env.APPRENTICE_LOG_LEVEL = 'silent';
    const built = await buildServe({ dataDir: dir, controller: false, projector: false } as never, { controller: false });
    app = built.app;
    stop = async () => {
      await built.app.close();
      await built.platform.stop();
      await built.a.close();
    };
    delete process.env.APPRENTICE_LOG_LEVEL;
    await app.ready();
    routes = registeredRoutes(app);
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json() as Doc;
  });
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const v = new Validator();
    const r = await v.validate(structuredClone(doc) as never);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('every registered route declares a contract and appears in the document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect(routes.filter((r) => r.contract === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(undocumented(routes, doc)).toEqual([]);
    const published = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(published.sort()).toEqual(routes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort());
  });

  it('a route registered without a contract is reported missing', async () => {
    const extra: RegisteredRoute = { method: 'POST', url: '/api/v1/not-described', contract: undefined };
    expect(undocumented([...routes, extra], doc)).toEqual(['POST /api/v1/not-described']);
  });

  it('every route has a row in the route → role table, and the contract states the same role', () => {
    const index = indexRouteRoles();
    for (const r of routes) {
      const c = r.contract!;
      expect(hasRule(index, r.method, r.url), `${r.method} ${r.url} missing from ROUTE_ROLES`).toBe(true);
      if (c.roleByParam) {
        for (const [value, role] of Object.entries(c.roleByParam.roles))
          expect(accessFor(index, r.method, r.url, { [c.roleByParam.param]: value }), `${r.method} ${r.url} ${value}`).toBe(role);
      } else expect(accessFor(index, r.method, r.url, {}), `${r.method} ${r.url}`).toBe(c.role);
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      expect(op.security).toEqual(c.role === 'open' ? [] : [{ bearer: [] }]);
    }
  });

  it('every route with a body has a body example; every problem code has a documented status and example', () => {
    for (const r of routes) {
      const c = r.contract!;
      if (c.body) expect(c.examples?.body, `${r.method} ${r.url}`).toBeDefined();
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      const responses = op.responses as Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
      for (const code of op['x-apprentice-problems'] as string[]) {
        const found = Object.values(responses).some((x) => x.content?.['application/problem+json']?.examples?.[code] !== undefined);
        expect(found, `${r.method} ${r.url} ${code}`).toBe(true);
      }
      expect(op.operationId).toBe(operationId(c));
    }
  });

  it('every example validates against its zod schema and the JSON Schema published for it', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    // The document's `#/components/schemas/X` references, as `$defs` of each schema compiled.
    const toDefs = (s: unknown): unknown => JSON.parse(JSON.stringify(s).replace(/"#\/components\/schemas\/([^"]+)"/g, '"#/$defs/$1"'));
    const defs = toDefs(doc.components.schemas);
    const refs = (s: unknown): unknown => ({ ...(toDefs(s) as object), $defs: defs });
    let checked = 0;
    const check = (where: string, zod: z.ZodType | undefined, json: unknown, example: unknown): void => {
      if (example === undefined || zod === undefined) return;
      const r = zod.safeParse(example);
      expect(r.success, `${where}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
      if (json !== undefined) {
        const validate = ajv.compile(refs(json) as object);
        expect(validate(example), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
      checked++;
    };
    for (const r of routes) {
      const c = r.contract!;
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      const where = `${r.method} ${r.url}`;
      const body = op.requestBody as { content: Record<string, { schema: unknown; example?: unknown }> } | undefined;
      check(`${where} body`, c.body, body?.content['application/json']?.schema, c.examples?.body);
      check(`${where} params`, c.params, undefined, c.examples?.params);
      check(`${where} query`, c.query, undefined, c.examples?.query);
      for (const [status, resp] of Object.entries(c.responses)) {
        const content = (op.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>)[status]?.content;
        check(`${where} ${status}`, resp.schema, content?.[resp.contentType ?? 'application/json']?.schema, resp.example);
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('an example that breaks its schema is caught', () => {
    const c = routes.find((r) => r.url === '/api/v1/flags/:key/percentage')!.contract!;
    expect(c.body!.safeParse({ percentage: 101 }).success).toBe(false);
  });

  it('serves /docs and its assets from this server (nothing from a CDN)', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\//);
    for (const src of [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const asset = await app.inject({ method: 'GET', url: src });
      expect(asset.statusCode, src).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/docs/package.json' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/docs/..%2Fpackage.json' })).statusCode).toBe(400);
  });
});

describe('contractRoute', () => {
  const contract = defineRoute({
    method: 'GET',
    path: '/t/:n',
    role: 'open',
    summary: 't',
    tags: ['t'],
    params: z.object({ n: z.coerce.number().int() }),
    query: z.strictObject({ limit: z.coerce.number().default(7) }),
    responses: { 200: { description: 'ok' } },
  });

  it('validates params and query with the contract and hands the parsed values to the handler', async () => {
    const app = Fastify();
    app.setErrorHandler((err, _req, reply) => sendProblem(reply, toProblem(err)));
    app.route(contractRoute(contract, async (req) => ({ params: req.params, query: req.query })));
    expect((await app.inject({ url: '/t/5' })).json()).toEqual({ params: { n: 5 }, query: { limit: 7 } });
    const bad = await app.inject({ url: '/t/x?other=1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'n' }] });
    await app.close();
  });
});
