import { ConflictError } from '../../core/index.js';
import type { EntityState } from './aggregation.js';
import type { OnlineStore, ViewChange, ViewCheckpoint } from './online-store.js';
import { decodeState, encodeState } from './state-codec.js';

/** What the store needs of a node-redis client (any RESP version). */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
  /** A new connection like this one (node-redis `duplicate()`), to be told of commits (`watch`). Without it the store cannot tell them. */
  duplicate?(): RedisSubscriber;
}

/** The part of a node-redis client a subscription uses. */
export interface RedisSubscriber {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  readonly isOpen: boolean;
  destroy(): void;
}

/**
 * Compare-and-set commit: write every entity hash (field `s`: the state in its columnar wire form, state-codec.ts) with its TTL
 * and move the checkpoint, only if the checkpoint is still the one the materialiser read, and
 * append the commit (checkpoints before and after, entities written) to the view's change
 * stream, then publish the view version on the commits channel (a wake-up for `watch`ers). One
 * script, so the states, the cursor and the change stream are never out of step (exactly once
 * across restarts and across instances materialising the same view).
 * KEYS: checkpoint, change stream, entities. ARGV: from, to, ttl, entity ids (JSON), stream length,
 * channel, message, states.
 */
const COMMIT = `
local cp = redis.call('GET', KEYS[1])
if (cp or '') ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
for i = 3, #KEYS do
  redis.call('HSET', KEYS[i], 's', ARGV[i + 5])
  redis.call('EXPIRE', KEYS[i], ttl)
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'p', ARGV[1], 'c', ARGV[2], 'e', ARGV[4])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1`;

/** An XRANGE/XREVRANGE entry: [id, [field, value, ...]]. */
function change(entry: unknown): ViewChange {
  const [id, fields] = entry as [string, string[]];
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(String(fields[i]), String(fields[i + 1]));
  return { id: String(id), from: f.get('p') ?? '', to: f.get('c') ?? '', entities: JSON.parse(f.get('e') ?? '[]') as string[] };
}

const text = (c: ViewCheckpoint | undefined): string => (c === undefined ? '' : JSON.stringify([c.cursor, c.live, c.applied, c.at]));

function parseCheckpoint(s: string): ViewCheckpoint {
  const [cursor, live, applied, at] = JSON.parse(s) as [string, boolean, number, number];
  return { cursor, live, applied, at };
}

