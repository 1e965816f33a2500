import { ConflictError } from '../../core/index.js';
import type { EntityState } from './aggregation.js';
import type { OnlineStore, ViewCheckpoint } from './online-store.js';

/** The one call the store needs of a node-redis client (any RESP version). */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Compare-and-set commit: write every entity hash (field `s`: the state as JSON) with its TTL
 * and move the checkpoint, only if the checkpoint is still the one the materialiser read. One
 * script, so the states and the cursor are never out of step (exactly once across restarts and
 * across instances materialising the same view).
 */
const COMMIT = `
local cp = redis.call('GET', KEYS[1])
if (cp or '') ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
for i = 2, #KEYS do
  redis.call('HSET', KEYS[i], 's', ARGV[i + 2])
  redis.call('EXPIRE', KEYS[i], ttl)
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

const text = (c: ViewCheckpoint | undefined): string => (c === undefined ? '' : JSON.stringify([c.cursor, c.live, c.applied, c.at]));

function parseCheckpoint(s: string): ViewCheckpoint {
  const [cursor, live, applied, at] = JSON.parse(s) as [string, boolean, number, number];
  return { cursor, live, applied, at };
}

/** JSON turns -Infinity into null: the state's `u` and a bucket's latest time may be -Infinity. */
function revive(s: string): EntityState {
  const st = JSON.parse(s) as EntityState;
  if (st.u === null) st.u = -Infinity;
  for (const list of Object.values(st.f)) for (const b of list) if (!Array.isArray(b) && b.lt === null) b.lt = b.lq = -Infinity;
  return st;
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

  constructor(options: { redis: RedisCommander; prefix?: string }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'apprentice:';
  }

  #base(view: string, version: number): string {
    return `${this.#prefix}{fv:${view}:${version}}`;
  }

  async read(view: string, version: number, entity: string): Promise<EntityState | undefined> {
    const s = (await this.#redis.sendCommand(['HGET', `${this.#base(view, version)}:e:${entity}`, 's'])) as string | null;
    return s === null || s === undefined ? undefined : revive(String(s));
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
      if (s) out.set(e, revive(String(s)));
    });
    return out;
  }

  async checkpoint(view: string, version: number): Promise<ViewCheckpoint | undefined> {
    const s = (await this.#redis.sendCommand(['GET', `${this.#base(view, version)}:cp`])) as string | null;
    return s ? parseCheckpoint(String(s)) : undefined;
  }

  async commit(view: string, version: number, states: ReadonlyMap<string, EntityState>, ttlSeconds: number, from: ViewCheckpoint | undefined, to: ViewCheckpoint): Promise<void> {
    const base = this.#base(view, version);
    const keys = [`${base}:cp`];
    const args = [text(from), text(to), String(ttlSeconds)];
    for (const [entity, state] of states) {
      keys.push(`${base}:e:${entity}`);
      args.push(JSON.stringify(state));
    }
    const ok = await this.#redis.sendCommand(['EVAL', COMMIT, String(keys.length), ...keys, ...args]);
    if (Number(ok) !== 1) throw new ConflictError(`feature view ${view} v${version}: checkpoint moved or lost`);
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

  async close(): Promise<void> {}
}
