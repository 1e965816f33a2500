import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus } from './memory-bus.js';
import { busContract, testEvent } from './testing/bus-contract.js';

busContract('memory', async ({ maxDeliveries }) => {
  let clock = 1_700_000_000_000;
  const bus = createMemoryBus({ maxDeliveries, now: () => clock });
  return {
    bus,
    elapse: async (ms) => {
      clock += ms;
    },
    cleanup: () => bus.close(),
  };
});

describe('memory bus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a blocked read up after blockMs with nothing published', async () => {
    vi.useFakeTimers();
    const bus = createMemoryBus();
    await bus.ensureGroup('t', 'g');
    const reading = bus.read('t', 'g', 'c1', { blockMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void reading.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await reading).toEqual([]);
  });

  it('releases blocked reads on close', async () => {
    const bus = createMemoryBus();
    await bus.ensureGroup('t', 'g');
    const reading = bus.read('t', 'g', 'c1', { blockMs: 60_000 });
    await bus.close();
    expect(await reading).toEqual([]);
  });

  it('keeps entry ids increasing when the clock stands still or goes back', async () => {
    const times = [5000, 5000, 4000, 6000];
    const bus = createMemoryBus({ now: () => times.shift() ?? 7000 });
    await bus.ensureGroup('t', 'g');
    for (let n = 0; n < 4; n++) await bus.publish('t', [testEvent(n)]);
    const ids = (await bus.read('t', 'g', 'c')).map((m) => m.id);
    expect(ids).toEqual(['5000-0', '5000-1', '5000-2', '6000-0']);
  });

  it('never trims an entry some group has not acknowledged (random schedules)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('publish' as const), size: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('read' as const), group: fc.nat(1), count: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('ack' as const), group: fc.nat(1), pick: fc.nat() }),
      fc.record({ kind: fc.constant('trim' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), async (ops) => {
        let clock = 1;
        const bus = createMemoryBus({ now: () => clock++, eventsPerEntry: 1 });
        const groups = ['g0', 'g1'];
        for (const g of groups) await bus.ensureGroup('t', g);
        // Model: per group, delivered-but-unacked ids and how many entries are undelivered.
        const pending = groups.map(() => [] as string[]);
        const undelivered = groups.map(() => 0);
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'publish') {
            await bus.publish('t', Array.from({ length: o.size }, () => testEvent(n++)));
            for (let g = 0; g < groups.length; g++) undelivered[g]! += o.size;
          } else if (o.kind === 'read') {
            const got = await bus.read('t', groups[o.group]!, 'c', { count: o.count });
            expect(got).toHaveLength(Math.min(o.count, undelivered[o.group]!));
            undelivered[o.group]! -= got.length;
            pending[o.group]!.push(...got.map((m) => m.id));
          } else if (o.kind === 'ack') {
            const list = pending[o.group]!;
            if (list.length > 0) await bus.ack('t', groups[o.group]!, list.splice(o.pick % list.length, 1));
          } else {
            await bus.trim('t');
          }
        }
        for (let g = 0; g < groups.length; g++) {
          const group = groups[g]!;
          expect(await bus.groupInfo('t', group)).toEqual({ pending: pending[g]!.length, lag: undelivered[g] });
          // Every pending entry is still in the stream (a trimmed one could not be claimed)...
          const claimed = await bus.claimStale('t', group, 'check', { minIdleMs: 0, count: 1000 });
          expect(claimed.messages.map((m) => m.id).sort()).toEqual([...pending[g]!].sort());
          // ...and so is every undelivered one.
          expect(await bus.read('t', group, 'check', { count: 1000 })).toHaveLength(undelivered[g]!);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects invalid options with the offending field', () => {
    expect(() => createMemoryBus({ maxDeliveries: 0 })).toThrow(/invalid bus options/);
  });
});
