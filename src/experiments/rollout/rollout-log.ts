import type { ShadowEvidence } from './rollout-policy.js';
import { EventType, type NewEvent } from '../../core/index.js';
import type { OpeGateResult } from '../analysis/ope-gate.js';
import { opeResultOfEvent } from '../analysis/ope-gate-check.js';
import { START, cursorOf, type Cursor, type EventStore } from '../../log/index.js';
import type { RolloutStepChangedData } from './rollout-events.js';
import { type RolloutState, RolloutPhase, describeState, experimentOf } from './rollout-state.js';

/** The current rollout of one agent. */
export interface RolloutRecord {
  readonly agent: string;
  readonly state: RolloutState;
  readonly version: number;
  readonly eventId: string;
  readonly updatedAt: string;
  readonly updatedBy: string | undefined;
  readonly reason: string | undefined;
}

/** Payload of `RolloutGateApproved` (stream `rollout-<agent>`): the operator let the rollout at `version` advance into `percentage`. */
export interface RolloutGateApprovedData {
  readonly agent: string;
  /** The rollout version (its count of step changes) the approval is for: a later change voids it. */
  readonly version: number;
  readonly percentage: number;
}

/** An approval as the controller holds it. */
export interface GateApproval extends RolloutGateApprovedData {
  readonly actor: string | undefined;
  readonly reason: string | undefined;
  readonly at: string;
}

/** The last `OpeGateEvaluated` of an agent, by whichever instance evaluated it (the leader's controller). */
export interface OpeEvaluation {
  readonly result: OpeGateResult;
  /** The shadow period judged (its start); undefined in events written before it was recorded. */
  readonly since: string | undefined;
  /** When it was evaluated (the event's time). */
  readonly at: string;
  readonly eventId: string;
}

/** The OPE evidence a rollout left shadow with: `evidence.ope` of its shadow → first-step `RolloutStepChanged`. */
export interface OpeAdmission {
  /** The rollout version of that step change. */
  readonly version: number;
  readonly at: string;
  /** Pass, n, DR estimate, interval, served value, margin, effective sample size (`opeEvidence`). */
  readonly ope: Readonly<Record<string, unknown>>;
}

/** One experiment: the A/B comparison behind one rollout step. */
export interface ExperimentRecord {
  readonly id: string;
  readonly agent: string;
  readonly percentage: number;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  /** The state the rollout left the step for (`canary-25`, `rolled_back`...). */
  readonly endPhase: string | undefined;
  readonly endReason: string | undefined;
}

/** What one `RolloutStepChanged` does to the experiments: end the old step's, start the new one's. */
export function experimentChanges(
  data: RolloutStepChangedData,
  time: string,
  reason: string | undefined,
): { readonly ended?: { id: string; endedAt: string; endPhase: string; endReason: string | undefined }; readonly started?: ExperimentRecord } {
  const was = experimentOf(data.before);
  const now = experimentOf(data.after);
  if (was === now) return {};
  const after = data.after;
  const started =
    now !== undefined && after.phase === 'canary'
      ? { id: now, agent: data.agent, percentage: after.percentage, startedAt: after.since, endedAt: undefined, endPhase: undefined, endReason: undefined }
      : undefined;
  return {
    ...(was !== undefined ? { ended: { id: was, endedAt: time, endPhase: describeState(data.after), endReason: reason } } : {}),
    ...(started ? { started } : {}),
  };
}

/**
 * Rollouts and experiments folded from `RolloutStepChanged` events (with gate approvals and the
 * last `OpeGateEvaluated` per agent), in memory: the controller's view, caught up from the event
 * log before every decision so that several instances agree.
 * The latest event per agent wins (UUIDv7 order).
 */
export class RolloutLog {
  readonly #rollouts = new Map<string, RolloutRecord>();
  readonly #experiments = new Map<string, ExperimentRecord>();
  readonly #approvals = new Map<string, GateApproval>();
  /** Shadow evidence recorded with each agent's latest rollback (`evidence.shadowBase`). */
  readonly #shadowBases = new Map<string, ShadowEvidence>();
  readonly #opeEvaluations = new Map<string, OpeEvaluation>();
  readonly #admissions = new Map<string, OpeAdmission | undefined>();
  #cursor: Cursor = START;

