import { join, resolve } from 'node:path';
import { EventType } from '../core/index.js';
import { AgentRegistry, type DeterministicPolicy } from '../decisions/index.js';
import { agentRoutes } from '../decisions/index.js';
import { DEFAULT_TIME_BUDGET_MS } from '../decisions/index.js';
import { DecisionEngine, type DecisionEngineOptions, type FeatureEnricher, type HistoricalFeatures } from '../decisions/index.js';
import { createFsArtifactStore, ModelRegistry, type ArtifactStore } from '../learning/index.js';
import { createArtifactStore } from './artifact-store.js';
import { registryRoutes } from '../learning/index.js';
import { ServingModels } from '../learning/index.js';
import { BanditExplorer } from '../learning/index.js';
import { ServedQualityFeed, createModelGuard, createWorkerPool, type ModelGuard, type ModelGuardOptions, type WorkerPool } from '../safety/index.js';
import type { Apprentice } from './create-apprentice.js';
import type { ServerOptions } from './server-context.js';
import { ShadowRunner, shadowWorkerModule } from '../learning/index.js';
import { shadowRoutes } from '../learning/index.js';
import { ShadowStats } from '../learning/index.js';
import { TrainingLoop, type TrainingLoopOptions } from '../learning/index.js';
import { VersionAuc, VersionQuality } from '../learning/index.js';
import { followFromCheckpoint, type CheckpointedConsumer } from '../log/index.js';
import { collectLearningMetrics, learningMetricHooks } from './learning-metrics.js';
import { collectBounds } from './bounds-metrics.js';

export interface InstallLearningOptions {
  /** Agents to define at start (validated; an unchanged definition is not re-recorded), with optional in-process policies. */
  readonly agents?: readonly { readonly definition: unknown; readonly policy?: DeterministicPolicy }[];
  /** Artifact directory. Default `<dataDir>/models`. */
  readonly modelsDir?: string;
  /** Rollout seam (experiments). Default: every unit on the rules. */
  readonly router?: DecisionEngineOptions['router'];
  /** Privacy seam. Default identity. */
  readonly protectContext?: DecisionEngineOptions['protectContext'];
  /** Shadow predictions in a worker pool (`true`, default) or in this thread after each decision (`false`). */
  readonly pool?: boolean;
  /** Worker pool size. Default 1. */
  readonly poolSize?: number;
  /** Run the training loop in this process. Default: when `config.mlEnabled`. */
  readonly training?: boolean;
  /** Training loop settings. */
  readonly trainer?: Omit<TrainingLoopOptions, 'agents' | 'registry'>;
  /** Breaker settings per agent model (the agent's `timeBudgetMs` is the call budget). */
  readonly guard?: Omit<ModelGuardOptions, 'agent'>;
  /** Shed shadow work while this returns true (the event loop is throttled). Default never. */
  readonly shedShadow?: () => boolean;
  /** Take each agent's guard from elsewhere (the ops breaker board), instead of creating one here. */
  readonly guardFor?: (agent: string) => ModelGuard;
  /** Kinds of an agent's breakers that are not closed, to label `apprentice_breaker_fallbacks_total`. Default none. */
  readonly openBreakerKinds?: (agent: string) => readonly string[];
  /** Feature views the engine enriches decisions from (`installFeatures`). Default none. */
  readonly features?: FeatureEnricher;
  /** Point-in-time view values for decisions that did not log them (`installFeatures`' `history`): the training loop fills them and replays an agent's history when its spec gains a view. */
  readonly featureHistory?: HistoricalFeatures;
  /**
   * Least time between two checkpoints of the log's followers (training loop, shadow statistics,
   * quality feeds) while events flow; each also saves at `stop()`. A restart resumes from them
   * instead of reading the log from its start. Default 10,000 ms.
   */
  readonly checkpointEveryMs?: number;
}

export interface InstalledLearning {
  /** For `buildServer`/`ServeExtension`: the routes, and `context.decide` replaced by the learning engine. */
  readonly server: ServerOptions;
  readonly stop: () => Promise<void>;
  readonly engine: DecisionEngine;
  readonly agents: AgentRegistry;
  readonly registry: ModelRegistry;
  /** Where model artifacts are stored (health probes it). */
  readonly artifacts: ArtifactStore;
  readonly serving: ServingModels;
  readonly shadow: ShadowRunner;
  readonly shadowStats: ShadowStats;
  readonly trainer: TrainingLoop | undefined;
  readonly guards: ReadonlyMap<string, ModelGuard>;
  readonly pool: WorkerPool | undefined;
  /** Live quality of each model version and of the rules, judged on outcomes (the quality gauges). */
  readonly quality: VersionQuality;
  /** Exploration of reward agents (its `stats()` feed the exploration metrics). */
  readonly explorer: BanditExplorer;
}

