import { ConflictError, EventType as Events } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { EventStore } from '../../log/index.js';
import { type AnalysisOptions, type ExperimentAnalysis, type ExperimentArms, type QualityMetric, analyzeExperiment } from '../analysis/analyze-experiment.js';
import { type ExperimentWindow, readExperimentArms, readExperimentBatches, readMlGuardrails } from '../analysis/experiment-arms.js';
import type { ArmBatch, ChangePoint } from '../stats/index.js';
import { EventType } from '../../core/index.js';
import { rolloutFlag, rolloutFlagKey, rolloutPercentage } from '../flags/rollout-flag.js';
import type { FlagStore } from '../flags/store/flag-store.js';
import type { SequentialState } from '../stats/index.js';
import { type AuditMeta, emergencyRollbackEvent, rolloutStepChangedEvent, rolloutStream } from './rollout-events.js';
import { type ExperimentRecord, type GateApproval, type OpeAdmission, type RolloutGateApprovedData, type RolloutRecord, RolloutLog } from './rollout-log.js';
import { type RolloutPolicyLayer, resolveRolloutPolicy } from './resolve-policy.js';
import { type GuardrailReport, type RolloutPolicy, type ShadowEvidence, type Verdict, evaluateRollout } from './rollout-policy.js';
import { type RolloutState, RolloutPhase, describeState, experimentOf, initialRolloutState, percentageOf } from './rollout-state.js';
import { type RolloutCommand, transition } from './transition.js';
import { assertAgentName } from '../../decisions/index.js';
import type { DelayCheck } from '../analysis/label-delay.js';
import type { OpeGateOptions, OpeGateResult } from '../analysis/ope-gate.js';
import { opeGateEvent, opeGateVerdict } from '../analysis/ope-gate-check.js';
import { checkStepOutcomes } from '../analysis/outcome-delay-log.js';
import { opeEvidence, opeKey, outcomeDelayEvent, waitingVerdict } from './evidence-gates.js';

type MaybePromise<T> = T | Promise<T>;

/** Default schedule period of the controller: one 10 s analysis bucket. */
export const DEFAULT_CONTROLLER_INTERVAL_MS = 10_000;

/** Timer functions, injectable for tests (fake timers work with the defaults too). */
export interface ControllerTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface RolloutControllerOptions {
  /**
   * Gate of scheduled evaluations: a tick runs only while it returns true (the fleet's leader
   * lease). Default: always. Commands (advance, rollback, ...) are not gated.
   */
  readonly shouldRun?: () => boolean;
  readonly store: EventStore;
  readonly flags: FlagStore;
  /** Agents the schedule evaluates besides those with a rollout or a `rollout-<agent>` flag. Default none. */
  readonly agents?: () => readonly string[];
  /** Shadow quality of an agent's model vs its rules (from the shadow module). Default: none, so shadow never advances on its own. */
  readonly shadowEvidence?: (agent: string) => MaybePromise<ShadowEvidence | undefined>;
  /** Guardrail readings; merged over the default readings of the `ml` arm (p95 latency, fallback rate) from the decisions projection. */
  readonly guardrails?: (agent: string) => MaybePromise<GuardrailReport | undefined>;
  /** After a rollback (automatic, operator or emergency): move model aliases back. Errors are reported through `onError`. */
  readonly onRollback?: (agent: string, reason: string) => MaybePromise<void>;
  /**
   * Before a change sends more traffic to the model (after its event is stored, before the flag
   * rises): put the model in place, e.g. move the `canary` alias where every instance reads it
   * and load it, so no instance routes a unit to a model it does not hold yet. Errors are
   * reported through `onError` and the flag rises anyway (instances keep such units on the
   * rules until they hold a model). Default none.
   */
  readonly beforeTraffic?: (change: RolloutChange) => MaybePromise<void>;
  /** After every state change. */
  readonly onChange?: (change: RolloutChange) => void;
  /** A failure in a scheduled tick or a callback. Default: ignored (the next tick retries). */
  readonly onError?: (error: unknown, agent: string | undefined) => void;
  /** Step rules for every agent; each field documents its default (`DEFAULT_ROLLOUT_POLICY`). */
  readonly policy?: RolloutPolicyLayer;
  /** One agent's policy, merged over `policy` (e.g. its definition's `rollout`). Default none. */
  readonly policyFor?: (agent: string) => RolloutPolicyLayer;
  /** Statistics options (MDE = τ, margin, α); see `ANALYSIS_DEFAULTS`. */
  readonly analysis?: AnalysisOptions;
  /** Exposures and scores per arm. Default: read from the decisions projection. */
  readonly readArms?: (window: ExperimentWindow) => Promise<ExperimentArms>;
  /**
   * The step's outcome scores in `bucketMs` time buckets (the looks of the change-aware
   * sequential analysis). Default: read from the decisions projection, unless `readArms` alone
   * is injected (then each tick is one look of the plain mSPRT).
   */
  readonly readBatches?: (window: ExperimentWindow, bucketMs: number) => Promise<ArmBatch[]>;
  /** What an agent's score measures (named in verdicts; MAE margins are relative). Default 'accuracy'. */
  readonly metricOf?: (agent: string) => QualityMetric | undefined;
  /** A change of a step's effect was detected (after its `RolloutChangeDetected` event is stored). */
  readonly onChangeDetected?: (event: RolloutChangeDetectedData) => void;
  /** Default guardrail readings of the `ml` arm. Default: p95 latency and fallback rate from the decisions projection. */
  readonly readGuardrails?: (window: ExperimentWindow) => Promise<GuardrailReport>;
  /**
   * Schedule period. Default 10,000 ms (one analysis bucket): a loss is acted on within a
   * bucket of being significant, well inside the 120 s rollback target. 0 = on demand only.
   */
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly timers?: ControllerTimers;
  /**
   * The off-policy evaluation gate of shadow → first step (issue 12; `createOpeGateCheck`): the
   * agent's candidate judged on its logged decisions since `since` (the start of shadow), with
   * the policy's `ope` settings. Undefined for an agent without a candidate: no gate. Default
   * none. Each evaluation (tick) runs it, and each one whose evidence changed is an
   * `OpeGateEvaluated` event. `status()` does not re-run it: it serves the last evaluation of
   * the current shadow period — this instance's, or the one in the log (the leader's) — and runs
   * it only when there is none, or when its own read is older than the evaluation interval.
   */
  readonly opeGate?: (agent: string, since: string, options: OpeGateOptions) => MaybePromise<OpeGateResult | undefined>;
  /**
   * Label delay: how complete a step's outcomes are expected to be at `now`, each arm weighed by
   * the delays of its served actions estimated from the agent's log of the last `historyMs`.
   * Default: read from the decisions projection (`checkStepOutcomes`), unless `readArms` alone is
   * injected (then no wait). A policy `minOutcomeCompleteness` of 0 turns the wait off.
   */
  readonly checkOutcomes?: (window: ExperimentWindow, now: number, requiredFraction: number, historyMs: number) => Promise<DelayCheck>;
}

