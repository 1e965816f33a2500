import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEvent } from '../core/index.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { DrainResult, Spool, SpoolSize } from '../log/bus/spool.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// The writer's defaults at their boundaries (batch size, flush delay, recovery probe, topic),
// the events it builds, its buffer spill, and the outbox that survives a bus that forgets
// (resend on an epoch change, confirmation, its bound). Fake timers; a memory bus that records
// each publish and can be taken down or made to forget.

const decision = (i: number) =>
  ({ agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 }) as const;

function recordingBus() {
  const inner = createMemoryBus();
  const state = { down: false, epoch: 'e1', pings: 0, publishes: [] as { topic: string; n: number; ids: string[] }[] };
  const bus: LearningBus = {
    ...inner,
    publish: async (topic, events) => {
      if (state.down) throw new Error('bus down');
      state.publishes.push({ topic, n: events.length, ids: events.map((e) => e.id) });
      return inner.publish(topic, events);
    },
    ping: async () => {
      state.pings++;
      if (state.down) throw new Error('bus down');
    },
    epoch: async () => {
      if (state.down) throw new Error('bus down');
      return state.epoch;
    },
  };
  const sizes = () => state.publishes.map((p) => p.n);
  const published = () => state.publishes.flatMap((p) => p.ids);
  return { bus, state, sizes, published };
}

function memorySpool() {
  const batches: NewEvent[][] = [];
  const spool: Spool = {
    append: async (events) => void batches.push([...events]),
    size: async (): Promise<SpoolSize> => ({ batches: batches.length, events: batches.reduce((n, b) => n + b.length, 0), bytes: 0 }),
    drain: async (publish): Promise<DrainResult> => {
      let events = 0;
      let n = 0;
      while (batches.length > 0) {
        await publish(batches[0]!);
        events += batches.shift()!.length;
        n++;
      }
      return { batches: n, events, skipped: 0 };
    },
  };
  return { spool, batches };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('defaults, at their boundaries', () => {
  it('an event waits 5 ms for its batch: not published at 4 ms, published at 5 ms, to topic "events"', async () => {
    const { bus, state } = recordingBus();
    const writer = new AsyncLearningWriter({ bus });
    writer.recordDecision(decision(0));
    await vi.advanceTimersByTimeAsync(4);
    expect(state.publishes).toEqual([]);
    expect(writer.stats().buffered).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.publishes.map((p) => [p.topic, p.n])).toEqual([['events', 1]]);
    expect(writer.stats()).toMatchObject({ buffered: 0, published: 1 });
  });

  it('flushIntervalMs and topic are used as given', async () => {
    const { bus, state } = recordingBus();
    const writer = new AsyncLearningWriter({ bus, flushIntervalMs: 50, topic: 'decisions' });
    writer.recordDecision(decision(0));
    writer.recordDecision(decision(1));
    await vi.advanceTimersByTimeAsync(49);
    expect(state.publishes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.publishes.map((p) => [p.topic, p.n])).toEqual([['decisions', 2]]);
  });

  it('batches hold at most 1,000 events, and a full batch goes out at once', async () => {
    const { bus, state, sizes } = recordingBus();
    const writer = new AsyncLearningWriter({ bus, flushIntervalMs: 60_000 });
    for (let i = 0; i < 999; i++) writer.recordDecision(decision(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(state.publishes).toEqual([]);
    for (let i = 999; i < 2500; i++) writer.recordDecision(decision(i));
    await vi.advanceTimersByTimeAsync(0);
    await writer.flush();
    expect(sizes()).toEqual([1000, 1000, 500]);
  });

  it('a failed publish marks the bus down; it is probed again after 500 ms, not before, and the batch then goes out', async () => {
    const { bus, state, sizes } = recordingBus();
    const writer = new AsyncLearningWriter({ bus });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ busUp: false, publishErrors: 1, published: 0 });
    state.down = false;
    await vi.advanceTimersByTimeAsync(499);
    expect(state.pings).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.pings).toBe(1);
    await writer.flush();
    expect(sizes()).toEqual([1]);
    expect(writer.stats()).toMatchObject({ busUp: true, published: 1 });
  });

  it('recoveryIntervalMs: a probe that fails is repeated at that interval', async () => {
    const { bus, state } = recordingBus();
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 100 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(100);
    expect(state.pings).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(state.pings).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.pings).toBe(2);
    // The failed publish and each failed probe count as publish errors.
    expect(writer.stats().publishErrors).toBe(3);
  });

  it("durability 'local' or 'fsync' without a journal directory is refused", () => {
    const { bus } = recordingBus();
    expect(() => new AsyncLearningWriter({ bus, durability: 'local' })).toThrow(new TypeError("durability 'local' needs a journalDir"));
    expect(() => new AsyncLearningWriter({ bus, durability: 'fsync' })).toThrow("durability 'fsync' needs a journalDir");
    expect(new AsyncLearningWriter({ bus }).stats()).toMatchObject({ durability: 'memory', journalError: undefined, journalBytes: 0, recovered: 0 });
  });
});

