import { createClient, type RedisClientType } from 'redis';
import { UnavailableError } from '../../../core/index.js';
import { type FlagChangedMessage, isFlagChangedMessage } from './flag-changed.js';
import type { FlagDistribution } from './flag-distribution.js';

export interface RedisFlagDistributionOptions {
  /** Redis URL, used when no `client` is given. */
  readonly url?: string;
  /** A connected client to publish with (and to `duplicate()` for the subscription). */
  readonly client?: RedisClientType;
  /** Key prefix; the channel is `${prefix}flags`. Default `apprentice:`. */
  readonly prefix?: string;
  /** Called for a message that is not a flag change (counted by the caller). Default: ignored. */
  readonly onInvalidMessage?: (raw: string) => void;
}

/**
 * Flag changes over Redis pub/sub (channel `${prefix}flags`): one dedicated subscriber
 * connection per instance. Pub/sub is fire-and-forget, so on every (re)connection of the
 * subscriber `onReconnect` fires and the flag store resyncs from the event log.
 *
 * @example
 * const distribution = await createRedisFlagDistribution({ client: apprentice.redis, prefix: config.redisPrefix });
 */
export async function createRedisFlagDistribution(options: RedisFlagDistributionOptions): Promise<FlagDistribution> {
  const channel = `${options.prefix ?? 'apprentice:'}flags`;
  const own = options.client === undefined;
  const pub: RedisClientType = options.client ?? (createClient({ url: options.url, disableOfflineQueue: true }) as RedisClientType);
  pub.on('error', () => undefined);
  if (own) void pub.connect().catch(() => undefined); // in the background: Redis may be down at start
  const subs = new Set<RedisClientType>();

  return {
    kind: 'redis',
    async publish(message) {
      try {
        await pub.publish(channel, JSON.stringify(message));
      } catch (cause) {
        throw new UnavailableError(`could not publish flag change ${message.data.key} on ${channel}`, { cause });
      }
    },
    async subscribe(onMessage: (m: FlagChangedMessage) => void, onReconnect?: () => void) {
      const sub = pub.duplicate() as RedisClientType;
      subs.add(sub);
      sub.on('error', () => undefined);
      const listener = (raw: string): void => {
        let m: unknown;
        try {
          m = JSON.parse(raw);
        } catch {
          m = undefined;
        }
        if (isFlagChangedMessage(m)) onMessage(m);
        else options.onInvalidMessage?.(raw);
      };
      let first = true;
      let late = false;
      sub.on('ready', () => {
        if (!first) onReconnect?.();
        first = false;
      });
      // Redis may be unreachable at start: subscribe whenever it comes (node-redis keeps trying
      // and re-subscribes after reconnects) instead of hanging here (issue 10, case 5).
      const subscribed = sub
        .connect()
        .then(() => sub.subscribe(channel, listener))
        .then(() => {
          if (late) onReconnect?.(); // changes made before we listened: resync from the log
          return true;
        })
        .catch(() => false);
      late = !(await Promise.race([subscribed, new Promise<false>((r) => setTimeout(() => r(false), 2000).unref())]));
      return async () => {
        if (!subs.delete(sub)) return;
        if (sub.isOpen) await sub.quit().catch(() => undefined);
      };
    },
    async close() {
      for (const s of [...subs]) if (s.isOpen) await s.quit().catch(() => undefined);
      subs.clear();
      if (own && pub.isOpen) await pub.quit().catch(() => undefined);
    },
  };
}
