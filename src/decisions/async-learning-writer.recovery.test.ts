import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEvent } from '../core/index.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { DrainResult, Spool, SpoolSize } from '../log/bus/spool.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// What the writer promises around a bus that fails, forgets or is slow, and around close():
// close() waits at most 2 s for a silent bus and leaves no timer behind; a closed writer does
// not replay its spool; a slow store is not asked twice at once, and never about more than
// 10,000 events; a reset right after the first publish is noticed; a failed resend is tried
// again; retries go out as soon as the bus answers; a full batch does not wait for the flush
// delay. Fake timers (and a fake `performance` clock); a memory bus with switches.

const decision = (i: number) =>
  ({ agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 }) as const;

function switchBus() {
  const inner = createMemoryBus();
  const state = {
    /** publish, ping and epoch all fail */
    down: false,
    /** only publish fails */
    publishFails: false,
    /** only epoch fails */
    epochFails: false,
    /** ping never answers */
    pingHangs: false,
    /** fake ms each publish takes */
    publishMs: 0,
    epoch: 'e1',
    pings: 0,
    epochs: 0,
    publishes: [] as { n: number; ids: string[] }[],
  };
  const bus: LearningBus = {
    ...inner,
    publish: async (topic, events) => {
      if (state.publishMs > 0) await new Promise((r) => setTimeout(r, state.publishMs));
      if (state.down || state.publishFails) throw new Error('bus down');
      state.publishes.push({ n: events.length, ids: events.map((e) => e.id) });
      return inner.publish(topic, events);
    },
    ping: async () => {
      state.pings++;
      if (state.pingHangs) return new Promise<void>(() => undefined);
      if (state.down) throw new Error('bus down');
    },
    epoch: async () => {
      state.epochs++;
      if (state.down || state.epochFails) throw new Error('bus down');
      return state.epoch;
    },
  };
  const published = () => state.publishes.flatMap((p) => p.ids);
  const sizes = () => state.publishes.map((p) => p.n);
  return { bus, state, published, sizes };
}

