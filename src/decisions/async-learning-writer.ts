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
import { type Durability, Journal } from '../log/index.js';

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
  /** After each batch a flush sent (to the bus, the spool or the retry list), with its time in seconds (metrics). */
  readonly onFlushed?: (batch: { readonly events: number; readonly seconds: number }) => void;
  /**
   * What must hold an event before `record` returns (DESIGN.md §7). `memory`: the buffer only;
   * `local`: a write(2) to the journal in `journalDir` (survives a process crash); `fsync`: the
   * same plus group commit, awaited through `durable()` (survives a machine crash). Default
   * `memory` here; the service defaults to `local` (see `ApprenticeConfig.durability`).
   */
  readonly durability?: Durability;
  /** Directory of the journal (required for `local` and `fsync`). */
  readonly journalDir?: string;
  /**
   * Which of these event ids the event store holds. Published events stay re-sendable until
   * confirmed stored, by this or by `confirm` (the in-process projector calls it). Without it
   * the writer keeps no outbox.
   */
  readonly stored?: (ids: readonly string[]) => Promise<readonly string[]>;
  /** How often to look for a bus that forgot (its epoch changed) and for stored events. Default 500 ms. */
  readonly confirmIntervalMs?: number;
  /** Published, unconfirmed events kept re-sendable in memory. Default 250,000 (older ones are forgotten, counted). */
  readonly maxOutbox?: number;
}

