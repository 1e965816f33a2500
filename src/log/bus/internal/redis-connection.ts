import { createClient, type RedisClientType } from 'redis';
import { UnavailableError } from '../../../core/index.js';
import { withDeadline } from './redis-errors.js';

/** Connection life cycle, as reported to `onStateChange`. */
export type RedisConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export type BusRedisClient = RedisClientType;

export interface BusClientOptions {
  readonly url: string;
  /** Client name shown by `CLIENT LIST`. */
  readonly name: string;
  readonly maxReconnectDelayMs: number;
  readonly onStateChange?: ((state: RedisConnectionState, error?: Error) => void) | undefined;
}

/**
 * A node-redis client for the bus: no offline queue (a command issued while disconnected
 * rejects at once instead of piling up in memory) and a capped exponential back-off that
 * never gives up, so the client reconnects by itself whenever Redis comes back.
 */
export function createBusClient(options: BusClientOptions): BusRedisClient {
  const client: BusRedisClient = createClient({
    url: options.url,
    name: options.name,
    disableOfflineQueue: true,
    socket: {
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 10), options.maxReconnectDelayMs) + Math.floor(Math.random() * 50),
    },
  });
  const report = options.onStateChange;
  // An 'error' listener is mandatory: without one node-redis' errors crash the process.
  client.on('error', (err: Error) => report?.(client.isReady ? 'ready' : 'reconnecting', err));
  client.on('ready', () => report?.('ready'));
  client.on('reconnecting', () => report?.('reconnecting'));
  client.on('end', () => report?.('closed'));
  return client;
}

/**
 * Open `client`, waiting at most `timeoutMs` for the first connection. On timeout the client
 * keeps trying in the background and this rejects with `UnavailableError`.
 */
export async function connectWithin(client: BusRedisClient, timeoutMs: number): Promise<void> {
  const connecting = client.connect();
  connecting.catch(() => undefined); // settled later by destroy() if we give up
  try {
    await withDeadline(connecting, timeoutMs, 'connect');
  } catch (err) {
    throw err instanceof UnavailableError ? err : new UnavailableError('connect: Redis unavailable', { cause: err });
  }
}

/** Close gracefully when connected (in-flight commands complete), else drop the socket. */
export async function shutDown(client: BusRedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close().catch(() => client.destroy());
  else client.destroy();
}
