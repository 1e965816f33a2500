import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, REDIS_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';

// The decision cache in Redis (L2) is bounded by its time to live: rate × TTL decisions. With a
// day (the old default) a service at 500 decisions/s held 43 million keys; the configured TTL
// is what each decision's keys get.
describe('decision cache bounds from the configuration (real PostgreSQL and Redis)', () => {
  let schema: TestSchema;
  let dir: string;
  let a: Apprentice;
  let redis: ReturnType<typeof createClient>;
  const prefix = testPrefix('dcttl');

  beforeAll(async () => {
    schema = await createTestSchema('dcttl');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-dcttl-'));
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: dir, mlEnabled: false, decisionCacheTtlSeconds: 120 }, instanceId: 'dcttl', projectorOptions: { blockMs: 20 } });
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });
  afterAll(async () => {
    await a?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each stored decision's cache key expires after decisionCacheTtlSeconds", async () => {
    const d = a.decide('triage', 'u-1', { size: 3 }, 'low');
    const key = `${prefix}decision:{${d.decisionId}}`;
    await pollUntil(async () => (await redis.exists(key)) === 1, { timeoutMs: 20_000, message: 'the projector to cache the stored decision in Redis' });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('keeps 50,000 decisions in memory with PostgreSQL (10,000 embedded: bounds-metrics.test.ts)', () => {
    expect(a.reader.bounds().decisions.capacity).toBe(50_000);
  });
});
