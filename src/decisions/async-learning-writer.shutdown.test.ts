import { describe, expect, it } from 'vitest';
import { ClosedError, type NewEvent } from '../core/index.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { DrainResult, Spool, SpoolSize } from '../log/bus/spool.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// The writer's shutdown and recovery guarantees: close() awaits the flush, events recorded
// while the spool is replayed are neither dropped nor published before the replayed ones,
// and a batch pending retry goes out, in order, when the bus is back.

const decision = (i: number) =>
  ({
    agent: 'code-reviewer',
    unitId: `pr-${i}`,
    value: 'approve',
    source: 'deterministic',
    reason: 'RULES',
    variant: 'deterministic',
    propensity: 1,
    latencyMs: 0,
  }) as const;

const macrotask = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A memory bus whose publish takes a macrotask, can be taken down, and logs what it accepted (unit ids). */
function controllableBus() {
  const inner = createMemoryBus();
  const state = { down: false, published: [] as string[] };
  const unit = (e: NewEvent): string => (e.data as { unitId: string }).unitId;
  const bus: LearningBus = {
    ...inner,
    publish: async (topic, events) => {
      await macrotask();
      if (state.down) throw new Error('bus down');
      state.published.push(...events.map(unit));
      return inner.publish(topic, events);
    },
    ping: async () => {
      if (state.down) throw new Error('bus down');
    },
  };
  return { bus, state };
}

/** An in-memory spool whose drain can be held open, to record events while it replays. */
function gatedSpool() {
  const batches: NewEvent[][] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const state = { draining: false };
  const spool: Spool = {
    append: async (events) => {
      batches.push([...events]);
    },
    size: async (): Promise<SpoolSize> => ({ batches: batches.length, events: batches.reduce((n, b) => n + b.length, 0), bytes: 0 }),
    drain: async (publish): Promise<DrainResult> => {
      state.draining = true;
      await gate;
      let events = 0;
      let n = 0;
      while (batches.length > 0) {
        await publish(batches[0]!);
        events += batches.shift()!.length;
        n++;
      }
      state.draining = false;
      return { batches: n, events, skipped: 0 };
    },
  };
  return { spool, state, open: () => open() };
}

const units = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `pr-${from + i}`);

describe('AsyncLearningWriter shutdown', () => {
  it('close() awaits flush(): every event recorded before close() is on the bus when close() resolves', async () => {
    const { bus, state } = controllableBus();
    const writer = new AsyncLearningWriter({ bus, batchSize: 10 });
    for (let i = 0; i < 25; i++) writer.recordDecision(decision(i));
    await writer.close();
    expect(state.published).toEqual(units(0, 25));
    expect(writer.stats()).toMatchObject({ buffered: 0, published: 25 });
  });

  it('close() is idempotent, and recording after close() is a ClosedError', async () => {
    const { bus, state } = controllableBus();
    const writer = new AsyncLearningWriter({ bus });
    writer.recordDecision(decision(0));
    await Promise.all([writer.close(), writer.close()]);
    await writer.close();
    expect(state.published).toEqual(['pr-0']);
    let thrown: unknown;
    try {
      writer.recordDecision(decision(1));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ClosedError);
  });

  it('the buffer survives spool replay: events recorded while the spool drains reach the bus after the replayed ones', async () => {
    const { bus, state } = controllableBus();
    const { spool, state: spoolState, open } = gatedSpool();
    const writer = new AsyncLearningWriter({ bus, spool, recoveryIntervalMs: 5, batchSize: 5 });
    state.down = true;
    for (let i = 0; i < 10; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ spooled: 10, busUp: false });
    state.down = false;
    await pollUntil(() => spoolState.draining, { timeoutMs: 10_000, message: 'the writer to start replaying the spool' });
    for (let i = 10; i < 17; i++) writer.recordDecision(decision(i));
    open();
    await pollUntil(() => state.published.length >= 17, { timeoutMs: 10_000, message: 'the replayed and the new events on the bus' });
    await writer.close();
    expect(state.published).toEqual(units(0, 17));
    expect(writer.stats()).toMatchObject({ replayed: 10, published: 17, buffered: 0, busUp: true });
  });

  it('without a spool, a batch pending retry is published in order when the bus is back, before later events', async () => {
    const { bus, state } = controllableBus();
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 5, batchSize: 3 });
    state.down = true;
    for (let i = 0; i < 6; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ published: 0, busUp: false });
    state.down = false;
    await pollUntil(() => writer.stats().busUp, { timeoutMs: 10_000, message: 'the writer to see the bus again' });
    for (let i = 6; i < 8; i++) writer.recordDecision(decision(i));
    await writer.close();
    expect(state.published).toEqual(units(0, 8));
  });

  it('close() publishes a batch pending retry when the bus came back before the recovery probe ran', async () => {
    const { bus, state } = controllableBus();
    // A recovery probe that would only run long after close(): close() must probe by itself.
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 60_000, batchSize: 3 });
    state.down = true;
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ published: 0, busUp: false });
    state.down = false;
    await writer.close();
    expect(state.published).toEqual(units(0, 3));
  });

  it('a recovery probe out when close() runs publishes nothing afterwards and arms no further probe', async () => {
    const { bus, state } = controllableBus();
    const { spool, open } = gatedSpool();
    open();
    let pings = 0;
    let answer!: () => void;
    const held = new Promise<void>((r) => (answer = r));
    // The first probe hangs until released; the bus is back by then.
    bus.ping = async () => {
      pings++;
      if (pings === 1) return held;
      if (state.down) throw new Error('bus down');
    };
    const writer = new AsyncLearningWriter({ bus, spool, recoveryIntervalMs: 5, batchSize: 5 });
    state.down = true;
    for (let i = 0; i < 5; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ spooled: 5, busUp: false });
    await pollUntil(() => pings === 1, { timeoutMs: 10_000, message: 'the recovery probe to go out' });
    state.down = false;
    const closing = writer.close();
    answer();
    await closing;
    await new Promise((r) => setTimeout(r, 50)); // ten recovery intervals
    expect(state.published).toEqual([]); // the spool is replayed at the next start, not by a closed writer
    expect(pings).toBe(1);
    expect(await spool.size()).toMatchObject({ events: 5 });
  });
});
