import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NewEvent } from '../../core/events.js';
import { isUnavailableError } from '../../core/errors.js';
import type { LearningBus } from './learning-bus.js';
import { type RedisBus, type RedisConnectionState, createRedisBus } from './redis-bus.js';
import { createSpool } from './spool.js';
import { deadline } from '../../../test/support/poll-until.js';
import { testEvent } from './testing/bus-contract.js';
import { type PrivateRedis, privateRedis } from './testing/private-redis.js';

// Fault tests kill a private redis-server on a free port, never the shared one.
let redis: PrivateRedis;
let dir: string;

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  dir = await mkdtemp(join(tmpdir(), 'apprentice-bus-outage-'));
});

afterAll(async () => {
  await redis.kill();
  await rm(dir, { recursive: true, force: true });
});

const openBus = (states: RedisConnectionState[] = []): Promise<RedisBus> =>
  createRedisBus({
    url: redis.url,
    prefix: 'outage:',
    maxReconnectDelayMs: 100,
    commandTimeoutMs: 2000,
    onStateChange: (state) => states.push(state),
  });

const waitUntilReachable = (bus: LearningBus): Promise<void> =>
  vi.waitFor(() => bus.ping(), { timeout: 15_000, interval: 50 });

const batch = (b: number): NewEvent[] => Array.from({ length: 10 }, (_, i) => testEvent(b * 10 + i));

const readAll = async (bus: LearningBus): Promise<number[]> => {
  const seen: number[] = [];
  const check = deadline({ timeoutMs: 30_000, message: 'reading the stream to its end (are entries acknowledged?)' });
  for (;;) {
    check();
    const messages = await bus.read('decisions', 'projector', 'p1', { count: 100 });
    if (messages.length === 0) return seen;
    await bus.ack('decisions', 'projector', messages.map((m) => m.id));
    seen.push(...messages.flatMap((m) => m.events.map((e) => (e.data as { n: number }).n)));
  }
};

describe('redis bus during a Redis outage', () => {
  it('rejects with UnavailableError while Redis is down and reconnects by itself', async () => {
    const states: RedisConnectionState[] = [];
    const bus = await openBus(states);
    try {
      await bus.publish('decisions', batch(0));
      await redis.kill();
      const error = await bus.publish('decisions', batch(1)).catch((e: unknown) => e);
      expect(isUnavailableError(error)).toBe(true);
      expect(await bus.ping().catch((e: unknown) => e)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      const blocked = bus.read('decisions', 'projector', 'p1', { blockMs: 60_000 });
      expect(await blocked.catch((e: unknown) => e)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(bus.ready).toBe(false);

      await redis.start();
      await waitUntilReachable(bus);
      expect(bus.ready).toBe(true);
      await bus.ensureGroup('decisions', 'projector'); // the private server keeps nothing across restarts
      const reading = bus.read('decisions', 'projector', 'p1', { blockMs: 10_000 });
      const sent = batch(2);
      await bus.publish('decisions', sent);
      const woken = await reading;
      expect(woken.flatMap((m) => m.events.map((e) => e.id))).toEqual(sent.map((e) => e.id));
      expect(states).toContain('reconnecting');
      expect(states.at(-1)).toBe('ready');
    } finally {
      await bus.close();
    }
  });

  it('starts while Redis is down when connecting lazily, and works once it is up', async () => {
    await redis.kill();
    const bus = await createRedisBus({ url: redis.url, prefix: 'outage:', lazyConnect: true, maxReconnectDelayMs: 100 });
    try {
      expect(bus.ready).toBe(false);
      expect(await bus.publish('decisions', batch(0)).catch((e: unknown) => e)).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
      });
      await redis.start();
      await waitUntilReachable(bus);
      await bus.publish('decisions', batch(1));
    } finally {
      await bus.close();
    }
  });

  it('loses nothing and keeps order when failed batches go to the spool and are drained', async () => {
    const bus = await openBus();
    const spool = createSpool({ dir });
    const seen: number[] = [];
    /** What a writer does: publish directly while nothing is spooled, else spool to keep order. */
    const write = async (events: NewEvent[]): Promise<void> => {
      if ((await spool.size()).batches === 0) {
        try {
          await bus.publish('decisions', events);
          return;
        } catch (err) {
          if (!isUnavailableError(err)) throw err;
        }
      }
      await spool.append(events);
    };
    try {
      await bus.ensureGroup('decisions', 'projector');
      await readAll(bus); // start from a clean group
      for (let b = 0; b < 5; b++) await write(batch(b));
      seen.push(...(await readAll(bus)));

      await redis.kill();
      for (let b = 5; b < 15; b++) await write(batch(b));
      expect(await spool.size()).toMatchObject({ batches: 10, events: 100 });

      await redis.start();
      await waitUntilReachable(bus);
      await bus.ensureGroup('decisions', 'projector');
      const drained = await spool.drain((events) => bus.publish('decisions', events));
      expect(drained).toEqual({ batches: 10, events: 100, skipped: 0 });
      expect(await spool.size()).toEqual({ batches: 0, events: 0, bytes: 0 });
      for (let b = 15; b < 20; b++) await write(batch(b));
      seen.push(...(await readAll(bus)));

      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    } finally {
      await bus.close();
    }
  });
});
