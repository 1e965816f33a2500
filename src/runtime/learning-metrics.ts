import { performance } from 'node:perf_hooks';
import type { Counter } from 'prom-client';
import type { AgentRegistry, Decision, DecisionEngineOptions } from '../decisions/index.js';
import type { ModelRegistry, ServingModels, ShadowRunner, ShadowStats, TrainingLoop, VersionAuc, VersionQuality } from '../learning/index.js';
import type { ShadowDropReason, ShadowResultData } from '../learning/index.js';
import { collectFrom, onCollect, type Disposer, type GaugeSample, type Metrics } from '../observability/index.js';
import type { WorkerPool } from '../safety/index.js';
import type { RouteModule } from '../core/index.js';
import type { ServerContext } from './server-context.js';

/**
 * The learning wing's facts as metrics (issue 17: every metric is set by the code path that
 * owns its fact). Event-time hooks (`onDecision`, `onShadowResult`...) are called by
 * `installLearning` where the fact happens; `collectLearningMetrics` reads the components'
 * own state at scrape time (model quality, aliases, queues).
 */
/** The breaker seam of the decision engine. */
type DecisionGuard = NonNullable<ReturnType<NonNullable<DecisionEngineOptions['guard']>>>;

export interface LearningMetricHooks {
  /** Every decision (engine `onDecision`): decisions, fallbacks, served-model errors, breaker short-circuits. */
  onDecision(d: Decision, startedAt: number): void;
  /** Every shadow result (`ShadowRunner.onResult`): predictions, errors, shadow inference time. */
  onShadowResult(r: ShadowResultData): void;
  /** Every shed shadow job (`ShadowRunner.onDropped`). */
  onShadowDropped(agent: string, reason: ShadowDropReason, count: number): void;
  /** Every version the training loop registers (`TrainingLoop.onRegistered`). */
  onRegistered(agent: string): void;
  /** After each training batch: rows per agent (delta of the loop's samples) and the batch time. */
  onTrainingBatch(trainer: TrainingLoop, agents: readonly string[], seconds: number): void;
  /** The engine's guard for an agent, timing the served model's inference (`path="served"`). */
  timed(agent: string, guard: DecisionGuard): DecisionGuard;
}

export interface LearningMetricHookOptions {
  /** Kinds of the agent's breakers that are not closed (for `apprentice_breaker_fallbacks_total`). Default none. */
  readonly openBreakerKinds?: (agent: string) => readonly string[];
}

export function learningMetricHooks(m: Metrics, options: LearningMetricHookOptions = {}): LearningMetricHooks {
  const samples = new Map<string, number>();
  const timedGuards = new WeakMap<DecisionGuard, DecisionGuard>();
  const observeServed = (agent: string, t0: number): void =>
    m.modelPredictionDurationSeconds.observe({ agent, path: 'served' }, (performance.now() - t0) / 1000);
  return {
    onDecision(d, startedAt) {
      m.decisionsTotal.inc({ agent: d.agent, source: d.source, reason: d.reason, variant: d.variant });
      m.decisionDurationSeconds.observe({ agent: d.agent, source: d.source }, (performance.now() - startedAt) / 1000);
      if (d.variant === 'ml' && d.source === 'deterministic') m.decisionFallbacksTotal.inc({ agent: d.agent, reason: d.reason });
      if (d.reason === 'MODEL_ERROR') m.modelPredictionErrorsTotal.inc({ agent: d.agent, kind: 'error' });
      else if (d.reason === 'TIMEOUT') m.modelPredictionErrorsTotal.inc({ agent: d.agent, kind: 'timeout' });
      else if (d.reason === 'BREAKER_OPEN')
        for (const kind of options.openBreakerKinds?.(d.agent) ?? []) m.breakerFallbacksTotal.inc({ agent: d.agent, kind });
    },
    onShadowResult(r) {
      if (r.error !== undefined) {
        m.modelPredictionErrorsTotal.inc({ agent: r.agent, kind: /timeout|TIMEOUT/.test(r.error) ? 'timeout' : 'error' });
        return;
      }
      m.shadowPredictionsTotal.inc({ agent: r.agent });
      m.modelPredictionDurationSeconds.observe({ agent: r.agent, path: 'shadow' }, r.latencyMs / 1000);
    },
    onShadowDropped(agent, reason, count) {
      m.shadowDroppedTotal.inc({ agent, reason }, count);
    },
    onRegistered(agent) {
      m.learnerVersionsRegisteredTotal.inc({ agent });
    },
    onTrainingBatch(trainer, agents, seconds) {
      for (const agent of agents) {
        const now = trainer.metrics(agent)?.samples ?? 0;
        const before = samples.get(agent) ?? 0;
        // A changed definition starts a fresh model (samples back to 0): count its rows from there.
        const rows = now >= before ? now - before : now;
        samples.set(agent, now);
        if (rows <= 0) continue;
        m.learnerTrainingRowsTotal.inc({ agent }, rows);
        m.learnerTrainingDurationSeconds.observe({ agent }, seconds);
      }
    },
    timed(agent, guard) {
      let t = timedGuards.get(guard);
      if (!t) {
        t = {
          execute: (fn, o) =>
            guard.execute((ctx) => {
              const t0 = performance.now();
              let r: ReturnType<typeof fn>;
              try {
                r = fn(ctx);
              } catch (e) {
                observeServed(agent, t0);
                throw e;
              }
              if (r !== null && typeof r === 'object' && 'then' in r && typeof r.then === 'function')
                return Promise.resolve(r).finally(() => observeServed(agent, t0));
              observeServed(agent, t0);
              return r;
            }, o),
        };
        timedGuards.set(guard, t);
      }
      return t;
    },
  };
}

