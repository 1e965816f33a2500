import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprentice, type Apprentice } from '../runtime/create-apprentice.js';
import { buildServer } from './app.js';

describe('HTTP API (embedded)', () => {
  let dir: string;
  let a: Apprentice;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-http-'));
    a = await createApprentice({ config: { dataDir: dir, bodyLimitBytes: 4096 } });
    app = await buildServer(a);
  });
  afterAll(async () => {
    await app.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const eventCount = async (): Promise<number> => {
    await a.writer.flush();
    await a.projector?.drainOnce();
    const r = await a.store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    return r[0]!.n;
  };

  it('GET /health', async () => {
    const r = await app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/aggregate lists every component', async () => {
    const r = await app.inject({ method: 'GET', url: '/health/aggregate' });
    expect(r.statusCode).toBe(200);
    const names = (r.json() as { components: { component: string }[] }).components.map((c) => c.component);
    expect(names).toEqual(expect.arrayContaining(['event-store:pglite', 'bus:memory', 'writer', 'projector']));
  });

  it('decides, reads its own write, records an outcome, and lists the events', async () => {
    const d = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/deployment-specialist/decide',
      payload: { unitId: 'deploy-1', context: { linesChanged: 420 }, deterministic: 'canary' },
    });
    expect(d.statusCode).toBe(200);
    const decision = d.json() as { decisionId: string; value: string; source: string; variant: string };
    expect(decision).toMatchObject({ value: 'canary', source: 'deterministic', variant: 'deterministic', reason: 'RULES' });
    const got = await app.inject({ method: 'GET', url: `/api/v1/decisions/${decision.decisionId}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ decision: { unitId: 'deploy-1', value: 'canary' } });
    const o = await app.inject({ method: 'POST', url: `/api/v1/decisions/${decision.decisionId}/outcome`, payload: { reward: 1, rating: 5 } });
    expect(o.statusCode).toBe(202);
    await eventCount();
    const ev = await app.inject({ method: 'GET', url: '/api/v1/events?type=OutcomeRecorded&limit=10' });
    const body = ev.json() as { events: { data: { decisionId: string } }[]; next: string };
    expect(body.events.map((e) => e.data.decisionId)).toContain(decision.decisionId);
    const page2 = await app.inject({ method: 'GET', url: `/api/v1/events?type=OutcomeRecorded&after=${body.next}` });
    expect((page2.json() as { events: unknown[] }).events).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"unitId": ', 'application/json', 400, 'INVALID_JSON'],
    ['wrong types', JSON.stringify({ unitId: 5, deterministic: 'x' }), 'application/json', 400, 'VALIDATION_FAILED'],
    ['missing rules answer', JSON.stringify({ unitId: 'u' }), 'application/json', 400, 'VALIDATION_FAILED'],
    ['unknown field', JSON.stringify({ unitId: 'u', deterministic: 1, extra: 1 }), 'application/json', 400, 'VALIDATION_FAILED'],
    ['prototype pollution', '{"unitId":"u","deterministic":1,"context":{"__proto__":{"x":1}}}', 'application/json', 400, 'INVALID_JSON'],
    ['oversized body', JSON.stringify({ unitId: 'u', deterministic: 'x'.repeat(10_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
    ['not JSON', 'unitId=u', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('%s → problem+json, nothing written', async (_name, payload, type, status, code) => {
    const before = await eventCount();
    const r = await app.inject({ method: 'POST', url: '/api/v1/agents/debugger/decide', payload, headers: { 'content-type': type } });
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json()).toMatchObject({ status, code });
    expect(await eventCount()).toBe(before);
  });

  it('names the offending field paths', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/agents/debugger/decide', payload: { unitId: '', deterministic: 1 } });
    expect((r.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['unitId']);
  });

  it('refuses bad agent names', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/agents/Bad_Name!/decide', payload: { unitId: 'u', deterministic: 1 } });
    expect(r.statusCode).toBe(400);
    expect((r.json() as { errors: { path: string }[] }).errors[0]!.path).toBe('agent');
  });

  it('outcomes: 404 for unknown decisions, 400 for two kinds at once', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/decisions/01890000-0000-7000-8000-000000000000/outcome', payload: { reward: 1 } });
    expect(unknown.statusCode).toBe(404);
    const both = await app.inject({ method: 'POST', url: '/api/v1/decisions/01890000-0000-7000-8000-000000000000/outcome', payload: { reward: 1, label: 'x' } });
    expect(both.statusCode).toBe(400);
  });

  it('exposes Prometheus metrics', async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/apprentice_http_requests_total\{/);
  });
});
