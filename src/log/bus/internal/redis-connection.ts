import { createClient, createCluster, type RedisClientType } from 'redis';
import { UnavailableError } from '../../../core/index.js';
import { withDeadline } from './redis-errors.js';

/** Connection life cycle, as reported to `onStateChange`. */
export type RedisConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export type BusRedisClient = RedisClientType;

export interface BusClientOptions {
  readonly url: string;
  /**
   * Seed nodes of a Redis Cluster (`redis://host:port` each); when given, `url` is ignored. The
   * bus's keys of one topic share a `{topic}` hash tag, so every command and transaction the bus
   * sends stays on one slot.
   */
  readonly clusterNodes?: readonly string[] | undefined;
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
  if (options.clusterNodes !== undefined && options.clusterNodes.length > 0) return createClusterBusClient(options, options.clusterNodes);
  const client: BusRedisClient = createClient({
    url: options.url,
    name: options.name,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: backOff(options.maxReconnectDelayMs) },
  });
  const report = options.onStateChange;
  // An 'error' listener is mandatory: without one node-redis' errors crash the process.
  client.on('error', (err: Error) => report?.(client.isReady ? 'ready' : 'reconnecting', err));
  client.on('ready', () => report?.('ready'));
  client.on('reconnecting', () => report?.('reconnecting'));
  client.on('end', () => report?.('closed'));
  return client;
}

const backOff =
  (maxDelayMs: number) =>
  (retries: number): number =>
    Math.min(50 * 2 ** Math.min(retries, 10), maxDelayMs) + Math.floor(Math.random() * 50);

/** Whether a cluster client has finished its first connect and is not closed (clusters have no `isReady`). */
const clusterReady = new WeakMap<object, () => boolean>();

/** The connection is up: a client's `isReady`, a cluster's connected-and-open. */
export const isUp = (client: BusRedisClient): boolean => clusterReady.get(client)?.() ?? client.isReady;

/**
 * A node-redis cluster client (`createCluster`) with the same node settings as a single client
 * (no offline queue, capped back-off), behind the single client's type: the commands the bus uses
 * (streams, SET, EXISTS, MULTI on one hash tag) have the same signatures on both and are routed
 * by their key; `isReady` is read through `isUp`.
 */
function createClusterBusClient(options: BusClientOptions, nodes: readonly string[]): BusRedisClient {
  const cluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults: { name: options.name, disableOfflineQueue: true, socket: { reconnectStrategy: backOff(options.maxReconnectDelayMs) } },
    // Each command goes to its slot's master; topology changes (a promoted replica) are followed on MOVED.
    maxCommandRedirections: 16,
  });
  let connected = false;
  const report = options.onStateChange;
  cluster.on('error', (err: Error) => report?.(connected ? 'ready' : 'reconnecting', err));
  cluster.on('node-error', (err: Error) => report?.('reconnecting', err));
  cluster.on('node-ready', () => report?.('ready'));
  cluster.on('node-reconnecting', () => report?.('reconnecting'));
  cluster.on('disconnect', () => report?.('closed'));
  const connect = cluster.connect.bind(cluster);
  Object.assign(cluster, {
    connect: async () => {
      const r = await connect();
      connected = true;
      report?.('ready');
      return r;
    },
  });
  clusterReady.set(cluster, () => connected && cluster.isOpen);
  return cluster as unknown as BusRedisClient;
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
  if (isUp(client)) await client.close().catch(() => client.destroy());
  else client.destroy();
}
