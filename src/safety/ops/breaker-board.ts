import { EventType, type NewEvent } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import { collectFrom, type Disposer as CollectDisposer } from '../../observability/index.js';
import { BreakerStateValue } from '../../observability/index.js';
import type { Metrics } from '../../observability/index.js';
import {
  createModelGuard,
  type BreakerKind,
  type BreakerListener,
  type BreakerStateChange,
  type BreakerStateName,
  type Disposer,
  type ModelGuard,
  type ModelGuardOptions,
} from '../resilience/index.js';

/** Where audit events go: `apprentice.writer` (synchronous enqueue). */
export interface EventSink {
  record(event: NewEvent): void;
}

/** Guard settings without the agent name (the board fills it in). */
export type GuardSettings = Omit<ModelGuardOptions, 'agent'>;

export interface BreakerBoardOptions {
  /** Sink for `BreakerStateChanged` and `BreakerOverridden` events. Required. */
  readonly sink: EventSink;
  /** Breaker metrics to feed (`breakerState`, `breakerTransitionsTotal`, `auditEventsTotal`). Default: none. */
  readonly metrics?: Pick<Metrics, 'breakerState' | 'breakerTransitionsTotal' | 'auditEventsTotal'>;
  /** Guard settings for every agent. Default: the `ModelGuard` defaults. */
  readonly guard?: GuardSettings;
  /** Per-agent settings merged over `guard` (e.g. the agent's time budget). Default: none. */
  readonly guardFor?: (agent: string) => GuardSettings | undefined;
  /** Clock for event times. Default `Date.now`. */
  readonly now?: () => number;
}

/** One breaker of one agent, as listed by the API and the CLI. */
export interface BreakerRow {
  readonly agent: string;
  readonly kind: BreakerKind;
  readonly state: BreakerStateName;
}

export type OverrideAction = 'open' | 'close';

/** What a manual override did: the agents it touched and their breakers before and after. */
export interface OverrideResult {
  readonly action: OverrideAction;
  readonly agents: readonly string[];
  readonly before: readonly BreakerRow[];
  readonly after: readonly BreakerRow[];
  readonly eventId: string;
}

/** Stream of the board-wide overrides; per-agent overrides go to `breaker-<agent>`. */
export const BREAKERS_STREAM = 'breakers';
export const breakerStream = (agent: string): string => `breaker-${agent}`;

const gaugeValue = (s: BreakerStateName): number =>
  s === 'isolated' ? BreakerStateValue.open : BreakerStateValue[s];

/**
 * The breaker control plane: one `ModelGuard` per agent (made on first use), their state for
 * the API, manual overrides (open-all / close-all, audited as `BreakerOverridden`), and every
 * state change forwarded as a `BreakerStateChanged` event and to the breaker metrics.
 *
 * After `openAll`, guards created later start isolated too, until `closeAll`.
 *
 * @example
 * const board = createBreakerBoard({ sink: apprentice.writer, metrics: apprentice.metrics });
 * const guard = board.getGuard('debugger'); // the engine serves the model through it
 * board.openAll('alice', 'model store outage'); // every agent on the rules
 * board.list(); // [{ agent: 'debugger', kind: 'failure', state: 'isolated' }, ...]
 */
export class BreakerBoard {
  private readonly guards = new Map<string, ModelGuard>();
  private readonly disposers: Disposer[] = [];
  private readonly collector: CollectDisposer | undefined;
  private listeners: BreakerListener[] = [];
  private held = false;
  private readonly now: () => number;

  constructor(private readonly o: BreakerBoardOptions) {
    this.now = o.now ?? Date.now;
    const gauge = o.metrics?.breakerState;
    // Read at scrape time: an open breaker whose cooldown ended shows half_open without a call.
    this.collector = gauge
      ? collectFrom(gauge, () =>
          this.list().map((r) => ({ labels: { agent: r.agent, kind: r.kind }, value: gaugeValue(r.state) })),
        )
      : undefined;
  }

