import type { NewEvent } from '../../core/index.js';

/** One delivered entry of a stream: a batch of events published together. */
export interface BusMessage {
  /** Stream entry id (Redis `<ms>-<seq>`; the in-process bus mimics it). */
  readonly id: string;
  readonly events: readonly NewEvent[];
  /** How many times this entry has been delivered (1 on first delivery). */
  readonly deliveries: number;
}

export interface ReadOptions {
  /** Max entries. Default 100. */
  readonly count?: number;
  /** Block up to this long when nothing is available. Default 0 (don't block). */
  readonly blockMs?: number;
}

export interface ClaimOptions {
  /** Only entries idle (unacknowledged) at least this long. */
  readonly minIdleMs: number;
  readonly count?: number;
}

export interface ClaimResult {
  readonly messages: readonly BusMessage[];
  /** Entries delivered `maxDeliveries` times: moved to the dead-letter stream and acked. */
  readonly deadLettered: number;
}

export interface GroupInfo {
  /** Entries delivered but not acknowledged. */
  readonly pending: number;
  /** Entries not yet delivered to the group. */
  readonly lag: number;
}

/**
 * The learning bus port: Redis Streams in server mode, an in-process bus embedded.
 * One contract suite (`src/log/bus/testing/bus-contract.ts`) runs against both.
 */
export interface LearningBus {
  readonly kind: 'redis' | 'memory';
  /** Publish events; they may be packed into fewer stream entries. Rejects if unreachable. */
  publish(topic: string, events: readonly NewEvent[]): Promise<void>;
  /** Create the consumer group if missing (reading from the start of the stream). */
  ensureGroup(topic: string, group: string): Promise<void>;
  /** New entries for this consumer (`>`). */
  read(topic: string, group: string, consumer: string, options?: ReadOptions): Promise<BusMessage[]>;
  ack(topic: string, group: string, ids: readonly string[]): Promise<void>;
  /**
   * Take over entries another consumer left unacknowledged for `minIdleMs` (XAUTOCLAIM).
   * Entries already delivered `maxDeliveries` times go to the dead-letter stream instead.
   */
  claimStale(topic: string, group: string, consumer: string, options: ClaimOptions): Promise<ClaimResult>;
  /** Entries in the dead-letter stream of `topic`. */
  deadLetters(topic: string, limit?: number): Promise<BusMessage[]>;
  /** Put events a consumer cannot process (poison) into the dead-letter stream, with the reason. */
  deadLetterEvents(topic: string, group: string, events: readonly NewEvent[], reason: string): Promise<void>;
  /** How many entries the dead-letter stream of `topic` holds. */
  deadLetterCount(topic: string): Promise<number>;
  groupInfo(topic: string, group: string): Promise<GroupInfo>;
  /**
   * Trim entries every group has delivered and acknowledged. Never drops an entry that
   * some group has not processed. Returns how many were removed.
   */
  trim(topic: string): Promise<number>;
  /**
   * An id of what the bus currently remembers of `topic`. It changes when the bus lost its
   * data (Redis restarted without persistence, a flush): a writer that sees it change resends
   * everything it published that the event store does not hold yet.
   */
  epoch(topic: string): Promise<string>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface BusOptions {
  /** Key prefix, e.g. `apprentice:` (tests use a unique one). Default `apprentice:`. */
  readonly prefix?: string;
  /** Deliveries after which an entry is dead-lettered. Default 5. */
  readonly maxDeliveries?: number;
}
