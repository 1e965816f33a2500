import { DEFAULT_TIME_BUDGET_MS } from '../decisions/index.js';
import type { DeterministicPolicy } from '../decisions/index.js';
import { installDrift, type InstallDriftOptions, type InstalledDrift } from './install-drift.js';
import type { AnalysisOptions } from '../experiments/index.js';
import type { Route } from '../experiments/index.js';
import { installExperiments, type InstalledExperiments } from './install-experiments.js';
import { installOps, type InstallOpsOptions, type InstalledOps } from './install-ops.js';
import type { RolloutPolicy, ShadowEvidence } from '../experiments/index.js';
import { RolloutPhase } from '../experiments/index.js';
import { createOpeGateCheck, resolveRolloutPolicy } from '../experiments/index.js';
import { opeCandidateFor } from './ope-candidates.js';
import { collectEvidenceMetrics } from './evidence-metrics.js';
import { OutboundWebhooks } from '../safety/index.js';
import { createSecurityRuntime } from '../security/index.js';
import { describeConceptDrift } from '../observability/index.js';
import { installSecurity, type InstalledSecurity } from './install-security.js';
import { adminRoutes } from './admin-routes.js';
import { installTiering } from './tiering-job.js';
import type { RouteModule } from '../core/index.js';
import { ConfigError } from '../core/index.js';
import type { ServerOptions } from './server-context.js';
import type { ServerContext } from './server-context.js';
import type { AgentShadowStats } from '../learning/index.js';
import { installLearning, type InstalledLearning } from './install-learning.js';
import { installFeatures, type InstalledFeatures } from './install-features.js';
import type { TrainingLoopOptions } from '../learning/index.js';
import type { Apprentice } from './create-apprentice.js';
import { trainingReference } from './drift-reference.js';
import { probe, type ComponentHealth } from './health.js';
import { collectRolloutMetrics, countFlagChanges, countRolloutChange } from './rollout-metrics.js';
import { decisionRejectionRoutes } from './learning-metrics.js';

/**
 * What one process of a fleet runs (README "Running a fleet"):
 * - `api`: the decision path only (decide, outcomes, shadow, the read and command routes); no
 *   controller schedule, no training loop, no drift monitor, no projector.
 * - `worker`: the loops only: training, the rollout controller (under the leader lease) and the
 *   drift monitor; its HTTP server has `/health`, `/health/aggregate` and `/metrics` and nothing else.
 * - `all`: both in one process (the default; embedded storage).
 */
export type ServeRole = 'api' | 'worker' | 'all';
/** The roles `serve --role` accepts. */
export const SERVE_ROLES: readonly ServeRole[] = ['api', 'worker', 'all'];

export interface PlatformOptions {
  /** What this process runs. Default `all`. */
  readonly role?: ServeRole;
  /** Agents defined at start, with optional in-process rules. */
  readonly agents?: readonly { readonly definition: unknown; readonly policy?: DeterministicPolicy }[];
  /** Rollout step rules (the demo shortens them). Default `DEFAULT_ROLLOUT_POLICY`. */
  readonly rolloutPolicy?: Partial<RolloutPolicy>;
  /** Statistics of each step (MDE = τ, non-inferiority margin, α). Default `ANALYSIS_DEFAULTS`. */
  readonly rolloutAnalysis?: AnalysisOptions;
  /** Rollout controller period. Default 10 s (one analysis bucket: rollback well within 120 s). */
  readonly rolloutIntervalMs?: number;
  /** Run the rollout schedule here (one instance of a fleet). Default true. */
  readonly controller?: boolean;
  /** Training loop settings. */
  readonly trainer?: Omit<TrainingLoopOptions, 'agents' | 'registry'>;
  /** Event-loop throttle and impact probes (see `installOps`); `false` turns both off. Default on. */
  readonly throttle?: InstallOpsOptions['throttle'];
  /** Drift service settings (window size: default 1000 decisions). */
  readonly drift?: InstallDriftOptions['service'];
  /** Environment for keys and tokens. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Feature views defined at start (issue 13; docs/features.md). */
  readonly featureViews?: readonly unknown[];
}

export interface Platform {
  readonly server: ServerOptions;
  readonly startMessage: string;
  readonly learning: InstalledLearning;
  /** Feature views: definitions, online store, materialiser (not on the `api` role), reader. */
  readonly features: InstalledFeatures;
  readonly experiments: InstalledExperiments;
  readonly ops: InstalledOps;
  /** The drift monitor; undefined on the `api` role (the worker runs it). */
  readonly drift: InstalledDrift | undefined;
  readonly security: InstalledSecurity;
  /** Outbound webhooks of the config's `webhooks` (rollout step changes, breaker changes, drift holds). */
  readonly webhooks: OutboundWebhooks;
  stop(): Promise<void>;
}

