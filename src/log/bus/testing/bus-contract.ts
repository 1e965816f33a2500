import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../core/events.js';
import { isApprenticeError } from '../../../core/errors.js';
import type { DeadLetterMessage } from '../dead-letter.js';
import type { BusMessage, LearningBus } from '../learning-bus.js';

export interface BusFixture {
  readonly bus: LearningBus;
  /** Let `ms` pass on the clock the bus measures idle time with (a fake clock, or a real wait). */
  elapse(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** Settings every bus under test must be created with. */
export interface ContractBusSettings {
  readonly maxDeliveries: number;
}

/** Idle timeout used by the claim tests: small, because the Redis run waits on Redis' clock. */
const IDLE_MS = 50;
const MAX_DELIVERIES = 3;

let seq = 0;
/** A small decision-like event; `n` makes its position in the publish order checkable. */
export function testEvent(n: number): NewEvent {
  seq++;
  return {
    id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    type: 'DecisionMade',
    stream: `decision-${n}`,
    data: { n, agent: 'contract', value: n % 2 === 0 ? 'yes' : 'no' },
    metadata: {},
    time: new Date(0).toISOString(),
  };
}

const ns = (messages: readonly BusMessage[]): number[] =>
  messages.flatMap((m) => m.events.map((e) => (e.data as { n: number }).n));

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * The one contract every `LearningBus` implementation passes (STYLE.md §12): ordering,
 * packing, consumer groups, acknowledgement, claiming of stale entries, dead-lettering and
 * safe trimming. `makeBus` must honour `settings.maxDeliveries`; entries pack 256 events.
 */
export function busContract(name: string, makeBus: (settings: ContractBusSettings) => Promise<BusFixture>): void {
  describe(`LearningBus contract: ${name}`, () => {
    let fixture: BusFixture | undefined;
    const setup = async (): Promise<BusFixture & { bus: LearningBus }> => {
      fixture = await makeBus({ maxDeliveries: MAX_DELIVERIES });
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('delivers events in publish order with increasing entry ids', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(0), testEvent(1)]);
      await bus.publish('t', [testEvent(2)]);
      const messages = await bus.read('t', 'g', 'c1');
      expect(ns(messages)).toEqual([0, 1, 2]);
      expect(messages.map((m) => m.deliveries)).toEqual([1, 1]);
      const [a, b] = messages.map((m) => m.id.split('-').map(Number) as [number, number]);
      expect(a![0] < b![0] || (a![0] === b![0] && a![1] < b![1])).toBe(true);
    });

    it('packs a large batch into entries of 256 events and keeps their order', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', range(0, 600).map(testEvent));
      await bus.publish('t', []);
      const messages = await bus.read('t', 'g', 'c1', { count: 10 });
      expect(messages.map((m) => m.events.length)).toEqual([256, 256, 88]);
      expect(ns(messages)).toEqual(range(0, 600));
    });

    it('honours count and returns nothing more once everything was delivered', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      for (const n of range(0, 5)) await bus.publish('t', [testEvent(n)]);
      expect(ns(await bus.read('t', 'g', 'c1', { count: 2 }))).toEqual([0, 1]);
      expect(ns(await bus.read('t', 'g', 'c1', { count: 10 }))).toEqual([2, 3, 4]);
      expect(await bus.read('t', 'g', 'c1')).toEqual([]);
    });

