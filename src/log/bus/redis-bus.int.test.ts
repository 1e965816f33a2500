import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { createRedisBus } from './redis-bus.js';
import { busContract, testEvent } from './testing/bus-contract.js';
import { deleteKeys, uniquePrefix } from './testing/redis-keys.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(url, prefix);
});

busContract('redis', async ({ maxDeliveries }) => {
  const prefix = uniquePrefix('bus');
  prefixes.push(prefix);
  const bus = await createRedisBus({ url, prefix, maxDeliveries });
  return {
    bus,
    // Idle time is measured by Redis' own clock: wait for real (tens of ms).
    elapse: (ms) => sleep(ms),
    cleanup: async () => {
      await bus.close();
      await deleteKeys(url, prefix);
    },
  };
});

describe('redis bus', () => {
  it('stores a topic under a hash-tagged key, its dead letters beside it', async () => {
    const prefix = uniquePrefix('bus');
    prefixes.push(prefix);
    const bus = await createRedisBus({ url, prefix });
    try {
      expect(bus.streamKey('decisions')).toBe(`${prefix}{decisions}:stream`);
      expect(bus.deadLetterKey('decisions')).toBe(`${prefix}{decisions}:dlq`);
      await bus.publish('decisions', [testEvent(1)]);
      const raw = createClient({ url });
      await raw.connect();
      try {
        expect(await raw.xLen(bus.streamKey('decisions'))).toBe(1);
      } finally {
        raw.destroy();
      }
    } finally {
      await bus.close();
    }
  });

  it('counts the lag itself when Redis cannot (group created at an arbitrary id)', async () => {
    const prefix = uniquePrefix('bus');
    prefixes.push(prefix);
    const bus = await createRedisBus({ url, prefix, eventsPerEntry: 1 });
    const raw = createClient({ url });
    await raw.connect();
    try {
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', Array.from({ length: 1205 }, (_, n) => testEvent(n)));
      const [, second] = await bus.read('t', 'g', 'c', { count: 2 });
      await raw.xGroupCreate(bus.streamKey('t'), 'mid', second!.id);
      const native = (await raw.xInfoGroups(bus.streamKey('t'))).find((g) => String(g.name) === 'mid');
      expect(native?.lag).toBeNull();
      expect(await bus.groupInfo('t', 'mid')).toEqual({ pending: 0, lag: 1203 });
    } finally {
      raw.destroy();
      await bus.close();
    }
  });

  it('shares one epoch between instances on one prefix, and takes a new one when Redis forgets it', async () => {
    const prefix = uniquePrefix('bus');
    prefixes.push(prefix);
    const a = await createRedisBus({ url, prefix });
    const b = await createRedisBus({ url, prefix });
    const raw = createClient({ url });
    await raw.connect();
    try {
      const first = await a.epoch('t');
      expect(await b.epoch('t')).toBe(first);
      expect(await a.epoch('other')).not.toBe(first);
      // What a restart without persistence leaves: nothing under the prefix.
      await deleteKeys(url, prefix);
      const second = await b.epoch('t');
      expect(second).not.toBe(first);
      expect(await a.epoch('t')).toBe(second);
      expect(await raw.get(`${prefix}{t}:epoch`)).toBe(second);
    } finally {
      raw.destroy();
      await a.close();
      await b.close();
    }
  });

  it('counts dead-lettered entries', async () => {
    const prefix = uniquePrefix('bus');
    prefixes.push(prefix);
    const bus = await createRedisBus({ url, prefix, maxDeliveries: 1 });
    try {
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(1)]);
      await bus.read('t', 'g', 'c1');
      expect((await bus.claimStale('t', 'g', 'c2', { minIdleMs: 0 })).deadLettered).toBe(1);
      expect(bus.deadLetteredTotal).toBe(1);
    } finally {
      await bus.close();
    }
  });

  it('rejects with UNAVAILABLE when nothing listens at the URL', async () => {
    const error = await createRedisBus({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
