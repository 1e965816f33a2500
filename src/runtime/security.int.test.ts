import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PG_URL } from '../../test/support/services.js';
import { issueToken } from '../security/auth/authenticate.js';
import { privateRedis, type PrivateRedis } from '../log/bus/testing/private-redis.js';
import { isSubjectErasedError } from '../security/privacy/crypto-error.js';
import { Projector } from '../log/projector/projector.js';
import { BUS_TOPIC, createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installSecurity, type InstalledSecurity } from './install-security.js';
import { deadline } from '../../test/support/poll-until.js';

const PG_PASS = `PgSecret-${randomBytes(6).toString('hex')}`;
const REDIS_PASS = `RedisSecret-${randomBytes(6).toString('hex')}`;
const PII = [
  'grace.hopper@example.org',
  '+1 202 555 0143',
  '5500 0000 0000 0004',
  '198.51.100.23',
  'Grace Hopper',
];

describe('security against real PostgreSQL and Redis (passwords in the URLs)', () => {
  const db = `sec_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;
  let dir: string;
  let redis: PrivateRedis;
  let a: Apprentice;
  let projector: Projector;
  let sec: InstalledSecurity;
  let app: FastifyInstance;
  let token: string;
  let viewer: string;
  const logs: string[] = [];
  const bodies: string[] = [];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    redis = await privateRedis(['--requirepass', REDIS_PASS]);
    await redis.start();
    dir = mkdtempSync(join(tmpdir(), 'apprentice-secint-'));
    const u = new URL(PG_URL);
    u.username = 'postgres';
    u.password = PG_PASS;
    u.pathname = `/${db}`;
    a = await createApprentice({
      config: {
        dataDir: dir,
        databaseUrl: u.toString(),
        redisUrl: `redis://:${REDIS_PASS}@127.0.0.1:${redis.port}`,
        requireAuth: true,
        host: '0.0.0.0',
        logLevel: 'trace',
      },
      // the lazily connecting Redis bus may still be connecting when createApprentice would
      // start its projector (ensureGroup → "client is offline"): start ours once it is up
      projector: false,
    });
    await vi.waitFor(() => a.bus.ping(), { timeout: 15_000, interval: 50 });
    // not started: the test drains it explicitly, so no background loop holds messages mid-append
    projector = new Projector({ bus: a.bus, store: a.store, topic: BUS_TOPIC, consumer: 'sec-int' });
    await a.bus.ensureGroup(BUS_TOPIC, 'projector');
    sec = await installSecurity(a, {
      env: {},
      agentPolicy: () => ({ fields: { personal: [{ key: 'name' }] } }),
    });
    const stream = new Writable({ write: (chunk: Buffer, _enc, cb) => (logs.push(chunk.toString()), cb()) });
    app = await buildServer(a, {
      routes: sec.server.routes,
      context: sec.server.context,
      logger: { level: 'trace', stream } as unknown as { level: string },
    });
    token = (await issueToken(sec.tokens, { name: 'int-operator', role: 'admin' })).token;
    viewer = (await issueToken(sec.tokens, { name: 'int-viewer', role: 'viewer' })).token;
  });
  afterAll(async () => {
    await app?.close();
    await a?.close();
    await redis?.kill();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
    t: string | undefined = token,
  ) => {
    const r = await app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: t ? { authorization: `Bearer ${t}` } : {},
    });
    bodies.push(JSON.stringify(r.headers), r.body);
    return r;
  };
  const settle = async () => {
    await a.writer.flush();
    // Bounded: a projector that never runs dry (never acknowledges) fails here with a message.
    const check = deadline({ timeoutMs: 30_000, message: 'draining the projector' });
    while ((await projector.drainOnce()) > 0) check();
  };
  const decide = async (unitId: string, context: object, subjectId?: string): Promise<string> => {
    const r = await call('POST', '/api/v1/agents/code-reviewer/decide', {
      unitId,
      context,
      deterministic: 'approve',
      ...(subjectId ? { subjectId } : {}),
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { decisionId: string }).decisionId;
  };
  const q = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const c = new pg.Client({ connectionString: PG_URL.replace(/\/[^/]*$/, `/${db}`) });
    await c.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };

  it('stores no PII in clear: checked in PostgreSQL directly', async () => {
    await decide(
      'pr-1',
      {
        note: `ping ${PII[0]} / ${PII[1]}, card ${PII[2]}, from ${PII[3]}`,
        user: { name: PII[4] },
        files: 2,
      },
      PII[0],
    );
    await decide('pr-2', { note: `ping ${PII[0]}`, files: 1 });
    await settle();
    const [dump] = await q<{ t: string }>(
      `SELECT (SELECT string_agg(e::text, '\n') FROM events e) || (SELECT string_agg(d::text, '\n') FROM decisions d) AS t`,
    );
    expect(dump!.t.length).toBeGreaterThan(100);
    for (const p of PII) expect(dump!.t).not.toContain(p);
    expect(dump!.t).not.toContain('grace');
  });

  it('after erasure the subject is unreadable in the log and in a copy taken before; others stay readable', async () => {
    const erased = await decide('e-1', { files: 5 }, 'subject-x');
    const kept = await decide('e-2', { files: 6 }, 'subject-y');
    await settle();
    await q('CREATE TABLE events_copy AS SELECT * FROM events');
    const r = await call('POST', '/api/v1/subjects/subject-x/erase', { reason: 'request 42' });
    expect(r.statusCode, r.body).toBe(200);
    await settle();
    for (const table of ['events', 'events_copy']) {
      const rows = await q<{ id: string; ctx: unknown }>(
        `SELECT data->>'decisionId' AS id, data->'context' AS ctx FROM ${table} WHERE type = 'DecisionMade' AND data->>'decisionId' = ANY($1)`,
        [[erased, kept]],
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        const got = await sec.protector
          .reveal(row.ctx)
          .catch((e: unknown) => (isSubjectErasedError(e) ? 'ERASED' : e));
        expect(got, `${table} ${row.id}`).toEqual(row.id === erased ? 'ERASED' : { files: 6 });
      }
    }
    const [ev] = await q<{ t: string }>(
      `SELECT data::text || metadata::text AS t FROM events WHERE type = 'SubjectErased'`,
    );
    expect(ev!.t).not.toContain('subject-x');
    expect(ev!.t).toContain('request 42');
  });

  it('leaks no secret (database password, Redis password, token) into logs, errors, /metrics or events', async () => {
    const id = await decide('s-1', { files: 1 });
    await settle();
    await call('GET', `/api/v1/decisions/${id}`, undefined, viewer);
    await call('POST', `/api/v1/decisions/${id}/outcome`, { reward: 1 });
    await call('GET', '/api/v1/events?limit=1000', undefined, viewer);
    await call('GET', '/api/v1/tokens');
    await call('POST', '/api/v1/tokens', { name: 'made-here', role: 'viewer' });
    await call('GET', '/health/aggregate', undefined, viewer);
    await call('POST', '/api/v1/keys/rotate', {});
    await call('GET', '/api/v1/events', undefined, token.slice(0, -1) + (token.endsWith('z') ? 'y' : 'z'));
    await call('GET', '/api/v1/events', undefined, 'Bearer-garbage');
    await call('POST', '/api/v1/tokens', { name: 'x', role: 'viewer' }, viewer);
    await call('POST', '/api/v1/agents/code-reviewer/decide', {
      unitId: 'u',
      deterministic: 'x',
      context: { password: REDIS_PASS, dsn: `postgres://u:${PG_PASS}@h/db` },
    });
    await call('POST', '/api/v1/agents/code-reviewer/decide', { unitId: 5 });
    await call('GET', '/nope');
    const metrics = await call('GET', '/metrics', undefined, undefined);
    expect(metrics.statusCode).toBe(200);
    await settle();
    const [events] = await q<{ t: string }>(`SELECT string_agg(e::text, '\n') AS t FROM events e`);
    const [decisions] = await q<{ t: string }>(`SELECT string_agg(d::text, '\n') AS t FROM decisions d`);
    const haystacks = {
      logs: logs.join(''),
      responses: bodies.join('\n'),
      metrics: metrics.body,
      events: events!.t,
      decisions: decisions!.t,
      startMessage: sec.startMessage,
    };
    expect(haystacks.logs.length).toBeGreaterThan(1000);
    expect(haystacks.logs).toContain('incoming request');
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [PG_PASS, REDIS_PASS, token, viewer])
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    }
  });
});