    it('lets every group see every entry', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'projector');
      await bus.ensureGroup('t', 'learner');
      await bus.ensureGroup('t', 'learner'); // idempotent
      await bus.publish('t', [testEvent(0), testEvent(1)]);
      expect(ns(await bus.read('t', 'projector', 'p1'))).toEqual([0, 1]);
      expect(ns(await bus.read('t', 'learner', 'l1'))).toEqual([0, 1]);
    });

    it('splits the work between two consumers of one group', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      for (const n of range(0, 4)) await bus.publish('t', [testEvent(n)]);
      const first = await bus.read('t', 'g', 'c1', { count: 2 });
      const second = await bus.read('t', 'g', 'c2', { count: 2 });
      expect(ns(first)).toEqual([0, 1]);
      expect(ns(second)).toEqual([2, 3]);
    });

    it('wakes a blocked read when an entry is published', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      const reading = bus.read('t', 'g', 'c1', { blockMs: 10_000 });
      await bus.ping(); // the read is on its way
      await bus.publish('t', [testEvent(7)]);
      expect(ns(await reading)).toEqual([7]);
    });

    it('removes acknowledged entries from pending and reports lag and pending', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 0 });
      for (const n of range(0, 3)) await bus.publish('t', [testEvent(n)]);
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 3 });
      const messages = await bus.read('t', 'g', 'c1', { count: 2 });
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 2, lag: 1 });
      await bus.ack('t', 'g', [messages[0]!.id]);
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 1, lag: 1 });
      await bus.ack('t', 'g', [messages[0]!.id, messages[1]!.id]); // acking twice is harmless
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 1 });
    });

    it('redelivers an unacknowledged entry to another consumer once it is idle', async () => {
      const { bus, elapse } = await setup();
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(1)]);
      const [read] = await bus.read('t', 'g', 'dies');
      await bus.ack('t', 'g', []);
      expect(await bus.claimStale('t', 'g', 'rescuer', { minIdleMs: 60_000 })).toEqual({ messages: [], deadLettered: 0 });
      await elapse(IDLE_MS + 20);
      const claimed = await bus.claimStale('t', 'g', 'rescuer', { minIdleMs: IDLE_MS });
      expect(claimed.deadLettered).toBe(0);
      expect(claimed.messages.map((m) => [m.id, m.deliveries])).toEqual([[read!.id, 2]]);
      expect(ns(claimed.messages)).toEqual([1]);
      await bus.ack('t', 'g', [read!.id]);
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 0 });
    });

    it('claims at most count entries, and finds an idle entry behind many busy ones', async () => {
      const { bus, elapse } = await setup();
      await bus.ensureGroup('t', 'g');
      for (const n of range(0, 16)) await bus.publish('t', [testEvent(n)]);
      await bus.read('t', 'g', 'c1', { count: 100 });
      // A wider margin than IDLE_MS: the refreshed entries must not turn idle again on a busy machine.
      const idle = 450;
      await elapse(idle + 50);
      const refreshed = await bus.claimStale('t', 'g', 'c2', { minIdleMs: idle, count: 15 });
      expect(ns(refreshed.messages)).toEqual(range(0, 15));
      // Entries 0..14 were just delivered again; only entry 15 is still idle.
      const behind = await bus.claimStale('t', 'g', 'c3', { minIdleMs: idle, count: 1 });
      expect(ns(behind.messages)).toEqual([15]);
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 16, lag: 0 });
    });

    it(`dead-letters a poison entry after ${MAX_DELIVERIES} deliveries`, async () => {
      const { bus, elapse } = await setup();
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(13)]);
      await bus.publish('t', [testEvent(14)]);
      const [poison, healthy] = await bus.read('t', 'g', 'c1');
      await bus.ack('t', 'g', [healthy!.id]);
      const deliveries = [poison!.deliveries];
      for (let i = 1; i < MAX_DELIVERIES; i++) {
        await elapse(IDLE_MS + 20);
        const { messages } = await bus.claimStale('t', 'g', `c${i + 1}`, { minIdleMs: IDLE_MS });
        deliveries.push(...messages.map((m) => m.deliveries));
      }
      expect(deliveries).toEqual(range(1, MAX_DELIVERIES + 1));
      await elapse(IDLE_MS + 20);
      expect(await bus.claimStale('t', 'g', 'last', { minIdleMs: IDLE_MS })).toEqual({ messages: [], deadLettered: 1 });
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 0 });
      const dead = (await bus.deadLetters('t')) as DeadLetterMessage[];
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ sourceId: poison!.id, group: 'g', deliveries: MAX_DELIVERIES });
      expect(ns(dead)).toEqual([13]);
      expect(await bus.deadLetters('other-topic')).toEqual([]);
    });

    it('trims only entries every group has acknowledged', async () => {
      const { bus, elapse } = await setup();
      expect(await bus.trim('t')).toBe(0); // no stream yet
      await bus.ensureGroup('t', 'a');
      await bus.ensureGroup('t', 'b');
      for (const n of range(0, 5)) await bus.publish('t', [testEvent(n)]);
      const all = await bus.read('t', 'a', 'a1');
      await bus.ack('t', 'a', all.map((m) => m.id));
      expect(await bus.trim('t')).toBe(0); // b has not read anything
      const someOfB = await bus.read('t', 'b', 'b1', { count: 3 });
      await bus.ack('t', 'b', [someOfB[0]!.id, someOfB[1]!.id]); // entry 2 stays pending, 3 and 4 undelivered
      expect(await bus.trim('t')).toBe(2);
      expect(await bus.trim('t')).toBe(0);
      // A group created now (reading from the start) sees exactly what was kept.
      await bus.ensureGroup('t', 'late');
      expect(ns(await bus.read('t', 'late', 'l1'))).toEqual([2, 3, 4]);
      await elapse(IDLE_MS + 20);
      const claimed = await bus.claimStale('t', 'b', 'b2', { minIdleMs: IDLE_MS });
      expect(ns(claimed.messages)).toEqual([2]);
      expect(ns(await bus.read('t', 'b', 'b2'))).toEqual([3, 4]);
      await bus.ack('t', 'b', [someOfB[2]!.id, ...all.slice(3).map((m) => m.id)]);
      const late = await bus.claimStale('t', 'late', 'l2', { minIdleMs: 0 });
      await bus.ack('t', 'late', late.messages.map((m) => m.id));
      expect(await bus.trim('t')).toBe(3);
      expect(await bus.groupInfo('t', 'b')).toEqual({ pending: 0, lag: 0 });
    });

    it('keeps a trimmed stream usable: later entries are delivered normally', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(0)]);
      const first = await bus.read('t', 'g', 'c1');
      await bus.ack('t', 'g', first.map((m) => m.id));
      expect(await bus.trim('t')).toBe(1);
      await bus.publish('t', [testEvent(1)]);
      expect(await bus.groupInfo('t', 'g')).toEqual({ pending: 0, lag: 1 });
      expect(ns(await bus.read('t', 'g', 'c1'))).toEqual([1]);
    });

    // The writer compares epochs to notice a bus that forgot what it was sent (a Redis restarted
    // without persistence, issue 10 case 1) and re-sends what the store does not hold yet. So an
    // epoch must not change while the bus remembers: a spurious change costs a full re-send.
    it('keeps one epoch per topic while it remembers, across publishes and reads', async () => {
      const { bus } = await setup();
      const first = await bus.epoch('t');
      expect(typeof first).toBe('string');
      expect(first.length).toBeGreaterThan(0);
      await bus.ensureGroup('t', 'g');
      await bus.publish('t', [testEvent(1)]);
      const [m] = await bus.read('t', 'g', 'c', { count: 10 });
      await bus.ack('t', 'g', [m!.id]);
      expect(await bus.epoch('t')).toBe(first);
      expect(await bus.epoch('t')).toBe(first);
    });

    it('rejects reads of an unknown group with NOT_FOUND', async () => {
      const { bus } = await setup();
      await bus.ensureGroup('t', 'g');
      const error = await bus.read('t', 'nope', 'c1').catch((e: unknown) => e);
      expect(isApprenticeError(error) && error.code).toBe('NOT_FOUND');
      const info = await bus.groupInfo('missing-topic', 'g').catch((e: unknown) => e);
      expect(isApprenticeError(info) && info.code).toBe('NOT_FOUND');
    });

    it('closes idempotently and then rejects calls', async () => {
      const { bus } = await setup();
      await bus.ping();
      await Promise.all([bus.close(), bus.close()]);
      await bus.close();
      const error = await bus.publish('t', [testEvent(0)]).catch((e: unknown) => e);
      expect(isApprenticeError(error) && error.code).toBe('CLOSED');
    });
  });
}
