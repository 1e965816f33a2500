import type { DecisionData, Variant } from '../core/index.js';
import type { AgentDefinition } from './agents/agent-definition.js';
import type { ActionScorer, DecisionExplorer, DecisionGuard, DecisionModel, ExplorationChoice } from './model-seams.js';
import { allowedActions, resolveExploration, type ResolvedExploration } from './agents/exploration-spec.js';
import { hashContext } from './context-hash.js';
import type { AsyncLearningWriter } from './async-learning-writer.js';
import { assertAgentName, assertUnitId } from './validate.js';
import type { Enrichment, FeatureEnricher } from './features/feature-reader.js';

/** What `decide()` returns (DESIGN.md §1). */
export interface Decision<T = unknown> {
  readonly decisionId: string;
  readonly agent: string;
  readonly unitId: string;
  readonly value: T;
  readonly source: 'deterministic' | 'ml';
  /** Why this answer: `RULES`, `MODEL`, `BREAKER_OPEN`, `TIMEOUT`, `MODEL_ERROR`, `NO_MODEL`, `ML_DISABLED`... */
  readonly reason: string;
  readonly modelVersion?: number;
  readonly variant: Variant;
  readonly propensity: number;
  /** Probability of `value` under the policy that served it, when that policy explores (reward agents). */
  readonly actionPropensity?: number;
  readonly latencyMs: number;
}

