import { ErrorCode, isApprenticeError, isUnavailableError } from '../../core/index.js';
import type { NewEvent } from '../../core/index.js';
import type { BusMessage, LearningBus } from '../bus/learning-bus.js';
import type { EventStore } from '../events/event-store.js';

export interface ProjectorOptions {
  readonly bus: LearningBus;
  readonly store: EventStore;
  /** Default `events`. */
  readonly topic?: string;
  /** Consumer group. Default `projector`. */
  readonly group?: string;
  /** This consumer's name, unique per process. */
  readonly consumer: string;
  /** Entries per read. Default 50. */
  readonly count?: number;
  /**
   * Block on an empty stream. Default 1 s: a read returns as soon as an entry arrives, so this
   * costs no latency; it only sets how often an idle projector asks (issue 15: idle cost).
   */
  readonly blockMs?: number;
  /** Claim entries other consumers left pending this long. Default 30 s. */
  readonly claimIdleMs?: number;
  /** How often to look for such entries. Default 5 s (they are claimed only after `claimIdleMs` anyway). */
  readonly claimIntervalMs?: number;
  /** Retry delay while the event store is unreachable. Default 200 ms, doubling to `maxRetryMs`. */
  readonly retryMs?: number;
  /**
   * Longest retry delay. Default 1 s: health reports recovery only once the backlog is stored,
   * so the wait after the store comes back is at most this (a retry a second against a store
   * that is down costs nothing worth saving).
   */
  readonly maxRetryMs?: number;
  /**
   * How often to trim the topic of entries every consumer group has stored and acknowledged
   * (`bus.trim`: never an entry some group has not processed). Default 5 s; 0 never trims.
   * Without it the stream (Redis memory, or the in-process bus's heap) grows with every event
   * ever published: the event store is the log, the bus only carries events to it.
   */
  readonly trimIntervalMs?: number;
  /** After each appended batch (for caches, learners, metrics). */
  readonly onAppended?: (events: readonly NewEvent[], inserted: number) => void;
  readonly onError?: (error: unknown) => void;
  /** An event the store refused by itself, dead-lettered alone (log it with the reason). */
  readonly onPoison?: (event: NewEvent, reason: string) => void;
}

export interface ProjectorStats {
  readonly appended: number;
  readonly duplicates: number;
  readonly batches: number;
  readonly claimed: number;
  readonly deadLettered: number;
  readonly storeErrors: number;
  /** Times the consumer group was found missing (a Redis that forgot it) and created again. */
  readonly groupsRecreated: number;
  /** Events dead-lettered one by one because the store refused them (poison). */
  readonly poisoned: number;
  /** When the last batch was stored (epoch ms), 0 before the first. */
  readonly lastAppendAt: number;
  /** Bus entries read for the first time (new deliveries to this consumer). */
  readonly delivered: number;
  /** Bus entries acknowledged after their events were stored (or dead-lettered as poison). */
  readonly acked: number;
  /** Bus entries whose append was retried because the event store was unreachable (once per retry). */
  readonly retried: number;
  /** Bus entries trimmed after every group had acknowledged them (by this projector's trims). */
  readonly trimmed: number;
  readonly running: boolean;
}

/**
 * Consumes the learning bus and appends to the event store exactly once: the store skips
 * event ids it already has, and an entry is acknowledged only after its events are stored.
 * While PostgreSQL is down nothing is acknowledged; the batch is retried with backoff and
 * everything else waits in the stream. A dead consumer's entries are claimed after
 * `claimIdleMs`; an entry that keeps failing reaches the dead-letter stream.
 */
export class Projector {
  readonly #o: Required<Omit<ProjectorOptions, 'onAppended' | 'onError' | 'onPoison'>> &
    Pick<ProjectorOptions, 'onAppended' | 'onError' | 'onPoison'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #appended = 0;
  #duplicates = 0;
  #batches = 0;
  #claimed = 0;
  #deadLettered = 0;
  #storeErrors = 0;
  #lastClaim = 0;
  #groupReady = false;
  #groupsRecreated = 0;
  #poisoned = 0;
  #lastAppendAt = 0;
  #delivered = 0;
  #acked = 0;
  #retried = 0;
  #trimmed = 0;
  #lastTrim = Date.now();

