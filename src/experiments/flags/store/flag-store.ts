import { EventType, type StoredEvent } from '../../../core/index.js';
import { ClosedError, NotFoundError, ValidationError } from '../../../core/index.js';
import { START, cursorOf, type Cursor, type EventStore } from '../../../log/index.js';
import { parseFlagDefinition, type FlagDefinition } from '../flag-definition.js';
import { createFlagEvaluator, type FlagEvaluator } from '../flag-evaluator.js';
import { setPercentage as withPercentage } from '../rollout-flag.js';
import { type ChangeMeta, type FlagChangedData, type FlagChangedMessage, type StoredFlag, flagChangedEvent, toMessage } from './flag-changed.js';
import type { FlagDistribution } from './flag-distribution.js';

export interface FlagStoreOptions {
  /** Where `FlagChanged` events are appended (durably, before a change is distributed). */
  readonly store: EventStore;
  readonly distribution: FlagDistribution;
  /** The evaluator to keep current. Default: a new one. */
  readonly evaluator?: FlagEvaluator;
  /** Re-read `FlagChanged` events from the log this often, in case a message was lost. Default 5000 ms; 0 turns it off. */
  readonly resyncIntervalMs?: number;
  /** Clock for event times. Default `Date.now`. */
  readonly now?: () => number;
}

/** A flag change as listeners see it, with how it arrived. */
export interface FlagChange {
  readonly key: string;
  readonly before: StoredFlag | undefined;
  readonly after: StoredFlag | undefined;
  readonly via: 'local' | 'distribution' | 'resync';
  /** Milliseconds from the change's event time to its application here (clock skew included). */
  readonly lagMs: number;
}

export interface FlagStoreStats {
  readonly applied: number;
  readonly published: number;
  readonly publishFailures: number;
  readonly resyncs: number;
}

/** Flags stored as events, cached per instance in an evaluator, distributed to every instance. */
export interface FlagStore {
  readonly evaluator: FlagEvaluator;
  get(key: string): StoredFlag | undefined;
  /** Like `get`, but a `NotFoundError` for an unknown flag. */
  require(key: string): StoredFlag;
  list(): StoredFlag[];
  /** Validate and store a flagd definition; an identical definition is a no-op. */
  put(key: string, definition: unknown, meta?: ChangeMeta): Promise<StoredFlag>;
  /** Change the `ml` percentage of a rollout flag (ValidationError for other flags). */
  setPercentage(key: string, percentage: number, meta?: ChangeMeta): Promise<StoredFlag>;
  remove(key: string, meta?: ChangeMeta): Promise<void>;
  /** Read changes from the event log that this instance has not seen (also run on a schedule). */
  resync(): Promise<number>;
  onChange(listener: (change: FlagChange) => void): () => void;
  stats(): FlagStoreStats;
  close(): Promise<void>;
}

const FLAG_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function assertFlagKey(key: string): void {
  if (!FLAG_KEY_RE.test(key))
    throw new ValidationError(`invalid flag key ${JSON.stringify(key)}`, [
      { path: 'key', message: 'letters, digits, ".", "_", ":", "-", starting with a letter or digit, at most 200 characters' },
    ]);
}

/**
 * Open the flag store: load every flag from the event log, then follow changes from the
 * distribution (and resync from the log on reconnects and on a schedule). Writes append a
 * `FlagChanged` event to the store first (durable, audited with actor/before/after/reason),
 * apply it locally, then publish it; every instance applies a change only if its event id is
 * newer than the one it holds, so all caches converge on the latest change.
 *
 * @example
 * const flags = await createFlagStore({ store: apprentice.store, distribution: createLocalFlagDistribution() });
 * await flags.put('rollout-debugger', rolloutFlag('debugger', 0), { actor: 'alice', reason: 'new agent' });
 * await flags.setPercentage('rollout-debugger', 5, { actor: 'controller' });
 * routeUnit(flags.evaluator, 'debugger', 'task-42');
 */