/** Shadow quality as the rollout controller reads it: model vs rules on the same outcomes. */
export function shadowEvidenceOf(s: AgentShadowStats | undefined): ShadowEvidence | undefined {
  const q = s?.quality;
  if (!q) return undefined;
  switch (q.kind) {
    case 'label':
      return { n: q.count, modelQuality: q.model.accuracy, rulesQuality: q.rules.accuracy, higherIsBetter: true };
    case 'value':
      return { n: q.count, modelQuality: q.model.mae, rulesQuality: q.rules.mae, higherIsBetter: false };
    case 'reward':
      return q.modelMeanRewardWhenAgree === null
        ? undefined
        : { n: q.agreeCount, modelQuality: q.modelMeanRewardWhenAgree, rulesQuality: q.rulesMeanReward, higherIsBetter: true };
  }
}

/**
 * Registration-time quality of a version on the served-score scale: accuracy as is, MAE as −MAE
 * (training metrics `model.accuracy` / `model.mae`, or registered `accuracy` / `mae`).
 */
export function registrationQualityOf(m: Readonly<Record<string, number | null>> | undefined): number | undefined {
  const acc = m?.['model.accuracy'] ?? m?.['accuracy'];
  if (typeof acc === 'number' && Number.isFinite(acc)) return acc;
  const mae = m?.['model.mae'] ?? m?.['mae'];
  return typeof mae === 'number' && Number.isFinite(mae) ? -mae : undefined;
}

/**
 * Every capability on one apprentice, wired to each other:
 * security (context protection, tokens) → ops (breaker board, throttle, alert webhook) →
 * learning (agents, registry, shadow, training; guards from the board) → experiments (flags,
 * router, rollout controller; aliases follow the rollout) → drift (holds a rollout).
 */