export interface RolloutChange {
  readonly agent: string;
  readonly before: RolloutState;
  readonly after: RolloutState;
  readonly command: RolloutCommand['kind'];
  readonly actor: string;
  readonly reason: string | undefined;
}

/** An agent's rollout with the current step's statistics and the controller's verdict. */
export interface RolloutStatus {
  readonly agent: string;
  readonly state: RolloutState;
  readonly percentage: number;
  readonly version: number;
  readonly updatedAt: string | undefined;
  readonly experiment: ExperimentRecord | undefined;
  readonly analysis: ExperimentAnalysis | undefined;
  readonly guardrails: GuardrailReport | undefined;
  readonly shadow: ShadowEvidence | undefined;
  /**
   * The OPE gate's evidence while in shadow, when the agent has a candidate and the controller a
   * gate: the last evaluation of this shadow period (this instance's or, from the log, the leader's).
   */
  readonly ope: OpeGateResult | undefined;
  /** Past shadow (canary, paused canary, promoted): the OPE evidence the rollout left shadow with, from its step event. */
  readonly admission: OpeAdmission | undefined;
  /** Label delay: how complete the current step's outcomes are expected to be (a canary step below 100%). */
  readonly outcomes: DelayCheck | undefined;
  readonly verdict: Verdict;
  /** The effective policy of this agent. */
  readonly policy: RolloutPolicy;
  /** The manual gate ahead of the current step, if the next step has one. */
  readonly gate: { readonly percentage: number; readonly approval: GateApproval | undefined } | undefined;
}

/** Payload of `RolloutChangeDetected` (stream `rollout-change-<agent>`). */
export interface RolloutChangeDetectedData {
  readonly agent: string;
  readonly experimentId: string;
  readonly percentage: number;
  readonly metric: QualityMetric;
  /** The change point (ISO) the confidence sequence restarts from, and when it was detected. */
  readonly at: string;
  readonly detectedAt: string;
  readonly change: ChangePoint;
}

export interface TickResult {
  readonly agent: string;
  readonly verdict: Verdict;
  readonly changed: RolloutChange | undefined;
}


/** One run of the OPE gate for an agent: its result, the shadow period judged, when, and whether a tick (look) ran it. */
interface OpeRun {
  readonly result: OpeGateResult | undefined;
  readonly since: string;
  readonly at: number;
  readonly look: boolean;
}

