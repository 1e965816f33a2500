import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createClient } from 'redis';
import { fig, type BenchSuite, type Figure } from './harness.js';
import { type DecisionData, EventType, type NewEvent, decisionStream } from '../src/core/events.js';
import { uuidv7 } from '../src/core/ids.js';
import type { LearningBus } from '../src/log/bus/learning-bus.js';
import { createMemoryBus } from '../src/log/bus/memory-bus.js';
import { createRedisBus } from '../src/log/bus/redis-bus.js';
import { deleteKeys } from '../src/log/bus/testing/redis-keys.js';

const EVENTS = 200_000;
const BATCH = 1000;
const TARGET = 100_000;
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A small `DecisionMade` event, as the writer publishes it (~400 bytes of JSON). */
function decisionEvent(i: number): NewEvent<'DecisionMade', DecisionData> {
  const decisionId = uuidv7();
  return {
    id: decisionId,
    type: EventType.DecisionMade,
    stream: decisionStream(decisionId),
    data: {
      decisionId,
      agent: 'detektor',
      unitId: `unit-${i % 5000}`,
      value: i % 3 === 0 ? 'flag' : 'pass',
      source: 'deterministic',
      reason: 'rule:threshold',
      variant: 'deterministic',
      propensity: 0.5,
      latencyMs: 0.12,
      features: { score: (i % 100) / 100, files: i % 7 },
    },
    metadata: { actor: 'bench' },
    time: new Date().toISOString(),
  };
}

/** In-flight batches of the figure: a writer's flusher does not wait for one batch to publish the next. */
const IN_FLIGHT = 4;

/**
 * Sustained publish of `EVENTS` events in batches of `BATCH` by one writer that keeps at most
 * `inFlight` batches unacknowledged (1 = each publish awaited before the next). Events/s,
 * serialisation included (the events are built before the clock starts).
 */
async function publishRate(bus: LearningBus, topic: string, inFlight: number): Promise<Rate> {
  const batches: NewEvent[][] = [];
  for (let b = 0; b < EVENTS / BATCH; b++) {
    batches.push(Array.from({ length: BATCH }, (_, i) => decisionEvent(b * BATCH + i)));
  }
  for (const b of batches.slice(0, 20)) await bus.publish('warmup', b);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const window: Promise<void>[] = [];
  for (const b of batches) {
    window.push(bus.publish(topic, b));
    if (window.length >= inFlight) await window.shift();
  }
  await Promise.all(window);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: EVENTS / seconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / EVENTS };
}

interface Rate {
  readonly perSecond: number;
  /** CPU time this process spent per event (serialisation, protocol): independent of machine load. */
  readonly cpuMicrosPerEvent: number;
}

/** CPU seconds the Redis server has used (INFO cpu), to report its share per event. */
async function redisCpuSeconds(): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    const info = await client.info('cpu');
    const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
    return field('used_cpu_user') + field('used_cpu_sys');
  } finally {
    client.destroy();
  }
}

const figure = (name: string, value: number, note: string): Figure =>
  fig({ name, value, unit: 'events/s', target: `>= ${TARGET}`, ok: value >= TARGET, note });

const suite: BenchSuite = {
  name: 'bus',
  figures: ['redis-streams-publish', 'memory-bus-publish'],
  async run(only) {
    const figures: Figure[] = [];
    if (!only || only === 'redis-streams-publish') {
      const prefix = `bench:bus:${randomUUID().slice(0, 8)}:`;
      const bus = await createRedisBus({ url, prefix });
      try {
        const sequential = await publishRate(bus, 'decisions-sequential', 1);
        const redisCpu0 = await redisCpuSeconds();
        const rate = await publishRate(bus, 'decisions', IN_FLIGHT);
        const redisCpu = ((await redisCpuSeconds()) - redisCpu0) * 1e6 / EVENTS;
        figures.push(
          figure(
            'redis-streams-publish',
            rate.perSecond,
            `${EVENTS} events, batches of ${BATCH}, ${IN_FLIGHT} in flight, 256 events/entry; ` +
              `one batch at a time: ${Math.round(sequential.perSecond)}/s; CPU per event: ` +
              `node ${rate.cpuMicrosPerEvent.toFixed(2)} µs, redis ${redisCpu.toFixed(2)} µs; load ${loadavg()[0]?.toFixed(1)}`,
          ),
        );
      } finally {
        await bus.close();
        await deleteKeys(url, prefix);
      }
    }
    if (!only || only === 'memory-bus-publish') {
      const bus = createMemoryBus();
      const rate = await publishRate(bus, 'decisions', 1);
      await bus.close();
      figures.push(figure('memory-bus-publish', rate.perSecond, `${EVENTS} events, batches of ${BATCH}`));
    }
    return figures;
  },
};

export default suite;