export async function installPlatform(a: Apprentice, options: PlatformOptions = {}): Promise<Platform> {
  const env = options.env ?? process.env;
  const role = options.role ?? 'all';
  const runtime = await createSecurityRuntime({ dataDir: a.config.dataDir, env });

  // Late-bound seams: the engine is built before the router and the controller exist.
  let route: (agent: string, unitId: string) => Route = () => ({ variant: 'deterministic', propensity: 1 });
  const late: { learning?: InstalledLearning; experiments?: InstalledExperiments } = {};

  const ops = await installOps(a, {
    ...(options.throttle !== undefined
      ? { throttle: options.throttle }
      : a.config.learningThrottle !== undefined
        ? { throttle: a.config.learningThrottle === false ? false : { throttle: a.config.learningThrottle } }
        : {}),
    guardFor: (agent) => ({ budgetMs: late.learning?.agents.get(agent)?.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS }),
    actions: {
      rollback: async (agent, reason) => {
        if (!late.experiments) return 'skipped';
        const before = await late.experiments.controller.status(agent);
        // apprentice may have rolled back on its own first (loss test, concept drift): nothing to undo.
        if (before.state.phase === 'rolled_back' || before.state.phase === 'shadow') {
          return { result: 'skipped', detail: `already at 0% ml (${before.state.phase})`, before: before.state };
        }
        const after = await late.experiments.controller.command(agent, { kind: 'rollback', reason }, { actor: 'alertmanager', reason });
        return { result: 'applied', before: before.state, after: after.state };
      },
      pause: async (agent, reason) => {
        if (!late.experiments) return 'skipped';
        const after = await late.experiments.controller.command(agent, { kind: 'pause' }, { actor: 'alertmanager', reason });
        return { result: 'applied', after: after.state };
      },
    },
  });

  const features = await installFeatures(a, { materialise: role !== 'api', ...(options.featureViews ? { views: options.featureViews } : {}) });
  const learning = await installLearning(a, {
    ...(options.agents ? { agents: options.agents } : {}),
    features: features.reader,
    featureHistory: features.history,
    router: (agent, unitId) => route(agent, unitId),
    protectContext: runtime.protector.protect,
    guardFor: (agent) => ops.getGuard(agent),
    openBreakerKinds: (agent) => ops.board.list().filter((b) => b.agent === agent && b.state !== 'closed').map((b) => b.kind),
    // Learning pauses and shadow work is shed while the event loop is throttled (production first).
    trainer: { ...options.trainer, shouldPause: () => ops.isThrottled() },
    // An API instance never trains; a worker serves no decisions, so it needs no shadow pool.
    ...(role === 'api' ? { training: false } : {}),
    ...(role === 'worker' ? { pool: false } : {}),
    shedShadow: () => ops.isThrottled(),
  });
  late.learning = learning;
  const registry = learning.registry;

  // Rollout policy: built-in defaults < `rolloutPolicy` (code) < config `rollout` < the agent
  // definition's `rollout`. A bad merge stops the start with the agent and field named.
  const globalPolicy = resolveRolloutPolicy(options.rolloutPolicy, a.config.rollout);
  for (const d of learning.agents.list()) {
    try {
      resolveRolloutPolicy(globalPolicy, d.rollout);
    } catch (e) {
      throw new ConfigError(`agent ${d.name}: ${(e as Error).message}`, [], { cause: e });
    }
  }
  const webhooks = new OutboundWebhooks({ targets: a.config.webhooks ?? [], sink: a.writer });
  const unwatchBreakers = ops.board.onStateChange((c) =>
    webhooks.send('breaker.state_changed', { agent: c.agent, kind: c.kind, from: c.from, to: c.to, reason: c.reason ?? null, at: new Date(c.at).toISOString() }),
  );

  const experiments = await installExperiments(a, {
    schedule: role === 'api' ? false : (options.controller ?? true),
    ...((options.rolloutIntervalMs ?? a.config.rollout?.evaluationIntervalMs) !== undefined ? { intervalMs: options.rolloutIntervalMs ?? a.config.rollout!.evaluationIntervalMs! } : {}),
    policy: globalPolicy,
    policyFor: (agent) => learning.agents.get(agent)?.rollout,
    ...(options.rolloutAnalysis ? { analysis: options.rolloutAnalysis } : {}),
    agents: () => learning.agents.list().map((d) => d.name),
    shadowEvidence: (agent) => shadowEvidenceOf(learning.shadowStats.get(agent)),
    // Shadow → first step also needs the OPE gate for reward agents that explore (policy `ope`).
    opeGate: createOpeGateCheck({ store: a.store, candidate: opeCandidateFor(learning) }),
    guardrails: (agent) => {
      const open = ops.board.list().some((r) => r.agent === agent && r.state === 'open');
      return { breaker: open ? 'open' : 'closed' };
    },
    // The model the ml arm serves follows the rollout: `canary` takes the shadow model when
    // traffic starts. It is in the store (so every instance can follow it) and loaded here before
    // the flag rises; an instance that gets the flag first keeps the unit on its rules (`route`).
    beforeTraffic: async (c) => {
      const shadow = registry.aliases(c.agent).shadow;
      if (c.before.phase !== RolloutPhase.SHADOW || c.after.phase !== RolloutPhase.CANARY || shadow === undefined) return;
      await registry.setAliasDurably(c.agent, 'canary', shadow, { actor: 'controller', reason: `rollout to ${c.after.percentage}%` }, a.store);
      await learning.serving.settled();
    },
    onChange: (c) => {
      countRolloutChange(a.metrics, c);
      const hook = { agent: c.agent, command: c.command, before: c.before, after: c.after, actor: c.actor, reason: c.reason ?? null };
      webhooks.send('rollout.step_changed', hook);
      if (c.command === 'pause' && c.actor === 'drift-monitor') webhooks.send('drift.hold', hook);
      // `production` takes the canary model when it is promoted.
      const aliases = registry.aliases(c.agent);
      if (c.after.phase === RolloutPhase.PROMOTED && aliases.canary !== undefined)
        registry.setAlias(c.agent, 'production', aliases.canary, { actor: 'controller', reason: 'promoted at 100%' });
    },
    onRollback: (agent, reason) => {
      const aliases = registry.aliases(agent);
      if (aliases.production !== undefined && aliases.canary !== undefined && aliases.canary !== aliases.production)
        registry.setAlias(agent, 'canary', aliases.production, { actor: 'controller', reason: `rollback: ${reason}` });
    },
  });
  late.experiments = experiments;
  const uncountFlags = countFlagChanges(a.metrics, experiments.flags);
  const uncollectRollouts = collectRolloutMetrics(a.metrics, experiments.controller);
  const uncollectEvidence = collectEvidenceMetrics(a.metrics, { controller: experiments.controller, exploration: () => learning.explorer.stats() });
  // A raised flag is effective here only once this instance holds the model it routes to (the
  // alias travels through the event log, the flag over pub/sub): until then the unit gets the
  // rules, as at 0%, rather than an ml-arm decision answered NO_MODEL.
  route = (agent, unitId) => {
    const r = experiments.router(agent, unitId);
    return r.variant === 'ml' && !learning.serving.ready(agent) ? { variant: 'deterministic', propensity: 1 } : r;
  };

  // One drift monitor per fleet role that runs loops: on every API instance it would record each
  // DriftDetected once per instance and command the rollout from each.
  const drift = role === 'api' ? undefined : await installDrift(a, {
    // Free-text features are not judged as categories (every topic is new: always "drifted").
    service: { unmonitored: (agent) => learning.agents.get(agent)?.features.flatMap((f) => (f.type === 'text' ? [f.name] : [])) ?? [], ...options.drift },
    // Reference windows: the training data of the served model version.
    referenceFor: (agent) => trainingReference(a.store, registry, agent),
    onDrift: (agent, report) => {
      if (report.datasetDrift)
        void experiments.controller
          .command(agent, { kind: 'pause' }, { actor: 'drift-monitor', reason: `dataset drift: ${Math.round(report.driftShare * 100)}% of features` })
          .catch(() => undefined);
    },
    registrationQuality: (agent, version) => registrationQualityOf(registry.version(agent, version)?.metrics),
    // Concept drift of the served version: roll back (default) or hold, per the rollout policy.
    onConceptDrift: (agent, data) => {
      const reason = describeConceptDrift(data);
      const c = experiments.controller;
      const hold = c.policyOf(agent).conceptDrift === 'hold';
      void c
        .status(agent)
        .then((s) => {
          if (s.percentage === 0 || (hold && s.state.phase !== RolloutPhase.CANARY)) return undefined;
          return c.command(agent, hold ? { kind: 'pause' } : { kind: 'rollback', reason }, { actor: 'drift-monitor', reason });
        })
        .catch(() => undefined);
    },
  });

  const security = await installSecurity(a, { runtime, engine: learning.engine, env });

  // The decision path: the subject key (if any) is loaded first, then the learning engine
  // serves (async models too) with routing, breakers and context protection.
  const decide: ServerContext['decide'] = async (agent, unitId, ctx, deterministic, subjectId) => {
    const ref = subjectId === undefined ? undefined : await runtime.protector.prepare(agent, ctx, subjectId);
    return learning.engine.decideAsync(agent, unitId, ctx, deterministic, ref);
  };
  a.useEngine(learning.engine);

  // Cold tiering: on a schedule where the loops run (in a fleet, by the controller's leader), and
  // on request through POST /api/v1/admin/tier on every role.
  const tiering = installTiering(a, learning.artifacts, {
    schedule: role !== 'api',
    isLeader: () => (experiments.lease ? experiments.lease.state().status === 'held' : true),
  });

  const routes: RouteModule<ServerContext>[] = [
    ...(security.server.routes ?? []),
    ...(learning.server.routes ?? []),
    ...(experiments.server.routes ?? []),
    ...(ops.server.routes ?? []),
    ...(drift?.server.routes ?? []),
    ...features.routes,
    decisionRejectionRoutes(a.metrics, (name) => learning.agents.get(name) !== undefined),
    adminRoutes(a, learning.artifacts, tiering),
  ];
  // `/health/aggregate`: the learners and each agent's model beside the storage components.
  const healthChecks: ServerContext['healthChecks'] = [
    async () => {
      const out: ComponentHealth[] = [];
      const t = learning.trainer?.stats;
      out.push(
        t
          ? { component: 'learners', status: t.errors > 0 ? 'degraded' : 'ok', detail: { ...t, throttled: ops.isThrottled() } }
          : { component: 'learners', status: 'ok', detail: { enabled: false } },
      );
      if (learning.pool) out.push({ component: 'worker-pool', status: 'ok', detail: { ...learning.pool.stats } });
      // Models load from the artifact store: unreachable, new versions cannot load (the agents keep serving what they hold, or their rules).
      const store = await probe(`artifact-store:${learning.artifacts.kind}`, () => learning.artifacts.ping());
      out.push(store.status === 'ok' ? store : { ...store, status: 'degraded' });
      const lease = experiments.lease?.state();
      out.push({
        component: 'controller-lease',
        status: lease?.status === 'lost' ? 'degraded' : 'ok',
        detail: { role, ...(lease ? { ...lease } : { status: 'not competing', reason: role === 'api' ? 'role api: the workers run the controller' : 'controller disabled here' }) },
      });
      const breakers = ops.board.list();
      for (const def of learning.agents.list()) {
        const aliases = registry.aliases(def.name);
        const open = breakers.filter((b) => b.agent === def.name && b.state !== 'closed').map((b) => `${b.kind}:${b.state}`);
        out.push({
          component: `model:${def.name}`,
          status: open.length > 0 ? 'degraded' : 'ok',
          detail: { aliases, breakers: open.length > 0 ? open : 'closed', versions: registry.versions(def.name).length },
        });
      }
      return out;
    },
    () => features.health(),
  ];

  let stopped: Promise<void> | undefined;
  return {
    server: { routes, context: { ...security.server.context, decide, healthChecks } },
    startMessage: security.startMessage,
    learning,
    features,
    experiments,
    ops,
    drift,
    security,
    webhooks,
    stop() {
      stopped ??= (async () => {
        uncountFlags();
        uncollectRollouts();
        uncollectEvidence();
        await tiering?.stop();
        await experiments.stop();
        unwatchBreakers();
        await webhooks.close();
        await drift?.stop();
        await learning.stop();
        await features.stop();
        await ops.stop();
        await security.stop();
      })();
      return stopped;
    },
  };
}