/**
 * Server-mode online store: one Redis hash per entity (`<prefix>{fv:<view>:<version>}:e:<entity>`)
 * expiring `ttlSeconds` after its last update, and the view's checkpoint beside it
 * (`...:cp`). The hash tag keeps a view version in one Redis Cluster slot, so the commit script
 * may touch all its keys. A Redis restarted without persistence loses the checkpoint with the
 * states: the materialiser sees its commit refused and rebuilds from the log.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  readonly #redis: RedisCommander;
  readonly #prefix: string;

  readonly #changesKept: number;

  /** `changesKept`: commits kept in each view version's change stream (approximately). Default 10,000. */
  constructor(options: { redis: RedisCommander; prefix?: string; changesKept?: number }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'apprentice:';
    this.#changesKept = options.changesKept ?? 10_000;
  }

  /** Where every commit is published (Redis Cluster broadcasts a PUBLISH to all nodes). */
  get #channel(): string {
    return `${this.#prefix}fv:commits`;
  }

  #base(view: string, version: number): string {
    return `${this.#prefix}{fv:${view}:${version}}`;
  }

  async read(view: string, version: number, entity: string): Promise<EntityState | undefined> {
    const s = (await this.#redis.sendCommand(['HGET', `${this.#base(view, version)}:e:${entity}`, 's'])) as string | null;
    return s === null || s === undefined ? undefined : decodeState(String(s));
  }

  async readMany(view: string, version: number, entities: readonly string[]): Promise<Map<string, EntityState>> {
    const out = new Map<string, EntityState>();
    if (entities.length === 0) return out;
    const base = this.#base(view, version);
    // One round trip for the batch (a script: MGET cannot read hash fields).
    const values = (await this.#redis.sendCommand([
      'EVAL',
      "local r = {} for i = 1, #KEYS do r[i] = redis.call('HGET', KEYS[i], 's') or '' end return r",
      String(entities.length),
      ...entities.map((e) => `${base}:e:${e}`),
    ])) as string[];
    entities.forEach((e, i) => {
      const s = values[i];
      if (s) out.set(e, decodeState(String(s)));
    });
    return out;
  }

  async checkpoint(view: string, version: number): Promise<ViewCheckpoint | undefined> {
    const s = (await this.#redis.sendCommand(['GET', `${this.#base(view, version)}:cp`])) as string | null;
    return s ? parseCheckpoint(String(s)) : undefined;
  }

  async commit(view: string, version: number, states: ReadonlyMap<string, EntityState>, ttlSeconds: number, from: ViewCheckpoint | undefined, to: ViewCheckpoint): Promise<void> {
    const base = this.#base(view, version);
    const keys = [`${base}:cp`, `${base}:x`];
    const args = [text(from), text(to), String(ttlSeconds), JSON.stringify([...states.keys()]), String(this.#changesKept), this.#channel, JSON.stringify([view, version])];
    for (const [entity, state] of states) {
      keys.push(`${base}:e:${entity}`);
      args.push(encodeState(state));
    }
    const ok = await this.#redis.sendCommand(['EVAL', COMMIT, String(keys.length), ...keys, ...args]);
    if (Number(ok) !== 1) throw new ConflictError(`feature view ${view} v${version}: checkpoint moved or lost`);
  }

  async changes(view: string, version: number, after: string | undefined, count: number): Promise<ViewChange[]> {
    const key = `${this.#base(view, version)}:x`;
    const entries = (await this.#redis.sendCommand(
      after === undefined ? ['XREVRANGE', key, '+', '-', 'COUNT', '1'] : ['XRANGE', key, `(${after}`, '+', 'COUNT', String(count)],
    )) as unknown[];
    return entries.map(change);
  }

  async size(view: string, version: number): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = (await this.#redis.sendCommand(['SCAN', cursor, 'MATCH', `${this.#base(view, version)}:e:*`, 'COUNT', '1000'])) as [string, string[]];
      cursor = String(next);
      n += keys.length;
    } while (cursor !== '0');
    return n;
  }

  /**
   * Be told of each commit of any view version (any instance's), over Redis pub/sub on a
   * connection of its own: `onCommit` per commit, `onReconnect` once subscribed and after every
   * reconnection (pub/sub is fire-and-forget: commits meanwhile were not told; so too a Redis
   * restarted empty). Does not wait for Redis (it may be down at start: subscribed when it comes).
   * Undefined without `duplicate` on the client.
   */
  async watch(onCommit: (view: string, version: number) => void, onReconnect: () => void): Promise<(() => Promise<void>) | undefined> {
    const sub = this.#redis.duplicate?.();
    if (!sub) return undefined;
    sub.on('error', () => undefined);
    let subscribed = false;
    // node-redis subscribes again itself after a reconnection.
    sub.on('ready', () => {
      if (subscribed) onReconnect();
    });
    const listener = (message: string): void => {
      let m: unknown;
      try {
        m = JSON.parse(message);
      } catch {
        return;
      }
      if (Array.isArray(m) && typeof m[0] === 'string' && typeof m[1] === 'number') onCommit(m[0], m[1]);
    };
    void sub
      .connect()
      .then(() => sub.subscribe(this.#channel, listener))
      .then(() => {
        subscribed = true;
        onReconnect(); // commits before we listened
      })
      .catch(() => undefined);
    return async () => {
      // Not waiting for a Redis that may be down: the connection is dropped at once.
      if (sub.isOpen) sub.destroy();
    };
  }

  async close(): Promise<void> {}
}
