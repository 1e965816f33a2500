import { EventEmitter } from 'node:events';
import type { FlagChangedMessage } from './flag-changed.js';

/**
 * How a flag change reaches every running instance: Redis pub/sub in server mode
 * (`createRedisFlagDistribution`), an in-process emitter in embedded mode. Delivery is
 * best effort; the flag store also resyncs from the event log, so a lost message only
 * delays a change until the next resync.
 */
export interface FlagDistribution {
  readonly kind: 'local' | 'redis';
  /** Send a change to every subscriber (this instance included). */
  publish(message: FlagChangedMessage): Promise<void>;
  /** Receive changes; `onReconnect` is called when missed messages are possible. Returns a disposer. */
  subscribe(onMessage: (message: FlagChangedMessage) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One hub per process: embedded instances created in the same process share it. */
const hubs = new Map<string, EventEmitter>();

export interface LocalFlagDistributionOptions {
  /** Instances using the same channel see each other's changes. Default `apprentice:flags`. */
  readonly channel?: string;
}

/**
 * In-process distribution: an EventEmitter per channel. Delivery is synchronous with
 * `publish` (a structured clone per listener, as a network hop would give).
 *
 * @example
 * const distribution = createLocalFlagDistribution({ channel: `${config.redisPrefix}flags` });
 */
export function createLocalFlagDistribution(options: LocalFlagDistributionOptions = {}): FlagDistribution {
  const channel = options.channel ?? 'apprentice:flags';
  let hub = hubs.get(channel);
  if (!hub) {
    hub = new EventEmitter();
    hub.setMaxListeners(0);
    hubs.set(channel, hub);
  }
  const emitter = hub;
  const mine = new Set<(m: FlagChangedMessage) => void>();
  return {
    kind: 'local',
    publish(message) {
      emitter.emit('message', message);
      return Promise.resolve();
    },
    subscribe(onMessage) {
      const listener = (m: FlagChangedMessage): void => onMessage(structuredClone(m));
      emitter.on('message', listener);
      mine.add(listener);
      return Promise.resolve(async () => {
        emitter.off('message', listener);
        mine.delete(listener);
      });
    },
    close() {
      for (const l of mine) emitter.off('message', l);
      mine.clear();
      if (emitter.listenerCount('message') === 0) hubs.delete(channel);
      return Promise.resolve();
    },
  };
}