/** Every `reason` a decision can carry. */
export const DecisionReason = {
  RULES: 'RULES',
  MODEL: 'MODEL',
  ML_DISABLED: 'ML_DISABLED',
  NO_MODEL: 'NO_MODEL',
  /** The model only predicts asynchronously (ONNX): served by `decideAsync`, not the synchronous `decide`. */
  ASYNC_MODEL: 'ASYNC_MODEL',
  BREAKER_OPEN: 'BREAKER_OPEN',
  TIMEOUT: 'TIMEOUT',
  MODEL_ERROR: 'MODEL_ERROR',
  /** Exploration served another allowed action than the arm's own answer (reward agents). */
  EXPLORE: 'EXPLORE',
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

/** Which arm a unit gets and the probability it had of getting it. */
export interface Route {
  readonly variant: Variant;
  readonly propensity: number;
}

/** Handed to the shadow sink after a decision whose answer did not come from the model. */
export interface ShadowJob {
  readonly decisionId: string;
  readonly agent: string;
  readonly unitId: string;
  readonly features: Readonly<Record<string, unknown>>;
  /** The answer that was served (the rules'). */
  readonly served: unknown;
}

/** Where the engine finds loaded models (`ServingModels` in the learning wing). */
export interface ModelSource {
  serving(agent: string): DecisionModel | undefined;
}

export interface DecisionEngineOptions {
  readonly writer: AsyncLearningWriter;
  /** Called after each decision (metrics). */
  readonly onDecision?: (d: Decision, startedAt: number) => void;
  /** Agent definitions (feature spec, time budget, shadow switch). Default: none — rules only, no features. */
  readonly agents?: (agent: string) => AgentDefinition | undefined;
  /** The rollout seam: arm for a unit. Default every unit `{ variant: 'deterministic', propensity: 1 }`. */
  readonly router?: (agent: string, unitId: string) => Route;
  /** The privacy seam: the context as stored (redacted/encrypted). Default identity. */
  readonly protectContext?: (agent: string, context: unknown, subjectId?: string) => unknown;
  /** Loaded models to serve on the `ml` arm. Default none (`NO_MODEL`). */
  readonly models?: ModelSource;
  /** Breakers in front of an agent's model. Default none (errors still fall back to the rules). */
  readonly guard?: (agent: string) => DecisionGuard | undefined;
  /** Whether models may serve and shadow at all (config `mlEnabled`). Default true. */
  readonly mlEnabled?: boolean | (() => boolean);
  /** Takes shadow jobs; must return at once (queue, never predict here). Default none. */
  readonly shadow?: (job: ShadowJob) => void;
  /** Exploration of reward agents whose definition has `exploration` (learning's `BanditExplorer`). Default none. */
  readonly explorer?: DecisionExplorer;
  /** Feature views (issue 13): fields of the spec with `from` are read from the online store. Default none. */
  readonly features?: FeatureEnricher;
}

const RULES_ROUTE: Route = { variant: 'deterministic', propensity: 1 };
const DEFAULT_BUDGET_MS = 20;

interface Served {
  value: unknown;
  source: 'deterministic' | 'ml';
  reason: DecisionReason;
  modelVersion: number | undefined;
}

/** Resolved exploration of a definition, computed once per definition object. */
const explorations = new WeakMap<AgentDefinition, ResolvedExploration>();

/** Feature names of a definition, computed once per definition object. */
const featureNames = new WeakMap<AgentDefinition, readonly string[]>();

/** The raw values of the spec's fields (scalars only): what training and off-policy evaluation read. */
export function extractFeatures(def: AgentDefinition, context: unknown): Record<string, unknown> {
  let names = featureNames.get(def);
  // View-backed fields (`from`) come from the online store, never from the context.
  if (!names) featureNames.set(def, (names = def.features.flatMap((f) => (f.from ? [] : [f.name]))));
  const out: Record<string, unknown> = {};
  if (context === null || typeof context !== 'object') return out;
  const c = context as Record<string, unknown>;
  for (const n of names) {
    const v = c[n];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[n] = v;
  }
  return out;
}

/**
 * Put a decision's view-backed values into its features (what the model sees and what is
 * logged); a field whose view served nothing is dropped, never taken from the context.
 */
function enrichInto(features: Record<string, unknown>, e: Enrichment | undefined): Enrichment['views'] | undefined {
  if (!e) return undefined;
  for (const k of Object.keys(e.values)) {
    const v = e.values[k];
    if (v === null || v === undefined) delete features[k];
    else features[k] = v;
  }
  return e.views;
}

/** A model's answer must be one the agent can give. */
function validAnswer(def: AgentDefinition, v: unknown): boolean {
  if (def.kind === 'regression') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === 'string' && (def.labels?.includes(v) ?? true);
}

/**
 * The decision path (DESIGN.md §2.1): validate → features → route → (model under a time
 * budget, behind the agent's breakers) → deterministic fallback → record → shadow → return.
 * A decision never throws for model problems: failures are data in `reason`.
 * Bad input (agent name, unitId) is a `ValidationError` before anything is recorded.
 *
 * @example
 * const engine = new DecisionEngine({ writer, agents: (a) => registry.get(a), models: serving, guard: (a) => guards.get(a) });
 * const d = engine.decide('code-reviewer', 'pr-7', { files: 3 }, 'approve'); // sync models only
 * const d2 = await engine.decideAsync('code-reviewer', 'pr-8', { files: 9 }, 'reject'); // ONNX too
 */
export class DecisionEngine {
  readonly #writer: AsyncLearningWriter;
  readonly #o: DecisionEngineOptions;

  constructor(options: DecisionEngineOptions) {
    this.#writer = options.writer;
    this.#o = options;
  }

  #mlEnabled(): boolean {
    const m = this.#o.mlEnabled;
    return m === undefined ? true : typeof m === 'function' ? m() : m;
  }

  /** Synchronous: serves built-in (synchronous) models; an async-only model answers `ASYNC_MODEL`. */
  decide<T>(agent: string, unitId: string, context: unknown, deterministic: T, subjectId?: string): Decision<T> {
    const { t0, def, features, route } = this.#begin(agent, unitId, context);
    const views = def && features && this.#o.features ? enrichInto(features, this.#o.features.enrichSync(def, context)) : undefined;
    const served = route.variant === 'ml' ? this.#serveSync(agent, def, features, deterministic) : undefined;
    return this.#finish(t0, agent, unitId, context, deterministic, subjectId, def, features, route, served, views);
  }

  /** Like `decide`, and also serves asynchronous models (ONNX) under the agent's time budget. */
  async decideAsync<T>(agent: string, unitId: string, context: unknown, deterministic: T, subjectId?: string): Promise<Decision<T>> {
    const { t0, def, features, route } = this.#begin(agent, unitId, context);
    const views = def && features && this.#o.features ? enrichInto(features, await this.#o.features.enrich(def, context)) : undefined;
    let served: Served | undefined;
    if (route.variant === 'ml') {
      const model = this.#model(agent, def, features);
      if (typeof model === 'string') served = { value: deterministic, source: 'deterministic', reason: model, modelVersion: undefined };
      else if (model.predictSync) served = this.#serveSync(agent, def, features, deterministic);
      else served = await this.#serveAsync(agent, def!, features!, model, deterministic);
    }
    return this.#finish(t0, agent, unitId, context, deterministic, subjectId, def, features, route, served, views);
  }

  /** Validate, extract features, route: the start of both decision paths. */
  #begin(agent: string, unitId: string, context: unknown) {
    const t0 = performance.now();
    assertAgentName(agent);
    assertUnitId(unitId);
    const def = this.#o.agents?.(agent);
    const features = def ? extractFeatures(def, context) : undefined;
    const route = this.#o.router ? this.#o.router(agent, unitId) : RULES_ROUTE;
    return { t0, def, features, route };
  }

  /** The model to use, or the reason there is none. */
  #model(agent: string, def: AgentDefinition | undefined, features: unknown): DecisionModel | DecisionReason {
    if (!this.#mlEnabled()) return DecisionReason.ML_DISABLED;
    const model = def && features ? this.#o.models?.serving(agent) : undefined;
    return model ?? DecisionReason.NO_MODEL;
  }

  #serveSync(agent: string, def: AgentDefinition | undefined, features: Record<string, unknown> | undefined, deterministic: unknown): Served {
    const model = this.#model(agent, def, features);
    const rules = (reason: DecisionReason): Served => ({ value: deterministic, source: 'deterministic', reason, modelVersion: typeof model === 'string' ? undefined : model.version.version });
    if (typeof model === 'string') return rules(model);
    const predict = model.predictSync;
    if (!predict) return rules(DecisionReason.ASYNC_MODEL);
    const budget = def!.timeBudgetMs ?? DEFAULT_BUDGET_MS;
    const guard = this.#o.guard?.(agent);
    let called = false;
    let ok = false;
    let value: unknown;
    const t = performance.now();
    const run = (): unknown => {
      called = true;
      value = predict(features!);
      if (!validAnswer(def!, value)) throw new Error(`model answered ${JSON.stringify(value)?.slice(0, 80)}, not a valid answer for ${agent}`);
      ok = true;
      return value;
    };
    if (guard) {
      // A synchronous prediction completes inside `execute` (bookkeeping included); the returned promise only carries it.
      void guard.execute(run, { budgetMs: budget });
      if (!called) return rules(DecisionReason.BREAKER_OPEN);
    } else {
      try {
        run();
      } catch {
        ok = false;
      }
    }
    if (!ok) return rules(DecisionReason.MODEL_ERROR);
    // A synchronous model cannot be pre-empted: over budget, its answer is not served.
    if (performance.now() - t > budget) return rules(DecisionReason.TIMEOUT);
    return { value, source: 'ml', reason: DecisionReason.MODEL, modelVersion: model.version.version };
  }

  async #serveAsync(agent: string, def: AgentDefinition, features: Record<string, unknown>, model: DecisionModel, deterministic: unknown): Promise<Served> {
    const budget = def.timeBudgetMs ?? DEFAULT_BUDGET_MS;
    const rules = (reason: DecisionReason): Served => ({ value: deterministic, source: 'deterministic', reason, modelVersion: model.version.version });
    const check = async (): Promise<unknown> => {
      const v = await model.predict(features);
      if (!validAnswer(def, v)) throw new Error(`model answered ${JSON.stringify(v)?.slice(0, 80)}, not a valid answer for ${agent}`);
      return v;
    };
    const guard = this.#o.guard?.(agent);
    if (guard) {
      const r = await guard.execute(() => check(), { budgetMs: budget });
      return r.ok ? { value: r.value, source: 'ml', reason: DecisionReason.MODEL, modelVersion: model.version.version } : rules(r.reason);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const v = await Promise.race([
        check(),
        new Promise<typeof DecisionReason.TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(DecisionReason.TIMEOUT), budget))),
      ]);
      if (v === DecisionReason.TIMEOUT) return rules(DecisionReason.TIMEOUT);
      return { value: v, source: 'ml', reason: DecisionReason.MODEL, modelVersion: model.version.version };
    } catch {
      return rules(DecisionReason.MODEL_ERROR);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reward agents with an `exploration` spec: the explorer picks the served action among the
   * allowed ones around the arm's answer and returns its exact propensity. Never throws: a
   * failing explorer serves the arm's answer (no propensity logged, i.e. 1).
   */
  #explore(agent: string, def: AgentDefinition | undefined, context: unknown, features: Record<string, unknown> | undefined, source: 'deterministic' | 'ml', greedy: unknown): ExplorationChoice | undefined {
    const explorer = this.#o.explorer;
    if (!explorer || !def?.exploration || def.feedback !== 'reward' || !def.labels || typeof greedy !== 'string' || !def.labels.includes(greedy)) return undefined;
    let spec = explorations.get(def);
    if (!spec) explorations.set(def, (spec = resolveExploration(def.exploration)));
    try {
      const model = source === 'ml' && features ? (this.#o.models?.serving(agent) as (DecisionModel & ActionScorer) | undefined) : undefined;
      const scored = model?.actionScores?.(features!);
      return explorer.choose({
        agent,
        spec,
        actions: def.labels,
        greedy,
        allowed: allowedActions(def.labels, greedy, context, spec),
        ...(scored ? { scores: scored.scores, ...(scored.bonuses ? { bonuses: scored.bonuses } : {}) } : {}),
      });
    } catch {
      return undefined;
    }
  }

  #finish<T>(
    t0: number,
    agent: string,
    unitId: string,
    context: unknown,
    deterministic: T,
    subjectId: string | undefined,
    def: AgentDefinition | undefined,
    features: Record<string, unknown> | undefined,
    route: Route,
    served: Served | undefined,
    views?: Enrichment['views'],
  ): Decision<T> {
    const source = served?.source ?? 'deterministic';
    const greedy = served ? served.value : deterministic;
    const explored = this.#explore(agent, def, context, features, source, greedy);
    const value = (explored ? explored.action : greedy) as T;
    const reason = explored?.explored ? DecisionReason.EXPLORE : (served?.reason ?? DecisionReason.RULES);
    const actionPropensity = explored?.propensity;
    const modelVersion = served?.modelVersion;
    const stored = this.#o.protectContext ? this.#o.protectContext(agent, context, subjectId) : context;
    const data: Omit<DecisionData, 'decisionId'> = {
      agent,
      unitId,
      value,
      deterministic,
      source,
      reason,
      ...(modelVersion !== undefined ? { modelVersion } : {}),
      variant: route.variant,
      propensity: route.propensity,
      ...(actionPropensity !== undefined ? { actionPropensity } : {}),
      latencyMs: performance.now() - t0,
      ...(features ? { features } : {}),
      ...(views ? { featureViews: views } : {}),
      context: stored,
      ...(subjectId !== undefined ? { subjectId } : {}),
      contextHash: hashContext(agent, context),
    };
    const decisionId = this.#writer.recordDecision(data);
    if (this.#o.shadow && features && source !== 'ml' && def?.shadow !== false && this.#mlEnabled()) {
      try {
        this.#o.shadow({ decisionId, agent, unitId, features, served: value });
      } catch {
        // shadow is best effort: never the caller's problem
      }
    }
    const decision: Decision<T> = {
      decisionId,
      agent,
      unitId,
      value,
      source,
      reason,
      ...(modelVersion !== undefined ? { modelVersion } : {}),
      variant: route.variant,
      propensity: route.propensity,
      ...(actionPropensity !== undefined ? { actionPropensity } : {}),
      latencyMs: performance.now() - t0,
    };
    this.#o.onDecision?.(decision, t0);
    return decision;
  }
}
