import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/log/bus/redis-bus.js';
import { deleteKeys } from '../../src/log/bus/testing/redis-keys.js';
import { decisionEvent } from '../../src/log/events/testing/fixtures.js';
import { runCli, startCli } from '../support/cli-process.js';
import { createTestSchema, REDIS_URL, testPrefix, type TestSchema } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { pollUntil } from '../support/poll-until.js';

const waitFor = (cond: () => Promise<boolean>, what: string): Promise<boolean> =>
  pollUntil(cond, { timeoutMs: 60_000, intervalMs: 100, message: what });

// Two `apprentice worker` processes in one consumer group. Worker A holds entries it cannot
// store (its PostgreSQL connection is cut) and is killed with SIGKILL; worker B claims them
// after the idle timeout. Every event ends in the store exactly once.
describe('apprentice worker: a killed worker’s pending entries are taken over', () => {
  let schema: TestSchema;
  let dir: string;
  let prefix: string;
  let proxy: TcpProxy;
  let bus: RedisBus;
  let db: pg.Client;
  beforeAll(async () => {
    schema = await createTestSchema('wkill');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-wkill-'));
    prefix = testPrefix('wkill');
    proxy = await startTcpProxy('127.0.0.1', 5432);
    bus = await createRedisBus({ url: REDIS_URL, prefix });
    db = new pg.Client({ connectionString: schema.connectionString, options: `-c search_path=${schema.schema}` });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await bus.close();
    await proxy.close();
    await deleteKeys(REDIS_URL, prefix);
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every event exactly once after SIGKILL', { timeout: 180_000 }, async () => {
    const dbUrl = (port: number) =>
      `postgres://postgres@127.0.0.1:${port}/postgres?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    const env = { APPRENTICE_REDIS_PREFIX: prefix, APPRENTICE_DATA_DIR: dir, APPRENTICE_LOG_LEVEL: 'silent' };
    const migrated = await runCli(['migrate', '--database-url', dbUrl(5432)], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const args = (id: string, port: number) => ['worker', '--database-url', dbUrl(port), '--redis-url', REDIS_URL, '--id', id, '--claim-idle-ms', '1000'];
    const a = await startCli(args('A', proxy.port), env, /worker A consuming/);
    const events = Array.from({ length: 1500 }, () => decisionEvent());
    const stored = async (): Promise<Map<string, number>> => {
      const r = await db.query<{ id: string; n: number }>('SELECT id::text AS id, count(*)::int AS n FROM events GROUP BY id');
      return new Map(r.rows.map((x) => [x.id, x.n]));
    };
    await bus.publish('events', events.slice(0, 500));
    await waitFor(async () => (await stored()).size > 0, 'worker A to store something');
    proxy.cut();
    await bus.publish('events', events.slice(500));
    await waitFor(async () => (await bus.groupInfo('events', 'projector')).pending > 0, 'worker A to hold unacknowledged entries');
    expect(await a.stop('SIGKILL')).toBe(null);
    const b = await startCli(args('B', 5432), env, /worker B consuming/);
    try {
      await waitFor(async () => (await stored()).size === events.length, 'worker B to store everything');
      const counts = await stored();
      expect(events.filter((e) => counts.get(e.id) !== 1).map((e) => e.id)).toEqual([]);
      await waitFor(async () => {
        const g = await bus.groupInfo('events', 'projector');
        return g.pending === 0 && g.lag === 0;
      }, 'all entries acknowledged');
    } finally {
      await b.stop();
    }
  });
});
