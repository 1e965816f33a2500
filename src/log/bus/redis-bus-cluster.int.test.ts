import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/index.js';
import { createRedisBus } from './redis-bus.js';
import { busContract, testEvent } from './testing/bus-contract.js';
import { privateRedisCluster, type PrivateRedisCluster } from './testing/private-redis-cluster.js';
import { uniquePrefix } from './testing/redis-keys.js';

const run = promisify(execFile);

// Issue 14: the bus contract on a Redis Cluster of three masters that this file starts
// (`redis-server --cluster-enabled yes` on free ports, joined with `redis-cli --cluster create`)
// and kills at the end. Every key of a topic carries the `{topic}` hash tag, so a topic's
// stream, dead letters, epoch and the MULTI that dead-letters stay on one slot.
let cluster: PrivateRedisCluster;
beforeAll(async () => {
  cluster = await privateRedisCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

busContract('redis cluster', async ({ maxDeliveries }) => {
  const bus = await createRedisBus({ clusterNodes: cluster.nodes, prefix: uniquePrefix('bus'), maxDeliveries });
  return {
    bus,
    // Idle time is measured by Redis' own clock: wait for real (tens of ms).
    elapse: (ms) => sleep(ms),
    // The cluster is thrown away in afterAll.
    cleanup: () => bus.close(),
  };
});

describe('redis bus on a cluster', () => {
  it('spreads topics over the masters: each topic on the shard of its hash tag', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('spread');
    const bus = await createRedisBus({ clusterNodes: cluster.nodes, prefix });
    try {
      const topics = Array.from({ length: 12 }, (_, i) => `agent-${i}`);
      for (const t of topics) {
        await bus.ensureGroup(t, 'g');
        await bus.publish(t, [testEvent(1), testEvent(2)]);
        expect((await bus.read(t, 'g', 'c')).flatMap((m) => m.events)).toHaveLength(2);
      }
      // Which master holds each stream: the node where the key exists.
      const holders = new Map<string, number>();
      for (const port of cluster.ports) {
        const { stdout } = await run('redis-cli', ['-p', String(port), '--scan', '--pattern', `${prefix}*:stream`]);
        for (const key of stdout.split('\n').filter(Boolean)) holders.set(key, port);
      }
      expect(holders.size).toBe(topics.length);
      expect(new Set(holders.values()).size).toBeGreaterThan(1);
      // A topic's dead-letter stream lives beside its stream (same hash tag, same node).
      const t = topics[0]!;
      const port = holders.get(bus.streamKey(t))!;
      const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'keyslot', bus.deadLetterKey(t)]);
      const { stdout: slot } = await run('redis-cli', ['-p', String(port), 'cluster', 'keyslot', bus.streamKey(t)]);
      expect(stdout.trim()).toBe(slot.trim());
    } finally {
      await bus.close();
    }
  });
});

describe('redisCluster configuration', () => {
  it('REDIS_CLUSTER_NODES is a comma-separated list of redis:// URLs, and needs REDIS_URL beside it', () => {
    const env = { REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000, redis://10.0.0.2:7001', REDIS_URL: 'redis://10.0.0.9:6379' };
    expect(loadConfig({ env }).redisCluster).toEqual(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7001']);
    expect(() => loadConfig({ env: { REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' } })).toThrow(/redisUrl: redisCluster carries the bus only/);
    expect(() => loadConfig({ env: { ...env, REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' } })).toThrow(/redisCluster\[0\]: must be a URL like redis:/);
  });
});