export interface LearningMetricParts {
  readonly agents: AgentRegistry;
  readonly registry: ModelRegistry;
  readonly serving: ServingModels;
  readonly shadow: ShadowRunner;
  readonly shadowStats: ShadowStats;
  readonly quality: VersionQuality;
  /** ROC AUC per version from shadow class probabilities; without it `apprentice_model_auc` has no samples. */
  readonly auc?: VersionAuc;
  readonly pool: WorkerPool | undefined;
}

const learnerLabel = (format: string, def: ReturnType<AgentRegistry['get']>): string => {
  if (format !== 'learner') return format;
  if (def?.kind === 'regression') return 'linear-regression';
  return def?.learner?.type ?? 'logistic-regression';
};

/** Scrape-time gauges and counters of the learning wing. Returns the disposer. */
export function collectLearningMetrics(m: Metrics, p: LearningMetricParts): Disposer {
  const disposers: Disposer[] = [];
  const models = () => p.quality.models();
  const label = (pick: (q: ReturnType<VersionQuality['models']>[number]['quality']) => number | undefined) =>
    (): GaugeSample<'agent' | 'version'>[] =>
      models().flatMap((r) => {
        const v = pick(r.quality);
        return v === undefined || !Number.isFinite(v) ? [] : [{ labels: { agent: r.agent, version: String(r.version) }, value: v }];
      });
  disposers.push(
    collectFrom(m.modelAccuracy, label((q) => (q.kind === 'label' ? q.accuracy : undefined))),
    collectFrom(m.modelPrecision, label((q) => (q.kind === 'label' ? q.precision : undefined))),
    collectFrom(m.modelRecall, label((q) => (q.kind === 'label' ? q.recall : undefined))),
    collectFrom(m.modelF1, label((q) => (q.kind === 'label' ? q.f1 : undefined))),
    collectFrom(m.modelMae, label((q) => (q.kind === 'value' ? q.mae : undefined))),
    collectFrom(m.modelAuc, () => (p.auc?.models() ?? []).map((r) => ({ labels: { agent: r.agent, version: String(r.version) }, value: r.auc }))),
    collectFrom(m.modelRmse, label((q) => (q.kind === 'value' ? q.rmse : undefined))),
  );
  const rules = (pick: (q: ReturnType<VersionQuality['rules']>[number]['quality']) => number | undefined) => () =>
    p.quality.rules().flatMap((r) => {
      const v = pick(r.quality);
      return v === undefined || !Number.isFinite(v) ? [] : [{ labels: { agent: r.agent }, value: v }];
    });
  disposers.push(
    collectFrom(m.rulesAccuracy, rules((q) => (q.kind === 'label' ? q.accuracy : undefined))),
    collectFrom(m.rulesF1, rules((q) => (q.kind === 'label' ? q.f1 : undefined))),
    collectFrom(m.rulesMae, rules((q) => (q.kind === 'value' ? q.mae : undefined))),
    collectFrom(m.rulesRmse, rules((q) => (q.kind === 'value' ? q.rmse : undefined))),
  );
  // The version whose quality the operator compares with the rules: the one serving the ml arm,
  // else the one predicting in shadow.
  disposers.push(
    collectFrom(m.accuracyImprovementRatio, () =>
      p.registry.agents().flatMap((agent) => {
        const aliases = p.registry.aliases(agent);
        const version = aliases.production ?? aliases.canary ?? aliases.shadow;
        const model = version === undefined ? undefined : p.quality.model(agent, version);
        const r = p.quality.rulesOf(agent);
        if (!model || !r) return [];
        const gain =
          model.kind === 'label' && r.kind === 'label'
            ? r.accuracy > 0 ? (model.accuracy - r.accuracy) / r.accuracy : undefined
            : model.kind === 'value' && r.kind === 'value' && r.mae > 0 ? (r.mae - model.mae) / r.mae : undefined;
        return gain === undefined ? [] : [{ labels: { agent }, value: gain }];
      }),
    ),
    collectFrom(m.modelInfo, () =>
      p.registry.agents().flatMap((agent) =>
        Object.entries(p.registry.aliases(agent)).flatMap(([alias, version]) => {
          const v = p.registry.version(agent, version);
          return v ? [{ labels: { agent, alias, version: String(version), learner: learnerLabel(v.format, p.agents.get(agent)) }, value: 1 }] : [];
        }),
      ),
    ),
    collectFrom(m.modelLoaded, () =>
      p.registry.agents().flatMap((agent) =>
        Object.keys(p.registry.aliases(agent)).map((alias) => ({ labels: { agent, alias }, value: p.serving.loaded(agent, alias) ? 1 : 0 })),
      ),
    ),
    collectFrom(m.shadowAgreementRatio, () =>
      p.shadowStats.all().flatMap((s) => (s.agreementRate === null ? [] : [{ labels: { agent: s.agent }, value: s.agreementRate }])),
    ),
    // The training loop runs on the main thread: its heap is the main thread's.
    collectFrom(m.learnerWorkerHeapBytes, () => [{ labels: { worker: 'main' }, value: process.memoryUsage().heapUsed }]),
  );
  // Shadow jobs wait in the runner's queue, then in the worker pool's.
  const pool = p.pool;
  const last = new Map<string, number>();
  const delta = (key: string, now: number, c: Counter<string>, labels: Record<string, string>): void => {
    const d = now - (last.get(key) ?? 0);
    if (d > 0) c.inc(labels, d);
    last.set(key, now);
  };
  disposers.push(
    onCollect(m.shadowQueueDepth, () => {
      m.shadowQueueDepth.set(p.shadow.stats.queued + (pool?.stats.queued ?? 0));
      if (!pool) return;
      const worker = 'shadow-pool';
      delta('cpu', pool.stats.cpuMs / 1000, m.learnerWorkerCpuSecondsTotal as Counter<string>, { worker });
      delta('crash', pool.stats.crashes, m.learnerWorkerRestartsTotal as Counter<string>, { worker, reason: 'crash' });
      delta('oom', pool.stats.outOfMemory, m.learnerWorkerRestartsTotal as Counter<string>, { worker, reason: 'oom' });
      delta('limit', pool.stats.timeouts, m.learnerWorkerRestartsTotal as Counter<string>, { worker, reason: 'limit' });
    }),
  );
  return () => {
    for (const d of disposers) d();
  };
}

/**
 * `apprentice_decision_rejections_total`: decide requests answered with a 4xx problem before
 * any decision was made, by the problem's `code`. The agent label is the agent's name only when
 * it is defined (a caller cannot grow the label set with made-up names).
 */
export function decisionRejectionRoutes(m: Metrics, isAgent: (name: string) => boolean): RouteModule<ServerContext> {
  return (app) => {
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.routeOptions.url !== '/api/v1/agents/:agent/decide' || reply.statusCode < 400 || reply.statusCode >= 500) return payload;
      const name = (req.params as { agent?: string }).agent ?? '';
      let code = `HTTP_${reply.statusCode}`;
      if (typeof payload === 'string') {
        try {
          const c = (JSON.parse(payload) as { code?: unknown }).code;
          if (typeof c === 'string' && /^[A-Z_]{1,64}$/.test(c)) code = c;
        } catch {
          // not JSON: keep the status
        }
      }
      m.decisionRejectionsTotal.inc({ agent: isAgent(name) ? name : '(undefined)', code });
      return payload;
    });
  };
}