/** Start of the shadow period the OPE gate judges: an agent that never had a rollout has been in shadow since its first decision. */
const shadowSinceOf = (r: RolloutRecord): string => (r.version === 0 ? new Date(0).toISOString() : r.state.since);

/** The OPE evidence the rollout left shadow with, while it is past shadow (canary, paused canary, promoted). */
function admissionOf(r: RolloutRecord, a: OpeAdmission | undefined): OpeAdmission | undefined {
  if (!a || a.version > r.version) return undefined;
  const s = r.state;
  const past = s.phase === RolloutPhase.CANARY || s.phase === RolloutPhase.PROMOTED || (s.phase === RolloutPhase.PAUSED && s.paused.phase === RolloutPhase.CANARY);
  return past ? a : undefined;
}

const evidenceOf = (s: RolloutStatus): Record<string, unknown> | undefined =>
  s.ope ? { ope: opeEvidence(s.ope) } : analysisEvidence(s.analysis, s.verdict);

const analysisEvidence = (a: ExperimentAnalysis | undefined, v: Verdict): Record<string, unknown> | undefined =>
  a && {
    metric: a.metric,
    rule: v.rule ?? null,
    effect: a.effect,
    ci: a.ci,
    pValue: a.pValue,
    lossPValue: a.lossPValue,
    power: a.power,
    srmPValue: a.srm.pValue,
    outcomes: [a.arms.deterministic.outcomes, a.arms.ml.outcomes],
    segmentStart: a.segmentStart ?? null,
    changes: a.changes.length,
  };

/** Shadow evidence gathered after `base` was taken: the same means over the new outcomes only. */
export function freshShadowEvidence(now: ShadowEvidence | undefined, base: ShadowEvidence | undefined): ShadowEvidence | undefined {
  if (!now || !base) return now;
  const n = now.n - base.n;
  if (n <= 0) return { ...now, n: 0 };
  return {
    n,
    modelQuality: (now.modelQuality * now.n - base.modelQuality * base.n) / n,
    rulesQuality: (now.rulesQuality * now.n - base.rulesQuality * base.n) / n,
    higherIsBetter: now.higherIsBetter,
  };
}

/** The step an automatic advance would enter, when the policy gates it (shadow → first step, step → next; promotion is not gated). */
export function gateAhead(state: RolloutState, policy: RolloutPolicy): number | undefined {
  const next =
    state.phase === RolloutPhase.SHADOW ? policy.steps[0] : state.phase === RolloutPhase.CANARY ? policy.steps.find((s) => s > state.percentage) : undefined;
  return next !== undefined && policy.gates.includes(next) ? next : undefined;
}

/**
 * Drives each agent's rollout (DESIGN.md §2.3): on a schedule and on demand it reads the
 * current step's experiment, guardrails and shadow evidence, asks `evaluateRollout`, and
 * advances, holds or rolls back. Every change is a `RolloutStepChanged` event (actor, before,
 * after, reason) and moves the agent's `rollout-<agent>` flag, which the flag store carries to
 * every instance. State is caught up from the event log before each action, so instances agree;
 * run the schedule on one instance (`intervalMs: 0` elsewhere) to avoid duplicate steps.
 *
 * @example
 * const controller = new RolloutController({ store: a.store, flags, shadowEvidence, guardrails, onRollback });
 * controller.start();
 * await controller.command('debugger', { kind: 'advance' }, { actor: 'alice', reason: 'shadow looks good' });
 */
export class RolloutController {
  readonly #o: RolloutControllerOptions;
  readonly #policy: RolloutPolicy;
  readonly #log = new RolloutLog();
  readonly #sequential = new Map<string, SequentialState>();
  /** Changes already recorded, by `${experimentId} ${at}`. */
  readonly #changes = new Set<string>();
  readonly #changesLoaded = new Set<string>();
  readonly #now: () => number;
  readonly #timers: ControllerTimers;
  #timer: unknown;
  #queue: Promise<unknown> = Promise.resolve();
  /** When each agent was last evaluated (its policy's `evaluationIntervalMs`). */
  readonly #evaluated = new Map<string, number>();
  /** Last audited OPE evidence per agent, and last audited readiness per experiment. */
  readonly #opeAudited = new Map<string, string>();
  readonly #delayAudited = new Map<string, boolean>();
  /** The last outcome-delay check computed per agent (the metrics read it). */
  readonly #latest = new Map<string, { outcomes: DelayCheck | undefined }>();
  /** This instance's last OPE gate run per agent: a tick's (`look`) or a status read's, and when. */
  readonly #opeRuns = new Map<string, OpeRun>();
  /** A status read's OPE run in progress per agent: concurrent reads share it. */
  readonly #opeReads = new Map<string, Promise<OpeGateResult | undefined>>();
  #ticks = 0;