export async function createFlagStore(options: FlagStoreOptions): Promise<FlagStore> {
  const now = options.now ?? Date.now;
  const evaluator = options.evaluator ?? createFlagEvaluator({ flags: {} });
  const flags = new Map<string, StoredFlag>();
  /** Ids of deleted flags' last events, so an older definition does not resurrect them. */
  const tombstones = new Map<string, string>();
  let listeners: ((c: FlagChange) => void)[] = [];
  let cursor: Cursor = START;
  let closed = false;
  const counters = { applied: 0, published: 0, publishFailures: 0, resyncs: 0 };

  function latestId(key: string): string | undefined {
    return flags.get(key)?.eventId ?? tombstones.get(key);
  }

  function refreshEvaluator(): void {
    const config: Record<string, FlagDefinition> = {};
    for (const [k, f] of flags) config[k] = f.definition;
    evaluator.setConfiguration({ ...evaluator.configuration, flags: config });
  }

  /** Apply one change if it is newer than what this instance holds; true when applied. */
  function apply(m: FlagChangedMessage, via: FlagChange['via'], refresh = true): boolean {
    const key = m.data.key;
    const current = latestId(key);
    if (current !== undefined && current >= m.id) return false;
    const before = flags.get(key);
    let after: StoredFlag | undefined;
    if (m.data.after === null) {
      flags.delete(key);
      tombstones.set(key, m.id);
    } else {
      after = {
        key,
        version: m.data.version,
        definition: m.data.after,
        eventId: m.id,
        updatedAt: m.time,
        updatedBy: typeof m.metadata.actor === 'string' ? m.metadata.actor : undefined,
      };
      flags.set(key, after);
      tombstones.delete(key);
    }
    if (refresh) refreshEvaluator();
    counters.applied++;
    const change: FlagChange = { key, before, after, via, lagMs: now() - Date.parse(m.time) };
    for (const l of listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is not the flag store's
      }
    }
    return true;
  }

  async function resync(): Promise<number> {
    let n = 0;
    let applied = 0;
    for (;;) {
      const page: StoredEvent[] = await options.store.readAll({ after: cursor, limit: 1000, types: [EventType.FlagChanged] });
      for (const e of page) if (apply(toMessage(e), 'resync', false)) applied++;
      n += page.length;
      const last = page[page.length - 1];
      if (last) cursor = cursorOf(last);
      if (!last || page.length < 1000) break;
    }
    if (applied > 0) refreshEvaluator();
    counters.resyncs++;
    return n;
  }

  async function write(key: string, before: StoredFlag | undefined, after: FlagDefinition | null, meta: ChangeMeta): Promise<void> {
    if (closed) throw new ClosedError('flag store');
    const data: FlagChangedData = { key, version: (before?.version ?? 0) + 1, before: before?.definition ?? null, after };
    const event = flagChangedEvent(data, meta, now());
    await options.store.append([event]);
    const message = toMessage(event);
    apply(message, 'local');
    try {
      await options.distribution.publish(message);
      counters.published++;
    } catch {
      // Stored durably: other instances pick it up at their next resync.
      counters.publishFailures++;
    }
  }

  await resync();
  const unsubscribe = await options.distribution.subscribe(
    (m) => void apply(m, 'distribution'),
    () => void resync().catch(() => undefined),
  );
  const interval = options.resyncIntervalMs ?? 5000;
  const timer = interval > 0 ? setInterval(() => void resync().catch(() => undefined), interval) : undefined;
  timer?.unref();

  const store: FlagStore = {
    evaluator,
    get: (key) => flags.get(key),
    require(key) {
      const f = flags.get(key);
      if (!f) throw new NotFoundError(`flag ${key} not found`);
      return f;
    },
    list: () => [...flags.values()].sort((a, b) => a.key.localeCompare(b.key)),
    async put(key, input, meta = {}) {
      assertFlagKey(key);
      const definition = parseFlagDefinition(input);
      const before = flags.get(key);
      if (before && JSON.stringify(before.definition) === JSON.stringify(definition)) return before;
      await write(key, before, definition, meta);
      return flags.get(key)!;
    },
    async setPercentage(key, percentage, meta = {}) {
      const before = store.require(key);
      const definition = withPercentage(before.definition, percentage);
      return store.put(key, definition, meta);
    },
    async remove(key, meta = {}) {
      const before = store.require(key);
      await write(key, before, null, meta);
    },
    resync,
    onChange(listener) {
      listeners = [...listeners, listener];
      return () => void (listeners = listeners.filter((l) => l !== listener));
    },
    stats: () => ({ ...counters }),
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await unsubscribe();
    },
  };
  return store;
}
