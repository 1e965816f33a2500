import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../log/bus/redis-bus.js';
import { createSpool } from '../log/bus/spool.js';
import { privateRedis, type PrivateRedis } from '../log/bus/testing/private-redis.js';
import { deleteKeys } from '../log/bus/testing/redis-keys.js';
import { AsyncLearningWriter } from './async-learning-writer.js';
import { createPostgresEventStore } from '../log/events/postgres-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { createTestSchema, REDIS_URL, testPrefix, type TestSchema } from '../../test/support/services.js';
import { startTcpProxy } from '../../test/support/tcp-proxy.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { Projector } from '../log/projector/projector.js';

const decision = (i: number) =>
  ({
    agent: 'deployment-specialist',
    unitId: `deploy-${i}`,
    value: 'canary',
    source: 'deterministic',
    reason: 'RULES',
    variant: 'deterministic',
    propensity: 1,
    latencyMs: 0.02,
  }) as const;

const waitFor = (cond: () => Promise<boolean>, what: string): Promise<boolean> =>
  pollUntil(cond, { timeoutMs: 30_000, intervalMs: 50, message: what });

const countPerDecision = async (store: SqlEventStore): Promise<Map<string, number>> => {
  const rows = await store.query<{ id: string; n: number }>(
    `SELECT data->>'decisionId' AS id, count(*)::int AS n FROM events WHERE type = 'DecisionMade' GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.id, r.n]));
};

describe('faults on the write path (real servers failing)', () => {
  let schema: TestSchema;
  let dir: string;
  beforeAll(async () => {
    schema = await createTestSchema('outage');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-outage-'));
  });
  afterAll(async () => {
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Redis killed mid-stream: every decision reaches the event store exactly once', async () => {
    // Production Redis for the bus runs with AOF: an XADD it acknowledged survives a crash.
    const redis: PrivateRedis = await privateRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
    await redis.start();
    const store = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
    await store.migrate();
    const bus = await createRedisBus({ url: redis.url, prefix: 'outage:', commandTimeoutMs: 500, maxReconnectDelayMs: 100 });
    const spool = createSpool({ dir: join(dir, 'spool') });
    const writer = new AsyncLearningWriter({ bus, spool, batchSize: 100, recoveryIntervalMs: 50 });
    const projector = new Projector({ bus, store, consumer: 'p1', blockMs: 20, retryMs: 50 });
    await projector.start();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3000; i++) {
        ids.push(writer.recordDecision(decision(i)));
        if (i === 1000) await redis.kill(); // decisions keep being recorded while Redis is gone
        if (i === 2000) {
          await writer.flush();
          expect(writer.stats().spooled).toBeGreaterThan(0);
          await redis.start();
        }
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      await writer.flush();
      await waitFor(async () => writer.stats().replayed > 0, 'the spool to be replayed');
      await waitFor(async () => (await countPerDecision(store)).size === ids.length, 'all decisions stored');
      const counts = await countPerDecision(store);
      const lost = ids.filter((id) => !counts.has(id));
      const duplicated = [...counts.values()].filter((n) => n !== 1);
      expect(lost).toEqual([]);
      expect(duplicated).toEqual([]);
    } finally {
      await projector.stop();
      await writer.close();
      await bus.close();
      await store.close();
      await redis.kill();
    }
  });

  it('PostgreSQL cut mid-projection: nothing is acknowledged, then everything is appended exactly once', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const prefix = testPrefix('pgout');
    const url = new URL(schema.connectionString);
    url.port = String(proxy.port);
    const store = createPostgresEventStore({ connectionString: url.toString(), schema: schema.schema, connectTimeoutMs: 500 });
    await store.migrate();
    const bus = await createRedisBus({ url: REDIS_URL, prefix });
    const writer = new AsyncLearningWriter({ bus, batchSize: 200, topic: 'pg' });
    const projector = new Projector({ bus, store, consumer: 'p1', topic: 'pg', blockMs: 20, retryMs: 50 });
    await projector.start();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 2000; i++) {
        ids.push(writer.recordDecision(decision(i)));
        if (i === 700) {
          await writer.flush();
          proxy.cut();
        }
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      await writer.flush();
      await waitFor(async () => projector.stats().storeErrors > 0, 'the projector to notice the outage');
      const pendingDuringOutage = await bus.groupInfo('pg', 'projector');
      expect(pendingDuringOutage.pending + pendingDuringOutage.lag).toBeGreaterThan(0);
      proxy.restore();
      await waitFor(async () => {
        const counts = await countPerDecision(store).catch(() => new Map<string, number>());
        return ids.every((id) => counts.has(id));
      }, 'projection to resume');
      const counts = await countPerDecision(store);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      const info = await bus.groupInfo('pg', 'projector');
      await waitFor(async () => (await bus.groupInfo('pg', 'projector')).pending === 0, 'all acked');
      expect(info.lag).toBe(0);
    } finally {
      await projector.stop();
      await writer.close();
      await bus.close();
      await store.close();
      await proxy.close();
      await deleteKeys(REDIS_URL, prefix);
    }
  });
});
