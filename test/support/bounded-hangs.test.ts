import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteEventStore } from '../../src/log/events/pglite-event-store.js';
import { START, type EventStore, type ReadAllOptions } from '../../src/log/events/event-store.js';
import { decisionEvent } from '../../src/log/events/testing/fixtures.js';
import { startCheckpointingReader } from '../../src/log/events/testing/checkpointing-reader.js';
import { PollTimeoutError } from './poll-until.js';

// Issue 20, "bounded hangs": a mutant that stops a test's loop from making progress fails the
// test with a message inside its timeout, instead of holding the file. The mutant here is the
// one that once hung a file for 300 s: a gap-safe read that returns the row at its cursor
// (`>=` instead of `>`), so a reader paging through the log never reaches the end. It is
// applied to a real (PGlite) event store through a proxy, and the shared checkpointing reader
// must give up with its message after its deadline (2 s here; vitest's own timeout is 60 s).

/** The store with the mutant: `readAll` never moves past its cursor (every page starts at the beginning). */
function cursorIgnoring(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'readAll') return (o?: ReadAllOptions) => target.readAll({ ...o, after: START });
      const v: unknown = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('a mutated read fails within its deadline, with a message', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    await store.append(Array.from({ length: 6 }, () => decisionEvent()));
  });
  afterAll(async () => store.close());

  it('the real store: the checkpointing reader sees all 6 events once and stops', async () => {
    const { seen, done } = startCheckpointingReader(store, { after: START, limit: 2, expected: 6, writing: () => false, timeoutMs: 2_000 });
    await done;
    expect([...seen.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('the cursor-ignoring mutant: the reader rejects with a PollTimeoutError naming what it waited for, not a hang', async () => {
    const { seen, done } = startCheckpointingReader(cursorIgnoring(store), { after: START, limit: 2, expected: 6, writing: () => false, timeoutMs: 2_000 });
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as Error).message).toMatch(/^timed out after 2000 ms \(\d+ turns\) the checkpointing reader to see 6 events$/);
    // It kept re-reading the same first page: only two events were ever seen, many times each.
    expect(seen.size).toBe(2);
    expect(Math.min(...seen.values())).toBeGreaterThan(1);
  });
});
