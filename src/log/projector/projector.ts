import { isUnavailableError } from '../../core/index.js';
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
  /** Block on an empty stream. Default 100 ms. */
  readonly blockMs?: number;
  /** Claim entries other consumers left pending this long. Default 30 s. */
  readonly claimIdleMs?: number;
  /** How often to look for such entries. Default 1 s. */
  readonly claimIntervalMs?: number;
  /** Retry delay while the event store is unreachable. Default 200 ms, doubling to 5 s. */
  readonly retryMs?: number;
  /** After each appended batch (for caches, learners, metrics). */
  readonly onAppended?: (events: readonly NewEvent[], inserted: number) => void;
  readonly onError?: (error: unknown) => void;
}

export interface ProjectorStats {
  readonly appended: number;
  readonly duplicates: number;
  readonly batches: number;
  readonly claimed: number;
  readonly deadLettered: number;
  readonly storeErrors: number;
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
  readonly #o: Required<Omit<ProjectorOptions, 'onAppended' | 'onError'>> & Pick<ProjectorOptions, 'onAppended' | 'onError'>;
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

  constructor(options: ProjectorOptions) {
    this.#o = {
      topic: 'events',
      group: 'projector',
      count: 50,
      blockMs: 100,
      claimIdleMs: 30_000,
      claimIntervalMs: 1000,
      retryMs: 200,
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
        if (msgs.length === 0) msgs = await bus.read(topic, group, consumer, { count, blockMs });
        if (msgs.length > 0) await this.#process(msgs);
      } catch (e) {
        this.#o.onError?.(e);
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
        await bus.ack(topic, group, msgs.map((m) => m.id));
        return;
      } catch (e) {
        this.#storeErrors++;
        this.#o.onError?.(e);
        if (isUnavailableError(e)) {
          if (!this.#running && this.#loop) return; // stopping: leave them pending for another consumer
          await this.#sleep(delay);
          delay = Math.min(delay * 2, 5000);
          continue;
        }
        // A bad entry: store the good entries one by one and leave the bad ones pending, so
        // they are redelivered and, after maxDeliveries, dead-lettered.
        await this.#isolate(msgs);
        return;
      }
    }
  }

  async #isolate(msgs: readonly BusMessage[]): Promise<void> {
    const { bus, topic, group, store } = this.#o;
    for (const m of msgs) {
      try {
        const r = await store.append(m.events);
        this.#record(m.events, r.inserted.length);
        await bus.ack(topic, group, [m.id]);
      } catch (e) {
        this.#o.onError?.(e);
        if (isUnavailableError(e)) return;
      }
    }
  }

  #record(events: readonly NewEvent[], inserted: number): void {
    this.#batches++;
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
