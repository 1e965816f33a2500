import { isDeepStrictEqual } from 'node:util';
import { EventType, agentStream, type NewEvent, type StoredEvent } from '../../core/index.js';
import { NotFoundError } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { EventStore } from '../../log/index.js';
import { START } from '../../log/index.js';
import { parseAgentDefinition, type AgentDefinition, type VersionedAgent } from './agent-definition.js';

/** The in-process deterministic policy of an agent: its rules, as a function of the context. */
export type DeterministicPolicy<C = Record<string, unknown>, T = unknown> = (context: C) => T;

/** Anything that takes events synchronously (the `AsyncLearningWriter`). */
export interface EventSink {
  record(event: NewEvent): void;
}

/** Payload of `AgentDefined`: the definition before (null for a new agent) and after. */
export interface AgentDefinedData {
  readonly agent: string;
  readonly version: number;
  readonly before: VersionedAgent | null;
  readonly after: VersionedAgent;
}

export interface AgentRegistryOptions {
  /** Where `AgentDefined` events go. Without one, changes stay in memory (tests, library use). */
  readonly sink?: EventSink;
  /** Clock for `updatedAt`. Default `Date.now`. */
  readonly now?: () => number;
}

export interface ChangeMeta {
  /** Who made the change. Default `system`. */
  readonly actor?: string;
  readonly reason?: string;
}

/**
 * Agent definitions, versioned: every change is an `AgentDefined` event with the definition
 * before and after, and bumps the version. An identical re-definition is a no-op.
 * @example
 * const agents = new AgentRegistry({ sink: apprentice.writer });
 * agents.registerAgent({ name: 'debugger', kind: 'classification', labels: ['flaky', 'bug'], feedback: 'label',
 *   features: [{ name: 'stackDepth', type: 'numeric' }] }, (ctx) => (ctx.retries > 0 ? 'flaky' : 'bug'));
 */
export class AgentRegistry {
  readonly #sink: EventSink | undefined;
  readonly #now: () => number;
  readonly #agents = new Map<string, VersionedAgent>();
  readonly #policies = new Map<string, DeterministicPolicy>();
  #listeners: ((a: VersionedAgent) => void)[] = [];

  constructor(options: AgentRegistryOptions = {}) {
    this.#sink = options.sink;
    this.#now = options.now ?? Date.now;
  }

  /** Define or update an agent (validated); returns the stored version. Attaches `policy` when given. */
  registerAgent(input: unknown, policy?: DeterministicPolicy, meta: ChangeMeta = {}): VersionedAgent {
    const def = parseAgentDefinition(input);
    if (policy) this.#policies.set(def.name, policy);
    const before = this.#agents.get(def.name) ?? null;
    if (before && isDeepStrictEqual(strip(before), def)) return before;
    const after: VersionedAgent = { ...def, version: (before?.version ?? 0) + 1, updatedAt: new Date(this.#now()).toISOString() };
    this.#agents.set(def.name, after);
    const data: AgentDefinedData = { agent: def.name, version: after.version, before, after };
    this.#sink?.record({
      id: uuidv7(),
      type: EventType.AgentDefined,
      stream: agentStream(def.name),
      data,
      metadata: { actor: meta.actor ?? 'system', ...(meta.reason ? { reason: meta.reason } : {}) },
      time: after.updatedAt,
    });
    for (const l of this.#listeners) l(after);
    return after;
  }

  get(name: string): VersionedAgent | undefined {
    return this.#agents.get(name);
  }

  /** Like `get`, but a `NotFoundError` for an unknown agent. */
  require(name: string): VersionedAgent {
    const a = this.#agents.get(name);
    if (!a) throw new NotFoundError(`agent ${name} is not defined`);
    return a;
  }

  policy(name: string): DeterministicPolicy | undefined {
    return this.#policies.get(name);
  }

  list(): VersionedAgent[] {
    return [...this.#agents.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Called after every change (the trainer and the model registry follow definitions). */
  onChange(listener: (a: VersionedAgent) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => void (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }

  /** Apply a stored `AgentDefined` event (startup catch-up); later versions win. */
  apply(event: StoredEvent): void {
    if (event.type !== EventType.AgentDefined) return;
    const d = event.data as AgentDefinedData;
    const current = this.#agents.get(d.agent);
    if (current && current.version >= d.version) return;
    this.#agents.set(d.agent, d.after);
    for (const l of this.#listeners) l(d.after);
  }

  /** Rebuild the definitions from the event log. */
  async load(store: EventStore): Promise<number> {
    let after = START;
    let n = 0;
    for (;;) {
      const page = await store.readAll({ after, limit: 1000, types: [EventType.AgentDefined] });
      for (const e of page) this.apply(e);
      n += page.length;
      const last = page[page.length - 1];
      if (!last || page.length < 1000) return n;
      after = { transactionId: last.transactionId, position: last.position };
    }
  }
}

function strip(v: VersionedAgent): AgentDefinition {
  const { version: _v, updatedAt: _u, ...def } = v;
  return def;
}