  constructor(options: RolloutControllerOptions) {
    this.#o = options;
    this.#policy = resolveRolloutPolicy(options.policy);
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? { setInterval: (f, ms) => setInterval(f, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
  }

  /** The policy every agent starts from (built-in defaults under `options.policy`). */
  get policy(): RolloutPolicy {
    return this.#policy;
  }

  /** One agent's effective policy: `policyFor(agent)` over `options.policy` over the defaults. Throws a `ValidationError` when the merge is invalid. */
  policyOf(agent: string): RolloutPolicy {
    const own = this.#o.policyFor?.(agent);
    return own ? resolveRolloutPolicy(this.#o.policy, own) : this.#policy;
  }

  /**
   * The evidence gates as last computed for an agent: the OPE gate while in shadow — the newest
   * evaluation of the current shadow period, this instance's or the log's (so an instance that
   * is not the leader shows the leader's; read the log first: `agents()` catches up) — and the
   * outcome-delay check this instance last computed while a step runs. Never runs the OPE.
   */
  latestEvidence(agent: string): { readonly ope: OpeGateResult | undefined; readonly outcomes: DelayCheck | undefined } | undefined {
    const r = this.#record(agent);
    const ope = r.state.phase === RolloutPhase.SHADOW ? this.#lastOpe(agent, shadowSinceOf(r), this.policyOf(agent))?.result : undefined;
    const outcomes = this.#latest.get(agent)?.outcomes;
    return ope === undefined && outcomes === undefined && !this.#latest.has(agent) ? undefined : { ope, outcomes };
  }

  /** Scheduled evaluations run so far. */
  get ticks(): number {
    return this.#ticks;
  }

  start(): void {
    const ms = this.#o.intervalMs ?? DEFAULT_CONTROLLER_INTERVAL_MS;
    if (ms <= 0 || this.#timer !== undefined) return;
    this.#timer = this.#timers.setInterval(() => {
      // One controller for the fleet: only the holder of the lease evaluates on the schedule.
      if (this.#o.shouldRun && !this.#o.shouldRun()) return;
      this.#ticks++;
      void this.tick().catch((e: unknown) => this.#o.onError?.(e, undefined));
    }, ms);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#queue.catch(() => undefined);
  }

  /** Resolves when the operations queued so far (scheduled ticks included) are done. */
  async idle(): Promise<void> {
    await this.#queue.catch(() => undefined);
  }

  /** One operation at a time per controller: a tick never interleaves with a command. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #record(agent: string): RolloutRecord {
    return (
      this.#log.get(agent) ?? {
        agent,
        state: initialRolloutState(new Date(this.#now()).toISOString()),
        version: 0,
        eventId: '',
        updatedAt: '',
        updatedBy: undefined,
        reason: undefined,
      }
    );
  }

  /** Every agent known to the controller: with a rollout, a rollout flag, or listed in `agents`. */
  async agents(): Promise<string[]> {
    await this.#log.catchUp(this.#o.store);
    const names = new Set<string>(this.#log.list().map((r) => r.agent));
    for (const f of this.#o.flags.list()) {
      const m = /^rollout-(.+)$/.exec(f.key);
      if (m && rolloutPercentage(f.definition) !== undefined) names.add(m[1]!);
    }
    for (const a of this.#o.agents?.() ?? []) names.add(a);
    return [...names].sort();
  }

  async rollouts(): Promise<RolloutRecord[]> {
    return (await this.agents()).map((a) => this.#record(a));
  }

  async experiments(agent?: string): Promise<ExperimentRecord[]> {
    await this.#log.catchUp(this.#o.store);
    return this.#log.experiments(agent);
  }

  async #analyze(x: ExperimentRecord, look: boolean): Promise<ExperimentAnalysis> {
    const window = { agent: x.agent, since: x.startedAt, until: x.endedAt };
    const arms = await (this.#o.readArms ?? ((w) => readExperimentArms(this.#o.store, w)))(window);
    const p = this.policyOf(x.agent);
    const options: AnalysisOptions = {
      lossAlpha: p.lossAlpha,
      changeThreshold: p.changeThreshold,
      windowBatches: Math.max(1, Math.round(p.lossWindowMs / p.bucketMs)),
      ...(this.#o.metricOf?.(x.agent) ? { metric: this.#o.metricOf(x.agent) } : {}),
      ...this.#o.analysis,
      // The policy's statistics (configuration) win over the code's analysis options.
      ...(p.alpha !== undefined ? { alpha: p.alpha } : {}),
      ...(p.mde !== undefined ? { mde: p.mde } : {}),
      ...(p.margin !== undefined ? { margin: p.margin } : {}),
    };
    const readBatches = this.#o.readBatches ?? (this.#o.readArms ? undefined : (w: ExperimentWindow, ms: number) => readExperimentBatches(this.#o.store, w, ms));
    if (readBatches) {
      // Change-aware: every bucket is a look; recomputed from the log, so instances agree.
      const batches = await readBatches(window, p.bucketMs);
      const a = analyzeExperiment({ percentage: x.percentage, arms, batches }, options);
      if (look) await this.#recordChanges(x, a);
      return a;
    }
    const previous = this.#sequential.get(x.id);
    const a = analyzeExperiment({ percentage: x.percentage, arms }, { ...options, ...(previous ? { previous } : {}) });
    if (look && a.testable) this.#sequential.set(x.id, a.sequential);
    return a;
  }

  /** One `RolloutChangeDetected` event per change point of a step (deduplicated across restarts through its stream). */
  async #recordChanges(x: ExperimentRecord, a: ExperimentAnalysis): Promise<void> {
    if (a.changes.length === 0) return;
    const stream = `rollout-change-${x.agent}`;
    if (!this.#changesLoaded.has(x.agent)) {
      for (const e of await this.#o.store.readStream(stream)) {
        const d = e.data as Partial<RolloutChangeDetectedData>;
        this.#changes.add(`${d.experimentId} ${d.at}`);
      }
      this.#changesLoaded.add(x.agent);
    }
    for (const c of a.changes) {
      const at = new Date(c.at).toISOString();
      const key = `${x.id} ${at}`;
      if (this.#changes.has(key)) continue;
      const now = this.#now();
      const data: RolloutChangeDetectedData = { agent: x.agent, experimentId: x.id, percentage: x.percentage, metric: a.metric, at, detectedAt: new Date(c.detectedAt).toISOString(), change: c };
      const reason = `effect moved ${c.direction} (${c.trigger}): ${c.before.effect.toFixed(3)} → ${c.after.effect.toFixed(3)}; the confidence sequence restarts at ${at}`;
      await this.#o.store.append([{ id: uuidv7(now), type: EventType.RolloutChangeDetected, stream, data, metadata: { actor: 'controller', reason }, time: new Date(now).toISOString() }]);
      this.#changes.add(key);
      try {
        this.#o.onChangeDetected?.(data);
      } catch (e) {
        this.#o.onError?.(e, x.agent);
      }
    }
  }

  async #guardrails(agent: string, state: RolloutState): Promise<GuardrailReport | undefined> {
    if (percentageOf(state) === 0) return undefined;
    const since = state.phase === RolloutPhase.PAUSED ? state.paused.since : state.since;
    const measured = await (this.#o.readGuardrails ?? ((w) => readMlGuardrails(this.#o.store, w)))({ agent, since });
    const injected = (await this.#o.guardrails?.(agent)) ?? {};
    return { ...measured, ...injected };
  }

  async #status(agent: string, look: boolean): Promise<RolloutStatus> {
    const r = this.#record(agent);
    const expId = experimentOf(r.state);
    const experiment = expId === undefined ? undefined : this.#log.experiment(expId);
    const analysis = experiment ? await this.#analyze(experiment, look) : undefined;
    const guardrails = await this.#guardrails(agent, r.state);
    const shadow = r.state.phase === RolloutPhase.SHADOW ? freshShadowEvidence(await this.#o.shadowEvidence?.(agent), this.#log.shadowBase(agent)) : undefined;
    const policy = this.policyOf(agent);
    const evidence = { shadow, analysis, guardrails, elapsedMs: this.#now() - Date.parse(r.state.since) };
    const ope = r.state.phase === RolloutPhase.SHADOW ? await this.#ope(agent, shadowSinceOf(r), policy, look) : undefined;
    const outcomes = experiment && r.state.phase === RolloutPhase.CANARY && r.state.percentage < 100 ? await this.#outcomes(experiment, policy, look) : undefined;
    const judged =
      outcomes && !outcomes.ready
        ? waitingVerdict(evaluateRollout(r.state, { ...evidence, analysis: undefined }, policy), outcomes)
        : opeGateVerdict(evaluateRollout(r.state, evidence, policy), ope);
    this.#latest.set(agent, { outcomes });
    const gate = gateAhead(r.state, policy);
    const approval = gate === undefined ? undefined : this.#log.approval(agent);
    const approved = approval !== undefined && approval.percentage === gate;
    // A manual gate holds what the statistics would advance, until an operator approves it.
    const verdict: Verdict =
      judged.action === 'advance' && gate !== undefined && !approved
        ? { action: 'hold', reasons: [`waiting for approval to advance to ${gate}%`, ...judged.reasons], rule: judged.rule }
        : judged;
    return {
      agent,
      state: r.state,
      percentage: percentageOf(r.state),
      version: r.version,
      updatedAt: r.updatedAt || undefined,
      experiment,
      analysis,
      guardrails,
      shadow,
      ope,
      admission: admissionOf(r, this.#log.opeAdmission(agent)),
      outcomes,
      verdict,
      policy,
      gate: gate === undefined ? undefined : { percentage: gate, approval: approved ? approval : undefined },
    };
  }

  /**
   * The OPE gate of an agent in shadow. A look (tick) runs it and audits it when its evidence
   * changed. A read serves the last evaluation of this shadow period under the same settings
   * (`#lastOpe`); it runs the gate only when there is none, or when the newest is a read of its
   * own older than the evaluation interval (no instance evaluates on a schedule).
   */
  async #ope(agent: string, since: string, p: RolloutPolicy, look: boolean): Promise<OpeGateResult | undefined> {
    const gate = this.#o.opeGate;
    if (!gate) return undefined;
    if (!look) {
      const last = this.#lastOpe(agent, since, p);
      if (last && (last.look || this.#now() - last.at < this.#readTtl(agent))) return last.result;
      const running = this.#opeReads.get(agent);
      if (running) return running;
    }
    const run = (async () => {
      const result = await gate(agent, since, { margin: p.opeMargin, minEffectiveSampleSize: p.opeMinEffectiveSampleSize, alpha: p.opeAlpha });
      this.#opeRuns.set(agent, { result, since, at: this.#now(), look });
      return result;
    })();
    if (!look) {
      this.#opeReads.set(agent, run);
      void run.then(
        () => this.#opeReads.delete(agent),
        () => this.#opeReads.delete(agent),
      );
      return run;
    }
    const result = await run;
    if (result) {
      const key = opeKey(since, result);
      if (this.#opeAudited.get(agent) !== key) {
        await this.#o.store.append([opeGateEvent(agent, result, 'controller', this.#now(), since)]);
        this.#opeAudited.set(agent, key);
      }
    }
    return result;
  }

  /**
   * The newest OPE evaluation of the agent's shadow period starting at `since` under the
   * policy's gate settings: this instance's last run, or the log's last `OpeGateEvaluated`
   * (whichever instance wrote it; an event without `since` counts when written after `since`).
   * Log evidence counts as a look: it is what the leader judged.
   */
  #lastOpe(agent: string, since: string, p: RolloutPolicy): OpeRun | undefined {
    const settings = (o: OpeGateResult | undefined): boolean =>
      o === undefined || (o.margin === p.opeMargin && o.minEffectiveSampleSize === p.opeMinEffectiveSampleSize && o.interval.alpha === p.opeAlpha);
    const own = this.#opeRuns.get(agent);
    const mine = own && own.since === since && settings(own.result) ? own : undefined;
    const e = this.#log.opeEvaluation(agent);
    const at = e ? Date.parse(e.at) : NaN;
    const logged = e && (e.since === undefined ? at >= Date.parse(since) : e.since === since) && settings(e.result) ? { result: e.result, since, at, look: true } : undefined;
    if (!mine) return logged;
    if (!logged) return mine;
    return logged.at > mine.at ? logged : mine;
  }

  /** How long a status read's own OPE run is served: the agent's evaluation interval (default: the schedule period). */
  #readTtl(agent: string): number {
    const every = this.policyOf(agent).evaluationIntervalMs ?? this.#o.intervalMs ?? DEFAULT_CONTROLLER_INTERVAL_MS;
    return every > 0 ? every : DEFAULT_CONTROLLER_INTERVAL_MS;
  }

  /** Label delay of a running step; a look audits each change between waiting and ready (and a first wait). */
  async #outcomes(x: ExperimentRecord, p: RolloutPolicy, look: boolean): Promise<DelayCheck | undefined> {
    const check = this.#o.checkOutcomes ?? (this.#o.readArms ? undefined : (w: ExperimentWindow, now: number, f: number, h: number) => checkStepOutcomes(this.#o.store, w, now, f, h));
    if (!check || p.minOutcomeCompleteness <= 0) return undefined;
    const now = this.#now();
    const result = await check({ agent: x.agent, since: x.startedAt, until: x.endedAt }, now, p.minOutcomeCompleteness, p.delayHistoryMs);
    const before = this.#delayAudited.get(x.id);
    if (look && (before === undefined ? !result.ready : before !== result.ready)) {
      await this.#o.store.append([outcomeDelayEvent(x, result, now)]);
      this.#delayAudited.set(x.id, result.ready);
    }
    return result;
  }

  /** The agent's rollout, its step's statistics and the verdict (read only: not a look of the sequential test). */
  async status(agent: string): Promise<RolloutStatus> {
    assertAgentName(agent);
    await this.#log.catchUp(this.#o.store);
    return this.#status(agent, false);
  }

  /** Statistics and verdict of one experiment (the verdict only for the running one). */
  async significance(experimentId: string): Promise<{ experiment: ExperimentRecord; analysis: ExperimentAnalysis; verdict: Verdict | undefined } | undefined> {
    await this.#log.catchUp(this.#o.store);
    const x = this.#log.experiment(experimentId);
    if (!x) return undefined;
    const running = x.endedAt === undefined && experimentOf(this.#record(x.agent).state) === x.id;
    if (running) {
      const s = await this.#status(x.agent, false);
      return { experiment: x, analysis: s.analysis!, verdict: s.verdict };
    }
    return { experiment: x, analysis: await this.#analyze(x, false), verdict: undefined };
  }

  /** Evaluate one agent (or every agent) now and act on the verdicts. */
  tick(agent?: string): Promise<TickResult[]> {
    return this.#serial(async () => {
      await this.#log.catchUp(this.#o.store);
      const names = agent === undefined ? await this.agents() : [agent];
      const out: TickResult[] = [];
      for (const name of names) {
        try {
          // A whole-fleet tick skips agents evaluated less than their policy's interval ago.
          if (agent === undefined && !this.#due(name)) continue;
          out.push(await this.#evaluate(name));
        } catch (e) {
          this.#o.onError?.(e, name);
        }
      }
      return out;
    });
  }

  #due(agent: string): boolean {
    const every = this.policyOf(agent).evaluationIntervalMs;
    const last = this.#evaluated.get(agent);
    return every === undefined || last === undefined || this.#now() - last >= every;
  }

  async #evaluate(name: string): Promise<TickResult> {
    this.#evaluated.set(name, this.#now());
    const s = await this.#status(name, true);
    let changed: RolloutChange | undefined;
    if (s.verdict.action !== 'hold') {
      const command: RolloutCommand = s.verdict.action === 'advance' ? { kind: 'advance' } : { kind: 'rollback', reason: s.verdict.reasons.join('; ') };
      changed = await this.#apply(name, command, { actor: 'controller', reason: s.verdict.reasons.join('; ') }, evidenceOf(s));
    }
    return { agent: name, verdict: s.verdict, changed };
  }

  /**
   * An operator approves the manual gate ahead of the agent's current step: a
   * `RolloutGateApproved` event (actor, reason), then the agent is evaluated at once, so the
   * rollout advances now if its statistics allow (else at the first tick that they do). The
   * approval holds until the rollout next changes step. `ConflictError` when no gate is ahead.
   */
  approve(agent: string, meta: AuditMeta): Promise<TickResult & { approval: GateApproval }> {
    assertAgentName(agent);
    return this.#serial(async () => {
      await this.#log.catchUp(this.#o.store);
      const r = this.#record(agent);
      const gate = gateAhead(r.state, this.policyOf(agent));
      if (gate === undefined) throw new ConflictError(`no manual gate ahead of ${describeState(r.state)} for ${agent}`);
      const now = this.#now();
      const data: RolloutGateApprovedData = { agent, version: r.version, percentage: gate };
      const event = {
        id: uuidv7(now),
        type: Events.RolloutGateApproved,
        stream: rolloutStream(agent),
        data,
        metadata: { actor: meta.actor, reason: meta.reason ?? `approved ${gate}% by ${meta.actor}`, ...(meta.correlationId ? { correlationId: meta.correlationId } : {}) },
        time: new Date(now).toISOString(),
      };
      await this.#o.store.append([event]);
      this.#log.apply(event);
      const approval = this.#log.approval(agent)!;
      return { ...(await this.#evaluate(agent)), approval };
    });
  }

  /** An operator's (or alert's) command: advance, pause, resume, rollback. */
  command(agent: string, command: RolloutCommand, meta: AuditMeta): Promise<RolloutRecord> {
    assertAgentName(agent);
    return this.#serial(async () => {
      await this.#log.catchUp(this.#o.store);
      await this.#apply(agent, command, meta, undefined);
      return this.#record(agent);
    });
  }

  async #apply(agent: string, command: RolloutCommand, meta: AuditMeta, evidence: Record<string, unknown> | undefined, correlationId?: string): Promise<RolloutChange> {
    const r = this.#record(agent);
    const now = this.#now();
    const after = transition(r.state, command, { now: new Date(now).toISOString(), newExperimentId: () => uuidv7(now), steps: this.policyOf(agent).steps });
    const reason = meta.reason ?? (command.kind === 'rollback' ? command.reason : undefined);
    // Evidence from before a rollback must not carry the next version back to traffic: the
    // shadow evidence at this moment goes into the event, and later shadow verdicts (of this
    // controller, a restarted one, or another instance's) count only what came after it.
    let shadowBase: ShadowEvidence | undefined;
    if (after.phase === RolloutPhase.ROLLED_BACK) {
      try {
        shadowBase = (await this.#o.shadowEvidence?.(agent)) ?? undefined;
      } catch (e) {
        this.#o.onError?.(e, agent);
      }
    }
    const withBase = shadowBase ? { ...evidence, shadowBase: { n: shadowBase.n, modelQuality: shadowBase.modelQuality, rulesQuality: shadowBase.rulesQuality, higherIsBetter: shadowBase.higherIsBetter } } : evidence;
    const event = rolloutStepChangedEvent(
      { agent, version: r.version + 1, before: r.state, after, command: command.kind, ...(withBase ? { evidence: withBase } : {}) },
      { actor: meta.actor, reason, correlationId: correlationId ?? meta.correlationId },
      now,
    );
    const from = percentageOf(r.state);
    const to = percentageOf(after);
    const change: RolloutChange = { agent, before: r.state, after, command: command.kind, actor: meta.actor, reason };
    // Less traffic to the model is the safe direction: move the flag first; more traffic only once
    // audited and the model is in place.
    if (to < from) await this.#setFlag(agent, to, meta.actor, reason);
    await this.#o.store.append([event]);
    this.#log.apply(event);
    if (to > from) {
      try {
        await this.#o.beforeTraffic?.(change);
      } catch (e) {
        this.#o.onError?.(e, agent);
      }
      await this.#setFlag(agent, to, meta.actor, reason);
    }
    if (after.phase === RolloutPhase.ROLLED_BACK) await this.#rolledBack(agent, after.reason);
    this.#o.onChange?.(change);
    return change;
  }

  async #rolledBack(agent: string, reason: string): Promise<void> {
    try {
      await this.#o.onRollback?.(agent, reason);
    } catch (e) {
      this.#o.onError?.(e, agent);
    }
  }

  async #setFlag(agent: string, percentage: number, actor: string, reason: string | undefined): Promise<void> {
    const key = rolloutFlagKey(agent);
    const meta = { actor, ...(reason ? { reason } : {}) };
    const current = this.#o.flags.get(key);
    if (current && rolloutPercentage(current.definition) !== undefined) await this.#o.flags.setPercentage(key, percentage, meta);
    else await this.#o.flags.put(key, rolloutFlag(agent, percentage), meta);
  }

  /**
   * Emergency: every rollout flag to 0% at once (the flag store carries it to every instance),
   * then an `EmergencyRollback` event and a `RolloutStepChanged` to rolled_back for each agent
   * that was serving the model, and `onRollback` for each.
   */
  async emergencyRollback(meta: AuditMeta): Promise<{ agents: string[]; eventId: string }> {
    const reason = meta.reason ?? 'emergency rollback';
    // The flags go to 0% first, from this instance's flag cache: neither a tick in progress (the
    // queue) nor reading the rollout log delays them. A tick that raises a flag meanwhile is
    // rolled back below, which moves its flag to 0% again.
    const before: Record<string, number> = {};
    const flagged = this.#o.flags.list().filter((f) => f.key.startsWith('rollout-') && (rolloutPercentage(f.definition) ?? 0) > 0);
    for (const f of flagged) before[f.key.slice('rollout-'.length)] = rolloutPercentage(f.definition)!;
    await Promise.all(flagged.map((f) => this.#o.flags.setPercentage(f.key, 0, { actor: meta.actor, reason })));
    return this.#serial(async () => {
      await this.#log.catchUp(this.#o.store);
      const now = this.#now();
      const emergency = emergencyRollbackEvent({ before }, { actor: meta.actor, reason }, now);
      await this.#o.store.append([emergency]);
      const rolled: string[] = [];
      for (const r of this.#log.list()) {
        const phase = r.state.phase;
        if (phase === RolloutPhase.SHADOW || phase === RolloutPhase.ROLLED_BACK) continue;
        try {
          await this.#apply(r.agent, { kind: 'rollback', reason }, { actor: meta.actor, reason }, undefined, emergency.id);
          rolled.push(r.agent);
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
        }
      }
      const agents = [...new Set([...Object.keys(before), ...rolled])].sort();
      for (const a of agents) if (!rolled.includes(a)) await this.#rolledBack(a, reason);
      return { agents, eventId: emergency.id };
    });
  }
}