/**
 * Wire agents, the model registry, shadow mode and training into an apprentice: agent and
 * registry state are rebuilt from the event log, models load by alias, the training loop and
 * the shadow statistics follow the store, and the returned `server` options add the routes
 * and route `POST /agents/{agent}/decide` through the learning engine.
 * @example
 * const learning = await installLearning(apprentice, { agents: [{ definition: reviewerDef }] });
 * const app = await buildServer(apprentice, learning.server);
 * // ...
 * await learning.stop();
 */
export async function installLearning(a: Apprentice, options: InstallLearningOptions = {}): Promise<InstalledLearning> {
  const agents = new AgentRegistry({ sink: a.writer });
  await agents.load(a.store);
  for (const { definition, policy } of options.agents ?? []) agents.registerAgent(definition, policy, { actor: 'system', reason: 'startup definition' });

  const modelsDir = options.modelsDir ?? join(resolve(a.config.dataDir), 'models');
  const artifacts = options.modelsDir ? createFsArtifactStore(options.modelsDir) : await createArtifactStore(a);
  const registry = new ModelRegistry({ dir: modelsDir, artifacts, sink: a.writer });
  // Versions and alias moves made by any instance (a worker that trains, another API
  // instance, an operator) reach this one through the store: train once, serve everywhere.
  const registryDisposer = registry.follow(a.store, await registry.catchUp(a.store));
  // Definitions put on any instance reach this one (a worker trains an agent defined through an
  // API instance); applying is idempotent by definition version, so re-reading from the start is safe.
  const agentsDisposer = a.store.subscribe((events) => events.forEach((e) => agents.apply(e)), { types: [EventType.AgentDefined] });
  const serving = new ServingModels(registry);
  await serving.refreshAll();

  const guards = new Map<string, ModelGuard>();
  const guard = (agent: string): ModelGuard => {
    let g = guards.get(agent);
    if (!g && options.guardFor) guards.set(agent, (g = options.guardFor(agent)));
    if (!g) guards.set(agent, (g = createModelGuard({ ...options.guard, agent, budgetMs: agents.get(agent)?.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS })));
    return g;
  };

  const ml = a.config.mlEnabled;
  // The shadow worker's heap is bounded (issue 15, bounded memory): it holds the loaded shadow
  // models and one task at a time, far below 512 MB. V8 grows a heap more generously the higher
  // its limit (the pool's default is 4 GB), and a worker's heap is RSS the main thread's heap
  // metrics do not show.
  // Past the bound the worker is restarted (counted as out of memory) and the rules keep serving.
  const pool = ml && options.pool !== false ? createWorkerPool({ handlerModule: shadowWorkerModule(), size: options.poolSize ?? 1, maxQueue: 64, taskTimeoutMs: 10_000, totalHeapMb: 512 }) : undefined;
  const shadowStats = new ShadowStats();
  const hooks = learningMetricHooks(a.metrics, options.openBreakerKinds ? { openBreakerKinds: options.openBreakerKinds } : {});
  const shadow = new ShadowRunner({ models: serving, sink: a.writer, onResult: hooks.onShadowResult, onDropped: hooks.onShadowDropped, ...(options.shedShadow ? { shed: options.shedShadow } : {}), ...(pool ? { pool, pathOf: (v) => registry.pathOf(v) } : {}) });
  const explorer = new BanditExplorer();
  const engine = new DecisionEngine({
    writer: a.writer,
    // Reward agents whose definition has `exploration` explore within its budget (docs/bandits.md).
    explorer,
    ...(options.features ? { features: options.features } : {}),
    agents: (name) => agents.get(name),
    models: serving,
    guard: (agent) => hooks.timed(agent, guard(agent)),
    mlEnabled: ml,
    shadow: (job) => void shadow.submit(job),
    ...(options.router ? { router: options.router } : {}),
    ...(options.protectContext ? { protectContext: options.protectContext } : {}),
    onDecision: hooks.onDecision,
  });

  const disposers: (() => Promise<void>)[] = [];
  disposers.push(registryDisposer, agentsDisposer, () => artifacts.close());
  // Each follower resumes from its checkpoint (migrations/056): a restart reads what is new, not
  // the whole log (issue 15).
  const follow = async <S>(consumer: CheckpointedConsumer<S>, batchSize?: number): Promise<void> => {
    const f = await followFromCheckpoint(a.store, consumer, {
      everyMs: options.checkpointEveryMs ?? 10_000,
      ...(batchSize ? { batchSize } : {}),
      onError: (e) => process.emitWarning(`checkpoint of ${consumer.name}: ${e instanceof Error ? e.message : String(e)}`, 'ApprenticeCheckpoint'),
    });
    disposers.push(f.dispose);
  };
  await follow({ name: 'shadow-stats', types: [EventType.ShadowPredicted, EventType.OutcomeRecorded], apply: (events) => shadowStats.apply(events), snapshot: () => shadowStats.snapshot(), restore: (st) => shadowStats.restore(st) });
  // The accuracy breaker judges the version actually served against the rules on the same outcomes.
  const served = new ServedQualityFeed((agent, o) => guard(agent).reportServed(o));
  await follow({ name: 'served-quality', types: [EventType.DecisionMade, EventType.OutcomeRecorded], apply: (events) => events.forEach((e) => served.observe(e)), snapshot: () => served.snapshot(), restore: (st) => served.restore(st) });
  const quality = new VersionQuality();
  await follow({ name: 'version-quality', types: [EventType.DecisionMade, EventType.ShadowPredicted, EventType.OutcomeRecorded], apply: (events) => quality.apply(events), snapshot: () => quality.snapshot(), restore: (st) => quality.restore(st) });
  // ROC AUC per version: shadow class probabilities ranked against label outcomes.
  const auc = new VersionAuc();
  await follow({ name: 'version-auc', types: [EventType.ShadowPredicted, EventType.OutcomeRecorded], apply: (events) => auc.apply(events), snapshot: () => auc.snapshot(), restore: (st) => auc.restore(st) });
  let trainer: TrainingLoop | undefined;
  if (options.training ?? ml) {
    trainer = new TrainingLoop({
      ...options.trainer,
      agents: (name) => agents.get(name),
      registry,
      ...(options.featureHistory ? { history: options.featureHistory, log: a.store } : {}),
      // The training loop's online learner adapts to a new truth: it no longer feeds the
      // accuracy breaker (the served version's outcomes do, below).
      ...(options.trainer?.onQuality ? { onQuality: options.trainer.onQuality } : {}),
      onRegistered: (v) => {
        hooks.onRegistered(v.agent);
        options.trainer?.onRegistered?.(v);
      },
    });
    // `trainer.start(store)` from its checkpoint, with each batch timed and its rows counted per agent.
    const t = trainer;
    await follow(
      {
        name: 'training',
        types: [EventType.DecisionMade, EventType.OutcomeRecorded],
        async apply(events, cursor) {
          const t0 = performance.now();
          await t.apply(events, cursor);
          hooks.onTrainingBatch(t, agents.list().map((d) => d.name), (performance.now() - t0) / 1000);
        },
        snapshot: () => t.snapshot(),
        restore: (st) => t.restore(st),
      },
      500,
    );
  }
  const uncollect = collectLearningMetrics(a.metrics, { agents, registry, serving, shadow, shadowStats, quality, auc, pool });
  disposers.push(async () => uncollect());
  // Every bounded cache and waiting map of the decision and learning paths, with its bound.
  const trained = trainer;
  const unbound = collectBounds(a.metrics, () => {
    const cache = a.reader.bounds();
    const shadowPending = shadowStats.bounds();
    return {
      decision_cache: cache.decisions,
      decision_cache_by_context: cache.contexts,
      shadow_stats_pending_results: shadowPending.results,
      shadow_stats_pending_outcomes: shadowPending.outcomes,
      served_quality_pending: served.bounds(),
      version_quality_pending: quality.bounds(),
      version_auc_pending: auc.bounds(),
      writer_outbox: a.writer.outboxBounds(),
      ...(trained ? { training_pending_decisions: trained.bounds().decisions, training_pending_outcomes: trained.bounds().outcomes } : {}),
    };
  });
  disposers.push(async () => unbound());

  let stopped: Promise<void> | undefined;
  return {
    server: {
      routes: [agentRoutes(agents), registryRoutes(registry), shadowRoutes(shadowStats, shadow)],
      context: { decide: (agent, unitId, context, deterministic, subjectId) => engine.decideAsync(agent, unitId, context, deterministic, subjectId) },
    },
    stop() {
      stopped ??= (async () => {
        for (const d of disposers) await d();
        await shadow.close();
        await pool?.close();
        await serving.close();
      })();
      return stopped;
    },
    engine,
    agents,
    registry,
    artifacts,
    serving,
    shadow,
    shadowStats,
    trainer,
    guards,
    pool,
    quality,
    explorer,
  };
}