function memorySpool() {
  const batches: NewEvent[][] = [];
  let drains = 0;
  const spool: Spool = {
    append: async (events) => void batches.push([...events]),
    size: async (): Promise<SpoolSize> => ({ batches: batches.length, events: batches.reduce((n, b) => n + b.length, 0), bytes: 0 }),
    drain: async (publish): Promise<DrainResult> => {
      drains++;
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
  return { spool, batches, drains: () => drains };
}

/** A store whose answers are held until released, recording what it was asked. */
function heldStore() {
  const asked: string[][] = [];
  const pending: (() => void)[] = [];
  const holds = new Set<string>();
  const mode = { prompt: false };
  const stored = (ids: readonly string[]): Promise<readonly string[]> => {
    asked.push([...ids]);
    const answer = () => ids.filter((id) => holds.has(id));
    if (mode.prompt) return Promise.resolve(answer());
    return new Promise((resolve) => pending.push(() => resolve(answer())));
  };
  /** Answer what is pending; with `prompt`, answer everything from now on at once. */
  const answerAll = (prompt = false) => {
    mode.prompt = prompt;
    for (const r of pending.splice(0)) r();
  };
  return { stored, asked, holds, answerAll };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('close()', () => {
  it('waits at most 2 s for a bus that does not answer, then returns with the retry unpublished', async () => {
    const { bus, state, published } = switchBus();
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 60_000 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    state.down = false;
    state.pingHangs = true;
    let closed = false;
    void writer.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    expect(published()).toEqual([]);
    expect(writer.stats().busUp).toBe(false);
  });

  it('returns with the retry unpublished when the bus refuses the probe', async () => {
    const { bus, state, published } = switchBus();
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 60_000 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    await writer.close();
    expect(state.pings).toBe(1);
    expect(published()).toEqual([]);
    expect(writer.stats()).toMatchObject({ busUp: false, published: 0 });
  });

  it('a second close() does not probe the bus again; recording after close() names the writer', async () => {
    const { bus, state } = switchBus();
    const writer = new AsyncLearningWriter({ bus, recoveryIntervalMs: 60_000 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    await writer.close();
    await writer.close();
    expect(state.pings).toBe(1);
    expect(() => writer.recordDecision(decision(1))).toThrow('AsyncLearningWriter is closed');
  });

  it('does not wait on a silent bus when nothing is pending retry (a healthy writer, or one whose events are spooled)', async () => {
    const healthy = switchBus();
    healthy.state.pingHangs = true;
    const writer = new AsyncLearningWriter({ bus: healthy.bus });
    writer.recordDecision(decision(0));
    await writer.close(); // would hang on the fake clock if it probed
    expect(healthy.state.pings).toBe(0);
    expect(healthy.published()).toHaveLength(1);

    const spooling = switchBus();
    const { spool, batches } = memorySpool();
    const spooled = new AsyncLearningWriter({ bus: spooling.bus, spool, recoveryIntervalMs: 60_000 });
    spooling.state.down = true;
    spooled.recordDecision(decision(1));
    await spooled.flush();
    spooling.state.down = false;
    spooling.state.pingHangs = true;
    await spooled.close();
    expect(spooling.state.pings).toBe(0);
    expect(batches).toHaveLength(1);
  });

  it('leaves no timer behind: flush delay, recovery probe, confirmation ticker, probe deadline', async () => {
    const { bus, state } = switchBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [], recoveryIntervalMs: 60_000, flushIntervalMs: 60_000 });
    writer.start();
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush(); // bus down: the batch waits for retry, a recovery probe is scheduled
    writer.recordDecision(decision(1)); // a flush is scheduled in 60 s
    state.down = false;
    await writer.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a closed writer does not replay its spool when the bus comes back', async () => {
    const { bus, state, published } = switchBus();
    const { spool, batches, drains } = memorySpool();
    const writer = new AsyncLearningWriter({ bus, spool, recoveryIntervalMs: 100 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    expect(writer.stats().spooled).toBe(1);
    await writer.close();
    state.down = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(drains()).toBe(0);
    expect(published()).toEqual([]);
    expect(batches).toHaveLength(1); // left for the next start
  });
});

describe('the outbox and the store', () => {
  it('a slow store is not asked again while it is still answering', async () => {
    const { bus } = switchBus();
    const store = heldStore();
    const writer = new AsyncLearningWriter({ bus, stored: store.stored });
    writer.start();
    writer.recordDecision(decision(0));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(3000);
    expect(store.asked).toHaveLength(1);
    store.answerAll();
    await vi.advanceTimersByTimeAsync(500);
    expect(store.asked).toHaveLength(2);
    store.answerAll(true); // close() asks once more
    await writer.close();
  });

  it('the store is asked about at most 10,000 events at a time, oldest first', async () => {
    const { bus, published } = switchBus();
    const asked: number[] = [];
    const writer = new AsyncLearningWriter({ bus, stored: async (ids) => (asked.push(ids.length), ids) });
    writer.start();
    for (let i = 0; i < 10_001; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats().unconfirmed).toBe(10_001);
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([10_000]);
    // The one left is the newest.
    expect(writer.stats().unconfirmed).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toEqual([10_000, 1]);
    expect(writer.stats().unconfirmed).toBe(0);
    expect(published()).toHaveLength(10_001);
    await writer.close();
  });

  it('a writer that has not published yet sees no reset in its first looks at the bus', async () => {
    const { bus } = switchBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [] });
    writer.start();
    await vi.advanceTimersByTimeAsync(1500);
    writer.recordDecision(decision(0));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(1500);
    expect(writer.stats()).toMatchObject({ busResets: 0, resent: 0 });
    await writer.close();
  });

  it('a bus that forgets right after the first publish, before any periodic look, is noticed', async () => {
    const { bus, state, published } = switchBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [] });
    writer.start();
    writer.recordDecision(decision(0));
    await writer.flush();
    state.epoch = 'e2';
    await vi.advanceTimersByTimeAsync(500);
    expect(writer.stats()).toMatchObject({ busResets: 1, resent: 1 });
    expect(published()).toEqual([published()[0], published()[0]]);
    await writer.close();
  });

  it("an epoch the bus cannot tell is no reset; nor is the writer's own view while the bus is down", async () => {
    const { bus, state } = switchBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [], recoveryIntervalMs: 60_000 });
    writer.start();
    writer.recordDecision(decision(0));
    await writer.flush();
    state.epochFails = true;
    await vi.advanceTimersByTimeAsync(1500);
    expect(writer.stats()).toMatchObject({ busResets: 0, resent: 0 });
    state.epochFails = false;
    state.epoch = 'e2';
    state.publishFails = true;
    writer.recordDecision(decision(1));
    await writer.flush(); // fails: the bus is down in the writer's view
    const epochsAsked = state.epochs;
    await vi.advanceTimersByTimeAsync(1500);
    expect(state.epochs).toBe(epochsAsked); // not asked while down
    expect(writer.stats()).toMatchObject({ busResets: 0, resent: 0 });
    await writer.close();
  });

  it('events the store already holds are not resent after a reset; the rest go out in batches', async () => {
    const { bus, state, published, sizes } = switchBus();
    const holds = new Set<string>();
    const writer = new AsyncLearningWriter({ bus, batchSize: 2, stored: async (ids) => ids.filter((id) => holds.has(id)) });
    writer.start();
    for (let i = 0; i < 6; i++) writer.recordDecision(decision(i));
    await writer.flush();
    const first = published();
    // Under 1 s old: only the reset's own look at the store finds them.
    holds.add(first[0]!);
    holds.add(first[1]!);
    state.epoch = 'e2';
    await vi.advanceTimersByTimeAsync(500);
    expect(sizes()).toEqual([2, 2, 2, 2, 2]);
    expect(published().slice(6)).toEqual(first.slice(2));
    expect(writer.stats()).toMatchObject({ busResets: 1, resent: 4, unconfirmed: 4 });
    await writer.close();
  });

  it('a resend that fails marks the bus down and is tried again on a later tick', async () => {
    const { bus, state, published } = switchBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [], recoveryIntervalMs: 100 });
    writer.start();
    writer.recordDecision(decision(0));
    await writer.flush();
    const id = published()[0]!;
    state.epoch = 'e2';
    state.publishFails = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(writer.stats()).toMatchObject({ busResets: 1, resent: 0, busUp: false, publishErrors: 1 });
    state.publishFails = false;
    await vi.advanceTimersByTimeAsync(600); // the probe brings it back; the next tick resends
    expect(writer.stats()).toMatchObject({ busResets: 2, resent: 1, busUp: true });
    expect(published()).toEqual([id, id]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(writer.stats()).toMatchObject({ busResets: 2, resent: 1 });
    await writer.close();
  });

  it('the epoch is read once, before the first publish, and only when there is an outbox', async () => {
    const withOutbox = switchBus();
    const writer = new AsyncLearningWriter({ bus: withOutbox.bus, batchSize: 1, stored: async () => [] });
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(withOutbox.state.epochs).toBe(1);
    await writer.close();
    const without = switchBus();
    const plain = new AsyncLearningWriter({ bus: without.bus, batchSize: 1 });
    for (let i = 0; i < 3; i++) plain.recordDecision(decision(i));
    await plain.flush();
    expect(without.state.epochs).toBe(0);
    await plain.close();
  });
});