/** How long `close()` waits for the bus to answer before leaving pending retries to the journal (ms). */
const CLOSE_PROBE_MS = 2000;

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
  /** Published events the event store is not known to hold yet (re-sendable). */
  readonly unconfirmed: number;
  /** How long ago the oldest of them was published, ms (0 when none): the pipeline's lag. */
  readonly oldestUnconfirmedAgeMs: number;
  /** Events published again because the bus forgot them (its epoch changed). */
  readonly resent: number;
  /** Times the bus was found to have forgotten its data. */
  readonly busResets: number;
  /** Unconfirmed events dropped from the in-memory outbox because it was full. */
  readonly outboxDropped: number;
  /** Events replayed from the journal of a previous run at start. */
  readonly recovered: number;
  /** Journal writes that failed (the event then is only in memory). */
  readonly journalErrors: number;
  /** Events refused because the writer was closed (`record` threw `ClosedError`). */
  readonly droppedClosed: number;
  /** Events lost because the spool refused them (disk full, unwritable) while the bus was down or the buffer full. */
  readonly droppedSpoolError: number;
  /** The configured level; `memory` in effect when `journalError` is set. */
  readonly durability: Durability;
  /** Why the journal could not be opened (held by another process, unwritable). */
  readonly journalError: string | undefined;
  /** Journal segments on disk and their bytes (0 with `durability: 'memory'`). */
  readonly journalBytes: number;
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
  readonly #onFlushed: AsyncLearningWriterOptions['onFlushed'];
  #buffer: NewEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #busUp = true;
  #recovery: NodeJS.Timeout | undefined;
  /** The recovery probe in flight, which close() waits for (bounded) so none outlives the writer. */
  #recovering: Promise<void> | undefined;
  #closed = false;
  #published = 0;
  #spooled = 0;
  #replayed = 0;
  #publishErrors = 0;
  /** Batches that failed with no spool configured: retried in order. */
  #retry: NewEvent[][] = [];
  readonly #durability: Durability;
  readonly #journalDir: string | undefined;
  #journal: Journal | undefined;
  #journalError: string | undefined;
  readonly #stored: ((ids: readonly string[]) => Promise<readonly string[]>) | undefined;
  readonly #confirmMs: number;
  readonly #maxOutbox: number;
  /** Published and not yet known stored, in publish order: what a bus reset must not lose. */
  readonly #outbox = new Map<string, { event: NewEvent; at: number }>();
  #epoch: string | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #ticking = false;
  #resent = 0;
  #busResets = 0;
  #outboxDropped = 0;
  #recovered = 0;
  #journalErrors = 0;
  #droppedClosed = 0;
  #droppedSpoolError = 0;

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
    this.#onFlushed = options.onFlushed;
    this.#durability = options.durability ?? 'memory';
    this.#stored = options.stored;
    this.#confirmMs = options.confirmIntervalMs ?? 500;
    this.#maxOutbox = options.maxOutbox ?? 250_000;
    if (this.#durability !== 'memory' && options.journalDir === undefined)
      throw new TypeError(`durability '${this.#durability}' needs a journalDir`);
    this.#journalDir = options.journalDir;
  }

  /**
   * Start the background work: open the journal (`local`/`fsync`) and resend what a previous
   * run left in it, replay what the spool holds, and watch for a bus that forgot (resend) and
   * for stored events (forget). Events recorded before `start` are only as durable as memory.
   * If another live process holds the journal, this one runs with `memory` durability
   * (`stats().journalError` says why). Idempotent.
   */
  start(): void {
    if (this.#ticker || this.#closed) return;
    if (this.#durability !== 'memory' && this.#journalDir !== undefined) {
      try {
        const { journal, recovered } = Journal.open({ dir: this.#journalDir, durability: this.#durability });
        this.#journal = journal;
        // What a previous run acknowledged and may not have stored: resend it (idempotent store).
        this.#recovered = recovered.length;
        this.#buffer = recovered.concat(this.#buffer);
        if (this.#buffer.length > 0) this.#schedule(0);
      } catch (e) {
        this.#journalError = e instanceof Error ? e.message : String(e);
      }
    }
    this.#ticker = setInterval(() => void this.#tick(), this.#confirmMs);
    this.#ticker.unref();
    if (this.#spool) this.#scheduleRecovery(0);
  }

  /**
   * Resolves when every event recorded so far is as durable as the configured level promises
   * (`fsync`: on stable storage, by group commit); at once for `memory` and `local`.
   */
  durable(): Promise<void> {
    return this.#journal?.durable() ?? Promise.resolve();
  }

  /** The event store holds these events: they need not be resent any more. */
  confirm(events: readonly { readonly id: string }[]): void {
    if (this.#outbox.size === 0 && !this.#journal) return;
    const ids = events.map((e) => e.id);
    for (const id of ids) this.#outbox.delete(id);
    this.#journal?.confirm(ids);
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
    if (this.#closed) {
      this.#droppedClosed++;
      throw new ClosedError('AsyncLearningWriter');
    }
    if (this.#journal) {
      try {
        this.#journal.append(event);
      } catch {
        this.#journalErrors++; // disk full or gone: the event is still buffered and published
      }
    }
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
      unconfirmed: this.#outbox.size,
      oldestUnconfirmedAgeMs: this.#oldestUnconfirmedAgeMs(),
      resent: this.#resent,
      busResets: this.#busResets,
      outboxDropped: this.#outboxDropped,
      recovered: this.#recovered,
      journalErrors: this.#journalErrors,
      droppedClosed: this.#droppedClosed,
      droppedSpoolError: this.#droppedSpoolError,
      durability: this.#durability,
      journalError: this.#journalError,
      journalBytes: this.#journal?.stats().bytes ?? 0,
    };
  }

  #oldestUnconfirmedAgeMs(): number {
    const first = this.#outbox.values().next();
    return first.done ? 0 : Math.max(0, Date.now() - first.value.at);
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
    if (this.#ticker) clearInterval(this.#ticker);
    this.#recovery = undefined;
    // A probe already out ends without publishing (it sees #closed); wait for it, bounded.
    if (this.#recovering) await settleWithin(this.#recovering, CLOSE_PROBE_MS);
    // Batches pending retry (no spool): if the bus is back but the recovery probe has not run
    // yet, probe it now, within a deadline, rather than return with them unpublished.
    if (this.#retry.length > 0 && !this.#busUp) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('close: bus probe timed out')), CLOSE_PROBE_MS)));
      try {
        await Promise.race([this.#bus.ping(), deadline]);
        this.#busUp = true;
      } catch {
        // still down: what the journal holds is replayed at the next start
      } finally {
        clearTimeout(timer);
      }
    }
    if (this.#retry.length > 0 && this.#busUp) await this.#flushNow();
    // A last look at what the store holds, so the journal is left with only what it lacks.
    await this.#confirmStored(Infinity).catch(() => undefined);
    this.#journal?.close();
  }

  /** Periodic: forget what the store holds; resend everything unconfirmed if the bus forgot. */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      // Nothing unconfirmed, nothing to resend: an idle writer does not ask the bus (issue 15).
      // A reset while idle is still seen, at the first tick with entries in the outbox.
      if (this.#outbox.size === 0 && this.#epoch !== undefined) return;
      const epoch = this.#busUp ? await this.#bus.epoch(this.#topic).catch(() => undefined) : undefined;
      if (epoch === undefined || this.#epoch === undefined || epoch === this.#epoch) {
        this.#epoch ??= epoch;
        await this.#confirmStored(Date.now() - 2 * this.#confirmMs).catch(() => undefined);
        return;
      }
      this.#busResets++;
      // The bus forgot: what the store does not hold yet must be published again, oldest first.
      await this.#confirmStored(Infinity).catch(() => undefined);
      if (await this.#resendOutbox()) this.#epoch = epoch; // else: seen again on the next tick
    } finally {
      this.#ticking = false;
    }
  }

  /** Ask the store about outbox entries published before `before` (ms); forget those it holds. */
  async #confirmStored(before: number): Promise<void> {
    if (!this.#stored || this.#outbox.size === 0) return;
    const ids: string[] = [];
    for (const [id, o] of this.#outbox) {
      if (o.at > before || ids.length >= 10_000) break;
      ids.push(id);
    }
    if (ids.length === 0) return;
    const held = await this.#stored(ids);
    this.confirm(held.map((id) => ({ id })));
  }

  async #resendOutbox(): Promise<boolean> {
    while (this.#flushing) await this.#flushing;
    let release!: () => void;
    this.#flushing = new Promise<void>((r) => (release = r));
    try {
      const all = [...this.#outbox.values()].map((o) => o.event);
      for (let i = 0; i < all.length; i += this.#batchSize) {
        const batch = all.slice(i, i + this.#batchSize);
        try {
          await this.#bus.publish(this.#topic, batch);
        } catch {
          this.#publishErrors++;
          this.#markDown();
          return false;
        }
        this.#resent += batch.length;
        this.#track(batch);
      }
      return true;
    } finally {
      this.#flushing = undefined;
      release();
    }
  }

  /** Published events kept re-sendable until the store confirms them: entries, bound (`maxOutbox`), evictions (dropped when full). */
  outboxBounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#outbox.size, capacity: this.#maxOutbox, evictions: this.#outboxDropped };
  }

  /** Keep published events re-sendable until the store is known to hold them. */
  #track(events: readonly NewEvent[]): void {
    if (!this.#stored) return; // nothing could ever confirm them: keep no outbox
    const at = Date.now();
    for (const event of events) {
      this.#outbox.delete(event.id); // re-insert: publish order is the resend order
      this.#outbox.set(event.id, { event, at });
    }
    while (this.#outbox.size > this.#maxOutbox) {
      const oldest = this.#outbox.keys().next();
      if (oldest.done) break;
      this.#outbox.delete(oldest.value);
      this.#outboxDropped++;
    }
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
    void this.#spool.append(overflow).then(
      () => {
        this.#spooled += overflow.length;
        this.#scheduleRecovery(0);
      },
      () => void (this.#droppedSpoolError += overflow.length), // the spool refused them: lost, counted
    );
  }

  async #flushNow(): Promise<void> {
    while (this.#buffer.length > 0 || (this.#retry.length > 0 && this.#busUp)) {
      let batch: NewEvent[];
      if (this.#retry.length > 0 && this.#busUp) batch = this.#retry.shift()!;
      else if (this.#buffer.length <= this.#batchSize) {
        batch = this.#buffer;
        this.#buffer = [];
      } else batch = this.#buffer.splice(0, this.#batchSize);
      const t0 = performance.now();
      await this.#send(batch);
      this.#onFlushed?.({ events: batch.length, seconds: (performance.now() - t0) / 1000 });
      if (!this.#busUp && !this.#spool && this.#buffer.length === 0) break;
    }
  }

  async #send(batch: NewEvent[]): Promise<void> {
    if (this.#busUp) {
      try {
        // The epoch before the first publish: a reset after it is then always noticed.
        if (this.#epoch === undefined && this.#stored) this.#epoch = await this.#bus.epoch(this.#topic);
        await this.#bus.publish(this.#topic, batch);
        this.#track(batch);
        this.#published += batch.length;
        this.#onPublished?.(batch);
        return;
      } catch {
        this.#publishErrors++;
        this.#markDown();
      }
    }
    if (this.#spool) {
      try {
        await this.#spool.append(batch);
      } catch {
        // Bus down and spool refused (disk full, unwritable): the batch is lost. Counted (metric
        // apprentice_writer_dropped_total, alert ApprenticeWriterDropping) rather than thrown out
        // of a background flush, where it would be an unhandled rejection that ends the process.
        this.#droppedSpoolError += batch.length;
        return;
      }
      this.#spooled += batch.length;
    } else this.#retry.push(batch);
  }

  #markDown(): void {
    this.#busUp = false;
    this.#scheduleRecovery(this.#recoveryMs);
  }

  /** Arm one recovery probe, unless one is armed or the writer is closed (nothing runs after close()). */
  #scheduleRecovery(ms: number): void {
    if (this.#recovery || this.#closed) return;
    this.#recovery = setTimeout(() => {
      this.#recovery = undefined;
      this.#recovering = this.#recover().finally(() => (this.#recovering = undefined));
    }, ms);
  }

  /** Probe the bus; when it answers, replay the spool in order before new batches. */
  async #recover(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#bus.ping();
      // Closed while the probe was out: close() has taken over the pending retries, and the spool
      // is replayed at the next start, so nothing is published from a closed writer.
      if (this.#closed) return;
      // Hold new flushes while the spool drains, so older events are published first.
      while (this.#flushing) await this.#flushing;
      let release!: () => void;
      this.#flushing = new Promise<void>((r) => (release = r));
      try {
        if (this.#spool) {
          const r = await this.#spool.drain(async (events) => {
            await this.#bus.publish(this.#topic, events);
            this.#track(events);
          });
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
      this.#scheduleRecovery(this.#recoveryMs);
    }
  }
}

/** Wait for a promise to settle, at most `ms`; never throws. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