  /** The guard of `agent`, created on first use with the board's settings. */
  getGuard(agent: string): ModelGuard {
    const existing = this.guards.get(agent);
    if (existing) return existing;
    const guard = createModelGuard({ ...this.o.guard, ...this.o.guardFor?.(agent), agent });
    this.guards.set(agent, guard);
    this.disposers.push(guard.onStateChange((c) => this.changed(c)));
    if (this.held) guard.isolate('open-all override in force');
    return guard;
  }

  /** Agents with a guard, sorted. */
  agents(): string[] {
    return [...this.guards.keys()].sort();
  }

  /** True between `openAll` and `closeAll`. */
  get isHeldOpen(): boolean {
    return this.held;
  }

  /** Every breaker of every agent, by agent then kind. */
  list(): BreakerRow[] {
    return this.agents().flatMap((agent) => this.rows(agent));
  }

  /** Manual override: hold every breaker of `agent` open (the rules answer). Creates the guard if needed. */
  open(agent: string, actor: string, reason: string): OverrideResult {
    return this.override('open', [agent], actor, reason, breakerStream(agent));
  }

  /** Manual override: close every breaker of `agent` and forget its counts. */
  close(agent: string, actor: string, reason: string): OverrideResult {
    return this.override('close', [agent], actor, reason, breakerStream(agent));
  }

  /** Manual override: every agent on the rules until `closeAll` (new agents included). */
  openAll(actor: string, reason: string): OverrideResult {
    this.held = true;
    return this.override('open', this.agents(), actor, reason, BREAKERS_STREAM);
  }

  /** Manual override: close every breaker of every agent and lift the open-all hold. */
  closeAll(actor: string, reason: string): OverrideResult {
    this.held = false;
    return this.override('close', this.agents(), actor, reason, BREAKERS_STREAM);
  }

  /** Every state change of every guard (after it was recorded). */
  onStateChange(listener: BreakerListener): Disposer {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Stops forwarding changes and feeding the gauge. Guards keep working. Idempotent. */
  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.collector?.();
    this.listeners = [];
  }

  private rows(agent: string): BreakerRow[] {
    const guard = this.guards.get(agent);
    if (!guard) return [];
    const s = guard.state;
    return [
      { agent, kind: 'failure', state: s.failure },
      { agent, kind: 'slow', state: s.slow },
      { agent, kind: 'accuracy', state: s.accuracy },
    ];
  }

  private override(
    action: OverrideAction,
    agents: readonly string[],
    actor: string,
    reason: string,
    stream: string,
  ): OverrideResult {
    const guards = agents.map((a) => this.getGuard(a));
    const before = agents.flatMap((a) => this.rows(a));
    for (const g of guards) {
      if (action === 'open') g.isolate(`${reason} (by ${actor})`);
      else g.reset(`${reason} (by ${actor})`);
    }
    const after = agents.flatMap((a) => this.rows(a));
    const at = this.now();
    const eventId = uuidv7(at);
    this.o.sink.record({
      id: eventId,
      type: EventType.BreakerOverridden,
      stream,
      data: { action, agents, before, after },
      metadata: { actor, reason },
      time: new Date(at).toISOString(),
    });
    this.o.metrics?.auditEventsTotal.inc({ action: EventType.BreakerOverridden });
    return { action, agents: [...agents], before, after, eventId };
  }

  private changed(c: BreakerStateChange): void {
    const m = this.o.metrics;
    m?.breakerTransitionsTotal.inc({ agent: c.agent, kind: c.kind, from: c.from, to: c.to });
    m?.breakerState.set({ agent: c.agent, kind: c.kind }, gaugeValue(c.to));
    this.o.sink.record({
      id: uuidv7(c.at),
      type: EventType.BreakerStateChanged,
      stream: breakerStream(c.agent),
      data: { agent: c.agent, kind: c.kind, from: c.from, to: c.to, reason: c.reason },
      metadata: { actor: 'system', reason: c.reason },
      time: new Date(c.at).toISOString(),
    });
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // A listener's bug must never reach the decision path.
      }
    }
  }
}

/** Creates the breaker control plane. See `BreakerBoard`. */
export const createBreakerBoard = (options: BreakerBoardOptions): BreakerBoard => new BreakerBoard(options);
