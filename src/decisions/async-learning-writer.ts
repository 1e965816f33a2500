import {
  EventType,
  decisionStream,
  type DecisionData,
  type EventMetadata,
  type NewEvent,
  type OutcomeData,
} from '../core/index.js';
import { ClosedError } from '../core/index.js';
import { uuidv7 } from '../core/index.js';
import type { LearningBus } from '../log/index.js';
import type { Spool } from '../log/index.js';

export interface AsyncLearningWriterOptions {
  readonly bus: LearningBus;
  /** Bus topic. Default `events`. */
  readonly topic?: string;
  /** Where batches go while the bus is unreachable. Without one, failed batches are retried in memory. */
  readonly spool?: Spool;
  /** Events held in memory before the buffer is spilled to the spool. Default 100,000. */
  readonly maxBuffer?: number;
  /** Events per published batch. Default 1,000. */
  readonly batchSize?: number;
  /** Longest an event waits before its batch is flushed. Default 5 ms. */
  readonly flushIntervalMs?: number;
  /** How often to probe the bus while it is down. Default 500 ms. */
  readonly recoveryIntervalMs?: number;
  /** Called synchronously with every recorded event (read-your-writes caches). Keep it cheap. */
  readonly onRecord?: (event: NewEvent) => void;
  /** Called after a batch reached the bus. */
  readonly onPublished?: (events: readonly NewEvent[]) => void;
}

/** A decision to record; `decisionId` is generated when absent. */
export type DecisionInput = Omit<DecisionData, 'decisionId'> & { readonly decisionId?: string };
export type OutcomeInput = Omit<OutcomeData, 'decisionId' | 'kind'> & { readonly kind?: OutcomeData['kind'] };

export interface WriterStats {
  readonly buffered: number;
  readonly published: number;
  readonly spooled: number;
  readonly replayed: number;
  readonly publishErrors: number;
  readonly busUp: boolean;
}

/**
 * The command side (CQRS). `recordDecision`/`recordOutcome` enqueue synchronously into a
 * bounded in-memory buffer and return at once; batches are published to the learning bus in
 * the background. While the bus is unreachable, batches (and everything after them, to keep
 * order) go to an append-only spool file and are replayed when it returns.
 *
 * @example
 * const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
 * const id = writer.recordDecision({ agent: 'debugger', unitId: 'task-1', value: 'flaky-test', ... });
 * writer.recordOutcome(id, { label: 'race-condition' });
 */
export class AsyncLearningWriter {
  readonly #bus: LearningBus;
  readonly #topic: string;
  readonly #spool: Spool | undefined;
  readonly #maxBuffer: number;
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #recoveryMs: number;
  readonly #onRecord: ((e: NewEvent) => void) | undefined;
  readonly #onPublished: ((e: readonly NewEvent[]) => void) | undefined;
  #buffer: NewEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #busUp = true;
  #recovery: NodeJS.Timeout | undefined;
  #closed = false;
  #published = 0;
  #spooled = 0;
  #replayed = 0;
  #publishErrors = 0;
  /** Batches that failed with no spool configured: retried in order. */
  #retry: NewEvent[][] = [];

  constructor(options: AsyncLearningWriterOptions) {
    this.#bus = options.bus;
    this.#topic = options.topic ?? 'events';
    this.#spool = options.spool;
    this.#maxBuffer = options.maxBuffer ?? 100_000;
    this.#batchSize = options.batchSize ?? 1000;
    this.#flushMs = options.flushIntervalMs ?? 5;
    this.#recoveryMs = options.recoveryIntervalMs ?? 500;
    this.#onRecord = options.onRecord;
    this.#onPublished = options.onPublished;
  }

  /** Enqueue a `DecisionMade` event. Synchronous; returns the decision id. */
  recordDecision(decision: DecisionInput, metadata: EventMetadata = {}): string {
    const now = Date.now();
    const decisionId = decision.decisionId ?? uuidv7(now);
    this.record({
      id: uuidv7(now),
      type: EventType.DecisionMade,
      stream: decisionStream(decisionId),
      data: decision.decisionId === undefined ? { ...decision, decisionId } : decision,
      metadata,
      time: new Date(now).toISOString(),
    });
    return decisionId;
  }

