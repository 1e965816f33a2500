import type { BusMessage } from './learning-bus.js';

/**
 * An entry of a topic's dead-letter stream, as returned by `LearningBus.deadLetters`.
 * `id` is the entry's id in the dead-letter stream; `sourceId` its id in the topic stream.
 */
export interface DeadLetterMessage extends BusMessage {
  readonly sourceId: string;
  /** The consumer group that gave up on it. */
  readonly group: string;
  /** Why it was dead-lettered (the store's refusal), when a consumer said so. */
  readonly reason?: string;
}