  constructor(options: ProjectorOptions) {
    this.#o = {
      topic: 'events',
      group: 'projector',
      count: 50,
      blockMs: 1000,
      claimIdleMs: 30_000,
      claimIntervalMs: 5000,
      retryMs: 200,
      maxRetryMs: 1000,
      trimIntervalMs: 5000,
      ...options,
    };
  }

  stats(): ProjectorStats {
    return {
      appended: this.#appended,
      duplicates: this.#duplicates,
      batches: this.#batches,
      claimed: this.#claimed,
      deadLettered: this.#deadLettered,
      storeErrors: this.#storeErrors,
      groupsRecreated: this.#groupsRecreated,
      poisoned: this.#poisoned,
      lastAppendAt: this.#lastAppendAt,
      delivered: this.#delivered,
      acked: this.#acked,
      retried: this.#retried,
      trimmed: this.#trimmed,
      running: this.#running,
    };
  }

  /** Start consuming. If the bus is not reachable yet, the group is created once it is. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#groupReady = await this.#o.bus.ensureGroup(this.#o.topic, this.#o.group).then(
      () => true,
      () => false,
    );
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stop after the batch in hand is stored and acknowledged. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Process whatever is available now (tests, `apprentice worker --once`). Returns entries handled. */
  async drainOnce(): Promise<number> {
    const { bus, topic, group, consumer, count } = this.#o;
    await bus.ensureGroup(topic, group);
    let handled = 0;
    for (;;) {
      const msgs = await bus.read(topic, group, consumer, { count });
      if (msgs.length === 0) return handled;
      this.#delivered += msgs.length;
      await this.#process(msgs);
      handled += msgs.length;
    }
  }

  async #run(): Promise<void> {
    const { bus, topic, group, consumer, count, blockMs } = this.#o;
    while (this.#running) {
      try {
        if (!this.#groupReady) {
          await bus.ensureGroup(topic, group);
          this.#groupReady = true;
        }
        let msgs: readonly BusMessage[] = [];
        if (Date.now() - this.#lastClaim >= this.#o.claimIntervalMs) {
          this.#lastClaim = Date.now();
          const c = await bus.claimStale(topic, group, consumer, { minIdleMs: this.#o.claimIdleMs, count });
          this.#claimed += c.messages.length;
          this.#deadLettered += c.deadLettered;
          msgs = c.messages;
        }
        if (msgs.length === 0) {
          msgs = await bus.read(topic, group, consumer, { count, blockMs });
          this.#delivered += msgs.length;
        }
        if (msgs.length > 0) await this.#process(msgs);
        const every = this.#o.trimIntervalMs;
        if (every > 0 && Date.now() - this.#lastTrim >= every) {
          this.#lastTrim = Date.now();
          this.#trimmed += await bus.trim(topic);
        }
      } catch (e) {
        this.#o.onError?.(e);
        if (isApprenticeError(e) && e.code === ErrorCode.NOT_FOUND) {
          // NOGROUP: Redis lost the group (restarted without persistence, flushed). Create it
          // again from the start of what the stream holds now: nothing published since is
          // skipped, and whatever the old stream held is resent by the writers' outboxes.
          if (this.#groupReady) this.#groupsRecreated++;
          this.#groupReady = false;
          continue;
        }
        await this.#sleep(this.#o.retryMs);
      }
    }
  }

  /** Store then acknowledge. Retries while the store is unreachable; never acks unstored events. */
  async #process(msgs: readonly BusMessage[]): Promise<void> {
    const { bus, topic, group, store } = this.#o;
    const events = msgs.flatMap((m) => m.events);
    let delay = this.#o.retryMs;
    for (;;) {
      try {
        const r = await store.append(events);
        this.#record(events, r.inserted.length);
        break;
      } catch (e) {
        this.#storeErrors++;
        this.#o.onError?.(e);
        if (isUnavailableError(e)) {
          if (!this.#running && this.#loop) return; // stopping: leave them pending for another consumer
          this.#retried += msgs.length;
          await this.#sleep(delay);
          delay = Math.min(delay * 2, this.#o.maxRetryMs);
          continue;
        }
        // A bad event: store every good one and dead-letter only the bad ones (bisecting the
        // batch), then acknowledge the entries. Unavailable store mid-way: leave them pending.
        if (!(await this.#isolate(events))) return;
        break;
      }
    }
    // An ack that fails (Redis gone) leaves the entries pending or lost with the group: they are
    // stored already, so a redelivery or a writer's resend is a no-op in the store.
    await bus.ack(topic, group, msgs.map((m) => m.id));
    this.#acked += msgs.length;
  }

  /**
   * Append `events`, halving the batch around whatever the store refuses until each refused
   * event stands alone; that event goes to the dead-letter stream with the reason. Returns
   * false if the store became unreachable (nothing is acknowledged then).
   */
  async #isolate(events: readonly NewEvent[]): Promise<boolean> {
    const { bus, topic, group, store } = this.#o;
    try {
      const r = await store.append(events);
      this.#record(events, r.inserted.length);
      return true;
    } catch (e) {
      if (isUnavailableError(e)) {
        this.#storeErrors++;
        this.#o.onError?.(e);
        return false;
      }
      if (events.length === 1) {
        const reason = e instanceof Error ? e.message : String(e);
        await bus.deadLetterEvents(topic, group, events, reason);
        this.#poisoned++;
        this.#deadLettered++;
        this.#o.onPoison?.(events[0]!, reason);
        return true;
      }
      const half = Math.ceil(events.length / 2);
      return (await this.#isolate(events.slice(0, half))) && (await this.#isolate(events.slice(half)));
    }
  }

  #record(events: readonly NewEvent[], inserted: number): void {
    this.#batches++;
    this.#lastAppendAt = Date.now();
    this.#appended += inserted;
    this.#duplicates += events.length - inserted;
    this.#o.onAppended?.(events, inserted);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