describe('the events it records', () => {
  it('recordDecision: a new decision id (uuidv7 of now) when none is given, stream decision-<id>, the time, the metadata', () => {
    const { bus } = recordingBus();
    const seen: NewEvent[] = [];
    vi.setSystemTime(Date.parse('2025-05-01T12:00:00.000Z'));
    const writer = new AsyncLearningWriter({ bus, onRecord: (e) => seen.push(e) });
    const id = writer.recordDecision(decision(0), { actor: 'svc' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(seen[0]).toMatchObject({ type: 'DecisionMade', stream: `decision-${id}`, data: { ...decision(0), decisionId: id }, metadata: { actor: 'svc' }, time: '2025-05-01T12:00:00.000Z' });
    expect(seen[0]!.id).not.toBe(id);
    const given = writer.recordDecision({ ...decision(1), decisionId: 'd-given' });
    expect(given).toBe('d-given');
    expect(seen[1]).toMatchObject({ stream: 'decision-d-given', data: { decisionId: 'd-given' }, metadata: {} });
  });

  it("recordOutcome: kind 'explicit' unless given, the decision's stream, returns the event id", () => {
    const { bus } = recordingBus();
    const seen: NewEvent[] = [];
    const writer = new AsyncLearningWriter({ bus, onRecord: (e) => seen.push(e) });
    const id = writer.recordOutcome('d-1', { label: 'high' });
    expect(seen[0]).toMatchObject({ id, type: 'OutcomeRecorded', stream: 'decision-d-1', data: { decisionId: 'd-1', label: 'high', kind: 'explicit' }, metadata: {} });
    writer.recordOutcome('d-1', { label: 'low', kind: 'implicit' }, { actor: 'a' });
    expect(seen[1]).toMatchObject({ data: { kind: 'implicit' }, metadata: { actor: 'a' } });
  });

  it('onPublished gets each published batch', async () => {
    const { bus } = recordingBus();
    const batches: number[] = [];
    const writer = new AsyncLearningWriter({ bus, batchSize: 2, onPublished: (b) => void batches.push(b.length) });
    for (let i = 0; i < 5; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(batches).toEqual([2, 2, 1]);
  });
});

describe('a full buffer', () => {
  it('with a spool: spilled to it when maxBuffer is reached, then replayed to the bus', async () => {
    const { bus, published } = recordingBus();
    const { spool, batches } = memorySpool();
    const writer = new AsyncLearningWriter({ bus, spool, maxBuffer: 3, flushIntervalMs: 60_000 });
    writer.recordDecision(decision(0));
    writer.recordDecision(decision(1));
    expect(writer.stats().buffered).toBe(2);
    writer.recordDecision(decision(2));
    expect(writer.stats().buffered).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.stats()).toMatchObject({ spooled: 3, replayed: 3, published: 3 });
    expect(batches).toEqual([]);
    expect(published()).toHaveLength(3);
  });

  it('without a spool: flushed at once instead', async () => {
    const { bus, sizes } = recordingBus();
    const writer = new AsyncLearningWriter({ bus, maxBuffer: 3, flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sizes()).toEqual([3]);
  });
});

describe('the outbox: published events stay re-sendable until the store holds them', () => {
  const started = (o: { stored?: (ids: readonly string[]) => Promise<readonly string[]>; maxOutbox?: number; confirmIntervalMs?: number } = {}) => {
    const b = recordingBus();
    const held = new Set<string>();
    const writer = new AsyncLearningWriter({ bus: b.bus, stored: o.stored ?? (async (ids) => ids.filter((id) => held.has(id))), ...(o.maxOutbox ? { maxOutbox: o.maxOutbox } : {}), ...(o.confirmIntervalMs ? { confirmIntervalMs: o.confirmIntervalMs } : {}) });
    writer.start();
    return { ...b, writer, held };
  };

  it('without `stored` there is no outbox', async () => {
    const { bus } = recordingBus();
    const writer = new AsyncLearningWriter({ bus });
    writer.recordDecision(decision(0));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ unconfirmed: 0, oldestUnconfirmedAgeMs: 0 });
  });

  it('published events are unconfirmed, their age grows, confirm() forgets them', async () => {
    const { writer, published } = started();
    writer.recordDecision(decision(0));
    writer.recordDecision(decision(1));
    await writer.flush();
    expect(writer.stats().unconfirmed).toBe(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(writer.stats().oldestUnconfirmedAgeMs).toBe(300);
    writer.confirm([{ id: published()[0]! }]);
    expect(writer.stats().unconfirmed).toBe(1);
    await writer.close();
  });

  it('every 500 ms the store is asked about events published over 1 s ago, and those it holds are forgotten', async () => {
    const asked: string[][] = [];
    const held = new Set<string>();
    const { writer, published } = started({ stored: async (ids) => (asked.push([...ids]), ids.filter((id) => held.has(id))) });
    writer.recordDecision(decision(0));
    await writer.flush();
    for (const id of published()) held.add(id);
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toEqual([]); // published 500 ms ago: too recent to ask about
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toEqual([published()]);
    expect(writer.stats().unconfirmed).toBe(0);
    await writer.close();
  });

  it('a bus that forgot (its epoch changed) gets every unconfirmed event again, oldest first, counted', async () => {
    const { writer, state, published } = started();
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush();
    const first = published();
    await vi.advanceTimersByTimeAsync(500);
    expect(writer.stats()).toMatchObject({ busResets: 0, resent: 0 });
    state.epoch = 'e2';
    await vi.advanceTimersByTimeAsync(500);
    expect(writer.stats()).toMatchObject({ busResets: 1, resent: 3, unconfirmed: 3 });
    expect(published()).toEqual([...first, ...first]);
    await vi.advanceTimersByTimeAsync(500);
    expect(writer.stats()).toMatchObject({ busResets: 1, resent: 3 });
    await writer.close();
  });

  it('maxOutbox bounds it: the oldest are forgotten and counted', async () => {
    const { writer, published } = started({ maxOutbox: 2 });
    for (let i = 0; i < 5; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ unconfirmed: 2, outboxDropped: 3 });
    // The two kept are the newest: confirming them empties the outbox.
    writer.confirm(published().slice(3).map((id) => ({ id })));
    expect(writer.stats().unconfirmed).toBe(0);
    await writer.close();
  });
});