  /** Enqueue an `OutcomeRecorded` event. Synchronous; returns the event id. */
  recordOutcome(decisionId: string, outcome: OutcomeInput, metadata: EventMetadata = {}): string {
    const now = Date.now();
    const id = uuidv7(now);
    const data: OutcomeData = { ...outcome, decisionId, kind: outcome.kind ?? 'explicit' };
    this.record({ id, type: EventType.OutcomeRecorded, stream: decisionStream(decisionId), data, metadata, time: new Date(now).toISOString() });
    return id;
  }

  /** Enqueue any event. Synchronous, never waits on I/O. */
  record(event: NewEvent): void {
    if (this.#closed) throw new ClosedError('AsyncLearningWriter');
    this.#buffer.push(event);
    this.#onRecord?.(event);
    const n = this.#buffer.length;
    if (n >= this.#maxBuffer) this.#spill();
    else if (n >= this.#batchSize) this.#schedule(0);
    else if (n === 1) this.#schedule(this.#flushMs);
  }

  stats(): WriterStats {
    return {
      buffered: this.#buffer.length,
      published: this.#published,
      spooled: this.#spooled,
      replayed: this.#replayed,
      publishErrors: this.#publishErrors,
      busUp: this.#busUp,
    };
  }

  /** Publish (or spool) everything buffered so far. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#flushNow();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Flush and stop. Idempotent. Events still unpublishable stay in the spool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#recovery) clearTimeout(this.#recovery);
    if (this.#retry.length > 0 && this.#busUp) await this.#flushNow();
  }

  #schedule(ms: number): void {
    if (this.#timer) {
      if (ms > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
  }

  /**
   * The buffer is full (the bus is slower than the callers): move it to the spool file
   * rather than grow without bound. Spilled events are replayed by the recovery loop, so
   * under overload a spilled decision may reach the bus after a later outcome; projections
   * and the training join accept either order.
   */
  #spill(): void {
    if (!this.#spool) {
      this.#schedule(0);
      return;
    }
    const overflow = this.#buffer;
    this.#buffer = [];
    this.#spooled += overflow.length;
    void this.#spool.append(overflow).then(() => {
      if (!this.#recovery) this.#recovery = setTimeout(() => void this.#recover(), 0);
    });
  }

  async #flushNow(): Promise<void> {
    while (this.#buffer.length > 0 || (this.#retry.length > 0 && this.#busUp)) {
      let batch: NewEvent[];
      if (this.#retry.length > 0 && this.#busUp) batch = this.#retry.shift()!;
      else if (this.#buffer.length <= this.#batchSize) {
        batch = this.#buffer;
        this.#buffer = [];
      } else batch = this.#buffer.splice(0, this.#batchSize);
      await this.#send(batch);
      if (!this.#busUp && !this.#spool && this.#buffer.length === 0) break;
    }
  }

  async #send(batch: NewEvent[]): Promise<void> {
    if (this.#busUp) {
      try {
        await this.#bus.publish(this.#topic, batch);
        this.#published += batch.length;
        this.#onPublished?.(batch);
        return;
      } catch {
        this.#publishErrors++;
        this.#markDown();
      }
    }
    if (this.#spool) {
      await this.#spool.append(batch);
      this.#spooled += batch.length;
    } else this.#retry.push(batch);
  }

  #markDown(): void {
    this.#busUp = false;
    if (!this.#recovery) this.#recovery = setTimeout(() => void this.#recover(), this.#recoveryMs);
  }

  /** Probe the bus; when it answers, replay the spool in order before new batches. */
  async #recover(): Promise<void> {
    this.#recovery = undefined;
    if (this.#closed && this.#retry.length === 0 && !this.#spool) return;
    try {
      await this.#bus.ping();
      // Hold new flushes while the spool drains, so older events are published first.
      while (this.#flushing) await this.#flushing;
      let release!: () => void;
      this.#flushing = new Promise<void>((r) => (release = r));
      try {
        if (this.#spool) {
          const r = await this.#spool.drain((events) => this.#bus.publish(this.#topic, events));
          this.#replayed += r.events;
          this.#published += r.events;
        }
        this.#busUp = true;
      } finally {
        this.#flushing = undefined;
        release();
      }
      if (this.#buffer.length > 0 || this.#retry.length > 0) await this.flush();
    } catch {
      this.#publishErrors++;
      if (!this.#closed || this.#retry.length > 0) this.#recovery = setTimeout(() => void this.#recover(), this.#recoveryMs);
    }
  }
}
