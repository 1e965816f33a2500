import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../core/index.js';
import { ClosedError, NotFoundError } from '../../core/index.js';
import type { DeadLetterMessage } from './dead-letter.js';
import type {
  BusMessage,
  BusOptions,
  ClaimOptions,
  ClaimResult,
  GroupInfo,
  LearningBus,
  ReadOptions,
} from './learning-bus.js';
import { resolveBusOptions } from './internal/options.js';
import { chunkEvents } from './internal/packing.js';
import {
  type StreamId,
  ZERO_ID,
  compareStreamIds,
  formatStreamId,
  nextAutoId,
  parseStreamId,
} from './internal/stream-id.js';
import { trimPoint } from './internal/trim-point.js';

export interface MemoryBusOptions extends BusOptions {
  /** Clock in epoch milliseconds, for entry ids and idle times. Default `Date.now`. */
  readonly now?: () => number;
  /** Events packed into one stream entry. Default 256 (as the Redis bus). */
  readonly eventsPerEntry?: number;
}

interface Entry {
  readonly id: StreamId;
  readonly key: string;
  readonly events: readonly NewEvent[];
}

interface PendingEntry {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface Group {
  lastDelivered: StreamId;
  /** Keyed by entry id. Map order is delivery order, which is id order (reads only move forward). */
  readonly pending: Map<string, PendingEntry>;
}

interface Topic {
  /** Sorted by id. */
  entries: Entry[];
  lastId: StreamId;
  readonly groups: Map<string, Group>;
  readonly deadLetters: DeadLetterMessage[];
  lastDeadLetterId: StreamId;
  /** Blocked readers, woken on publish. */
  readonly waiters: Set<() => void>;
}

/**
 * In-process learning bus with the semantics of Redis Streams consumer groups: `<ms>-<seq>`
 * entry ids, a last-delivered id and a pending entries list per group, delivery counts,
 * idle-time claiming, dead-lettering after `maxDeliveries`, and trimming that never drops an
 * entry some group has not acknowledged. Nothing survives the process (embedded mode keeps
 * durability in the event store).
 *
 * @example
 * ```ts
 * const bus = createMemoryBus();
 * await bus.ensureGroup('decisions', 'projector');
 * await bus.publish('decisions', [event]);
 * const [msg] = await bus.read('decisions', 'projector', 'worker-1');
 * await bus.ack('decisions', 'projector', [msg!.id]);
 * ```
 */
export function createMemoryBus(options: MemoryBusOptions = {}): LearningBus {
  const { maxDeliveries, eventsPerEntry } = resolveBusOptions(options);
  const now = options.now ?? Date.now;
  const topics = new Map<string, Topic>();
  let closed = false;
  /** The in-process bus never forgets while it lives: one epoch for its lifetime. */
  const epoch = randomUUID();

  const checkOpen = (): void => {
    if (closed) throw new ClosedError('memory bus');
  };

  const topicOf = (name: string): Topic => {
    let t = topics.get(name);
    if (!t) {
      t = { entries: [], lastId: ZERO_ID, groups: new Map(), deadLetters: [], lastDeadLetterId: ZERO_ID, waiters: new Set() };
      topics.set(name, t);
    }
    return t;
  };

  const groupOf = (topic: string, group: string): { t: Topic; g: Group } => {
    const t = topics.get(topic);
    const g = t?.groups.get(group);
    if (!t || !g) throw new NotFoundError(`no consumer group "${group}" on topic "${topic}"`);
    return { t, g };
  };

  /** Index of the first entry with an id greater than `id` (binary search). */
  const firstAfter = (entries: readonly Entry[], id: StreamId): number => {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStreamIds(entries[mid]!.id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const findEntry = (t: Topic, key: string): Entry | undefined => {
    const id = parseStreamId(key);
    const i = firstAfter(t.entries, id) - 1;
    const e = t.entries[i];
    return e && e.key === key ? e : undefined;
  };

  const readNew = (t: Topic, g: Group, consumer: string, count: number): BusMessage[] => {
    const start = firstAfter(t.entries, g.lastDelivered);
    const batch = t.entries.slice(start, start + count);
    const at = now();
    for (const e of batch) {
      g.pending.set(e.key, { consumer, deliveredAt: at, deliveries: 1 });
      g.lastDelivered = e.id;
    }
    return batch.map((e) => ({ id: e.key, events: e.events, deliveries: 1 }));
  };

  const waitForPublish = (t: Topic, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        t.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      t.waiters.add(wake);
    });

  const deadLetter = (t: Topic, group: string, key: string, deliveries: number): void => {
    const entry = findEntry(t, key);
    t.lastDeadLetterId = nextAutoId(t.lastDeadLetterId, now());
    t.deadLetters.push({
      id: formatStreamId(t.lastDeadLetterId),
      sourceId: key,
      group,
      events: entry?.events ?? [],
      deliveries,
    });
  };

  return {
    kind: 'memory',

    async publish(topic, events) {
      checkOpen();
      if (events.length === 0) return;
      const t = topicOf(topic);
      for (const chunk of chunkEvents(events, eventsPerEntry)) {
        t.lastId = nextAutoId(t.lastId, now());
        t.entries.push({ id: t.lastId, key: formatStreamId(t.lastId), events: chunk });
      }
      for (const wake of [...t.waiters]) wake();
    },

    async ensureGroup(topic, group) {
      checkOpen();
      const t = topicOf(topic);
      if (!t.groups.has(group)) t.groups.set(group, { lastDelivered: ZERO_ID, pending: new Map() });
    },

    async read(topic, group, consumer, readOptions: ReadOptions = {}) {
      checkOpen();
      const count = readOptions.count ?? 100;
      const { t, g } = groupOf(topic, group);
      const first = readNew(t, g, consumer, count);
      if (first.length > 0 || !readOptions.blockMs) return first;
      await waitForPublish(t, readOptions.blockMs);
      return closed ? [] : readNew(t, g, consumer, count);
    },

    async ack(topic, group, ids) {
      checkOpen();
      const { g } = groupOf(topic, group);
      for (const id of ids) g.pending.delete(id);
    },

    async claimStale(topic, group, consumer, claim: ClaimOptions): Promise<ClaimResult> {
      checkOpen();
      const { t, g } = groupOf(topic, group);
      const count = claim.count ?? 100;
      const at = now();
      const messages: BusMessage[] = [];
      let claimed = 0;
      let deadLettered = 0;
      for (const [key, p] of g.pending) {
        if (claimed >= count) break;
        if (at - p.deliveredAt < claim.minIdleMs) continue;
        const entry = findEntry(t, key);
        if (!entry) {
          g.pending.delete(key); // as Redis ≥ 7 does for entries deleted from the stream
          continue;
        }
        claimed++;
        p.consumer = consumer;
        p.deliveredAt = at;
        p.deliveries++;
        if (p.deliveries > maxDeliveries) {
          deadLetter(t, group, key, p.deliveries - 1);
          g.pending.delete(key);
          deadLettered++;
        } else {
          messages.push({ id: key, events: entry.events, deliveries: p.deliveries });
        }
      }
      return { messages, deadLettered };
    },

    async deadLetters(topic, limit = 100) {
      checkOpen();
      return (topics.get(topic)?.deadLetters ?? []).slice(0, limit);
    },

    async groupInfo(topic, group): Promise<GroupInfo> {
      checkOpen();
      const { t, g } = groupOf(topic, group);
      return { pending: g.pending.size, lag: t.entries.length - firstAfter(t.entries, g.lastDelivered) };
    },

    async trim(topic) {
      checkOpen();
      const t = topics.get(topic);
      if (!t) return 0;
      const minId = trimPoint(
        [...t.groups.values()].map((g) => {
          const oldest = g.pending.keys().next();
          return { lastDelivered: g.lastDelivered, oldestPending: oldest.done ? undefined : parseStreamId(oldest.value) };
        }),
      );
      if (!minId) return 0;
      const cut = firstAfter(t.entries, minId) - (findEntry(t, formatStreamId(minId)) ? 1 : 0);
      if (cut <= 0) return 0;
      t.entries = t.entries.slice(cut);
      return cut;
    },

    async deadLetterEvents(topic, group, events, reason) {
      checkOpen();
      const t = topicOf(topic);
      t.lastDeadLetterId = nextAutoId(t.lastDeadLetterId, now());
      t.deadLetters.push({ id: formatStreamId(t.lastDeadLetterId), sourceId: '', group, events: [...events], deliveries: 0, reason });
    },

    async deadLetterCount(topic) {
      checkOpen();
      return topics.get(topic)?.deadLetters.length ?? 0;
    },

    async epoch() {
      checkOpen();
      return epoch;
    },

    async ping() {
      checkOpen();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of topics.values()) for (const wake of [...t.waiters]) wake();
    },
  };
}