describe('flushing and recovery', () => {
  it('a full batch goes out at once, not after the flush delay already running', async () => {
    const { bus, sizes } = switchBus();
    const writer = new AsyncLearningWriter({ bus, batchSize: 3, flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sizes()).toEqual([3]);
    await writer.close();
  });

  it('each flushed batch reports its size and the seconds its send took', async () => {
    const { bus, state } = switchBus();
    const flushed: { events: number; seconds: number }[] = [];
    const writer = new AsyncLearningWriter({ bus, batchSize: 2, onFlushed: (b) => flushed.push(b) });
    state.publishMs = 250;
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    const done = writer.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(flushed).toEqual([
      { events: 2, seconds: 0.25 },
      { events: 1, seconds: 0.25 },
    ]);
    await writer.close();
  });

  it('without a spool, batches pending retry go out as soon as the bus answers, with no new event or flush', async () => {
    const { bus, state, sizes } = switchBus();
    const writer = new AsyncLearningWriter({ bus, batchSize: 2, recoveryIntervalMs: 100 });
    state.down = true;
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ busUp: false, published: 0, buffered: 0 });
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(sizes()).toEqual([2, 1]);
    expect(writer.stats()).toMatchObject({ busUp: true, published: 3 });
    await writer.close();
  });

  it('while the bus is marked down, new batches queue in the spool behind the older ones, even if the bus is already back', async () => {
    const { bus, state, published } = switchBus();
    const { spool } = memorySpool();
    const recorded: string[] = [];
    const writer = new AsyncLearningWriter({ bus, spool, recoveryIntervalMs: 1000, onRecord: (e) => recorded.push(e.id) });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    state.down = false; // back, but the writer has not probed it yet
    writer.recordDecision(decision(1));
    await writer.flush();
    expect(published()).toEqual([]);
    expect(writer.stats().spooled).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(published()).toEqual(recorded);
    expect(writer.stats()).toMatchObject({ replayed: 2, busUp: true });
    await writer.close();
  });

  it('a spool replay that fails keeps the bus down and is tried again after the interval', async () => {
    const { bus, state, published } = switchBus();
    const { spool, drains } = memorySpool();
    const writer = new AsyncLearningWriter({ bus, spool, recoveryIntervalMs: 100 });
    state.down = true;
    writer.recordDecision(decision(0));
    await writer.flush();
    state.down = false;
    state.publishFails = true; // the probe answers, the replay's publish does not
    await vi.advanceTimersByTimeAsync(100);
    expect(drains()).toBe(1);
    expect(writer.stats()).toMatchObject({ busUp: false, replayed: 0, publishErrors: 2 });
    state.publishFails = false;
    await vi.advanceTimersByTimeAsync(99);
    expect(drains()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(drains()).toBe(2);
    expect(published()).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ busUp: true, replayed: 1, published: 1 });
    await writer.close();
  });
});