  /** Fold one event; false when it is older than what is held (or not a rollout event). */
  apply(e: Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata' | 'time'>): boolean {
    if (e.type === EventType.RolloutGateApproved) {
      const d = e.data as RolloutGateApprovedData;
      const text = (k: string): string | undefined => (typeof e.metadata[k] === 'string' ? (e.metadata[k] as string) : undefined);
      this.#approvals.set(d.agent, { agent: d.agent, version: d.version, percentage: d.percentage, actor: text('actor'), reason: text('reason'), at: e.time });
      return true;
    }
    if (e.type === EventType.OpeGateEvaluated) {
      const d = e.data as { agent?: unknown };
      const result = opeResultOfEvent(e.data);
      if (typeof d.agent !== 'string' || !result) return false;
      const held = this.#opeEvaluations.get(d.agent);
      if (held && held.eventId >= e.id) return false;
      const { since, ...evidence } = result;
      this.#opeEvaluations.set(d.agent, { result: evidence, since, at: e.time, eventId: e.id });
      return true;
    }
    if (e.type !== EventType.RolloutStepChanged) return false;
    const d = e.data as RolloutStepChangedData;
    const current = this.#rollouts.get(d.agent);
    if (current && current.eventId >= e.id) return false;
    const reason = typeof e.metadata.reason === 'string' ? e.metadata.reason : undefined;
    this.#rollouts.set(d.agent, {
      agent: d.agent,
      state: d.after,
      version: d.version,
      eventId: e.id,
      updatedAt: e.time,
      updatedBy: typeof e.metadata.actor === 'string' ? e.metadata.actor : undefined,
      reason,
    });
    const base = d.evidence?.shadowBase as ShadowEvidence | undefined;
    if (base && typeof base.n === 'number') this.#shadowBases.set(d.agent, base);
    if (d.before.phase === RolloutPhase.SHADOW && d.after.phase === RolloutPhase.CANARY) {
      const ope = d.evidence?.ope;
      this.#admissions.set(d.agent, ope && typeof ope === 'object' ? { version: d.version, at: e.time, ope: ope as Record<string, unknown> } : undefined);
    }
    const { ended, started } = experimentChanges(d, e.time, reason);
    if (ended) {
      const x = this.#experiments.get(ended.id);
      if (x && x.endedAt === undefined) this.#experiments.set(ended.id, { ...x, ...ended });
    }
    if (started && !this.#experiments.has(started.id)) this.#experiments.set(started.id, started);
    return true;
  }

  /** Read rollout events appended since the last catch-up (by any instance). */
  async catchUp(store: EventStore): Promise<number> {
    let n = 0;
    for (;;) {
      const page = await store.readAll({ after: this.#cursor, limit: 1000, types: [EventType.RolloutStepChanged, EventType.RolloutGateApproved, EventType.OpeGateEvaluated] });
      for (const e of page) this.apply(e);
      n += page.length;
      const last = page[page.length - 1];
      if (last) this.#cursor = cursorOf(last);
      if (!last || page.length < 1000) return n;
    }
  }

  get(agent: string): RolloutRecord | undefined {
    return this.#rollouts.get(agent);
  }

  /**
   * The shadow evidence the agent had when it last rolled back, from the log (so a restarted or
   * another instance's controller judges the next shadow only on what came after it).
   */
  shadowBase(agent: string): ShadowEvidence | undefined {
    return this.#shadowBases.get(agent);
  }

  /** The last OPE gate evaluation of the agent recorded in the log (`OpeGateEvaluated`), by any instance. */
  opeEvaluation(agent: string): OpeEvaluation | undefined {
    return this.#opeEvaluations.get(agent);
  }

  /** The OPE evidence of the agent's last shadow → first-step change; undefined when that change had none (an operator's advance). */
  opeAdmission(agent: string): OpeAdmission | undefined {
    return this.#admissions.get(agent);
  }

  /** The operator's approval of the gate ahead of the agent's current step, if given since its last change. */
  approval(agent: string): GateApproval | undefined {
    const a = this.#approvals.get(agent);
    return a && a.version === (this.#rollouts.get(agent)?.version ?? 0) ? a : undefined;
  }

  list(): RolloutRecord[] {
    return [...this.#rollouts.values()].sort((a, b) => a.agent.localeCompare(b.agent));
  }

  experiment(id: string): ExperimentRecord | undefined {
    return this.#experiments.get(id);
  }

  experiments(agent?: string): ExperimentRecord[] {
    return [...this.#experiments.values()].filter((x) => agent === undefined || x.agent === agent).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
