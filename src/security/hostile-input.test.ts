import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureServer, type SecureServer } from '../runtime/testing/secure-server.js';

const BODY_LIMIT = 64 * 1024;

/** Bodies nobody should send: malformed, oversized, deep, polluting, not UTF-8. */
const hostileBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"unitId":"u","deterministic":1,"context":{"__proto__":{"polluted":true}}}',
    '{"unitId":"u","deterministic":1,"context":{"a":{"constructor":{"prototype":{"polluted":true}}}}}',
    '{"name":"x","role":"admin","__proto__":{"role":"admin"}}',
    '{"reward":1e400}',
    '{"olderThanDays":1e308}',
    '{"label":null,"value":NaN}',
    '',
    'null',
    '[]',
    '{"reason":"' + 'x'.repeat(5000) + '"}',
  ),
  fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc
    .integer({ min: 100, max: 5_000 })
    .map((n) => '{"unitId":"u","deterministic":1,"context":' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + '}'),
  fc
    .integer({ min: BODY_LIMIT, max: BODY_LIMIT * 4 })
    .map((n) => JSON.stringify({ unitId: 'u', deterministic: 'x'.repeat(n) })),
  fc
    .uint8Array({ minLength: 1, maxLength: 300 })
    .map((b) =>
      Buffer.concat([
        Buffer.from('{"unitId":"'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(b),
        Buffer.from('","deterministic":1}'),
      ]),
    ),
  fc.uint8Array({ minLength: 1, maxLength: 500 }).map((b) => Buffer.from(b)),
);

const hostileSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom(
    '__proto__',
    'constructor',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '%ff%fe',
    'x'.repeat(400),
    '%E0%A4%A',
    'a%2Fb',
  ),
);

describe('hostile input to every endpoint (fast-check)', () => {
  let s: SecureServer;
  let templates: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: (seg: string) => string }[];
  beforeAll(async () => {
    s = await startSecureServer({ bodyLimitBytes: BODY_LIMIT });
    templates = [
      { method: 'POST', url: (x) => `/api/v1/agents/${x}/decide` },
      { method: 'POST', url: () => '/api/v1/agents/code-reviewer/decide' },
      { method: 'POST', url: (x) => `/api/v1/decisions/${x}/outcome` },
      { method: 'POST', url: () => '/api/v1/decisions/0190f3c2-7a1b-7c3d-8e4f-000000000001/outcome' },
      { method: 'GET', url: (x) => `/api/v1/decisions/${x}` },
      { method: 'GET', url: (x) => `/api/v1/events?after=${x}&limit=${x}&type=${x}` },
      { method: 'PUT', url: (x) => `/api/v1/agents/${x}` },
      { method: 'PUT', url: () => '/api/v1/agents/code-reviewer' },
      { method: 'GET', url: (x) => `/api/v1/agents/${x}` },
      { method: 'GET', url: (x) => `/api/v1/models/${x}/versions` },
      { method: 'PUT', url: (x) => `/api/v1/models/code-reviewer/aliases/${x}` },
      { method: 'POST', url: () => '/api/v1/tokens' },
      { method: 'DELETE', url: (x) => `/api/v1/tokens/${x}` },
      { method: 'POST', url: () => '/api/v1/keys/rotate' },
      { method: 'POST', url: (x) => `/api/v1/subjects/${x}/erase` },
      { method: 'POST', url: () => '/api/v1/retention/apply' },
      { method: 'GET', url: (x) => `/health/aggregate?${x}=${x}` },
    ];
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers 4xx problem+json (never 500), stores nothing on a refusal, pollutes nothing', async () => {
    let refused = 0;
    let framework = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1000 }),
        hostileSegment,
        hostileBody,
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
        ),
        async (i, seg, body, type) => {
          const t = templates[i % templates.length]!;
          const before = await s.eventCount();
          const keysBefore = s.sec.runtime.keys.keyring.ids().length;
          const r = await s.app.inject({
            method: t.method,
            url: t.url(seg),
            headers: { authorization: `Bearer ${s.tokens.admin}`, 'content-type': type },
            ...(t.method === 'GET' || t.method === 'DELETE' ? {} : { payload: body }),
          });
          expect(
            r.statusCode,
            `${t.method} ${t.url(seg).slice(0, 120)} → ${r.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          if (r.statusCode >= 400) {
            refused++;
            // Fastify answers an undecodable URL (FST_ERR_BAD_URL) and an over-long path parameter
            // (414) itself, as plain JSON, unless buildServer sets `frameworkErrors` (src/server/app.ts)
            if (r.statusCode !== 414 && !r.body.includes('FST_ERR_BAD_URL'))
              expect(r.headers['content-type'], r.body.slice(0, 200)).toMatch(/application\/problem\+json/);
            else framework++;
            expect(await s.eventCount()).toBe(before);
            expect(s.sec.runtime.keys.keyring.ids().length).toBe(keysBefore);
          }
        },
      ),
      { numRuns: 400, seed: 7 },
    );
    expect(refused).toBeGreaterThan(300);
    expect(framework).toBeLessThan(refused);
    expect((await s.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
