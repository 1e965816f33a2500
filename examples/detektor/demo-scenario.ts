import { parseAgentDefinition } from '../../src/decisions/agents/agent-definition.js';
import { extractFeatures } from '../../src/decisions/decision-engine.js';
import type { Apprentice } from '../../src/runtime/create-apprentice.js';
import type { Platform } from '../../src/runtime/install-platform.js';
import type { AnalysisOptions } from '../../src/experiments/analysis/analyze-experiment.js';
import type { RolloutPolicy } from '../../src/experiments/rollout/rollout-policy.js';
import { AgentTrainer } from '../../src/learning/training/agent-trainer.js';
import { type DemoWorkloadOptions, startDemoWorkload } from './demo-workload.js';
import { DETEKTOR_AGENTS, registerDetektorAgents } from './detektor-pack.js';
import { DEFAULT_AGENT_MIX, createDetektorSimulator } from './simulator.js';
import { pisarzAudienceWorld } from './worlds/index.js';

/** The agent that receives a deliberately degraded model release in the demo. */
export const DEGRADED_AGENT = 'pr-manager';

/**
 * Rollout rules for the demo, so a new user sees whole rollouts in minutes: 20-second steps
 * and 30 outcomes per arm (production defaults: 100 per arm, 10 minutes). The model must
 * have 300 shadow outcomes first, so the version pinned to `canary` is a trained one.
 */
export const DEMO_ROLLOUT_POLICY: Partial<RolloutPolicy> = {
  minShadowOutcomes: 300,
  minSamplePerArm: 30,
  minStepDurationMs: 20_000,
  // The OPE gate of the exploring reward agent (pisarz), docs/bandits.md "The demo": an effective
  // sample of 30 (default 100) — at a 5% budget a candidate that disagrees with the rules on
  // two thirds of the contexts has an ESS of about n/30, so 100 would take ~3,000 rated write-ups;
  // the DR lower bound must beat the served value by 0.02 (default 0).
  opeMinEffectiveSampleSize: 30,
  opeMargin: 0.02,
};

/**
 * The demo's exploring reward agent (issue 12): pisarz serves another allowed format on at most
 * 5% of its decisions (the budget) and logs each served format's propensity, so its shadow model
 * is judged off-policy (the OPE gate) before it gets traffic: `GET /api/v1/rollouts/pisarz`
 * shows `ope` in shadow and, past shadow, `admission` (the evidence it left shadow with).
 */
export const DEMO_EXPLORATION: Readonly<Record<string, unknown>> = {
  pisarz: { strategy: 'epsilon-greedy', budget: 0.05, epsilon: 0.05, minEpsilon: 0.05 },
};

/**
 * The demo's workload: the Detektor simulator with pisarz in its context-dependent world
 * (`pisarzAudienceWorld`: the best format follows the audience, which the rules ignore, so a
 * learned model genuinely beats them) and deciding more often than in a working day, so its
 * shadow model has the rated write-ups the OPE gate needs within minutes.
 */
export const DEMO_WORKLOAD: Pick<DemoWorkloadOptions, 'worlds' | 'mix'> = {
  worlds: { pisarz: pisarzAudienceWorld },
  mix: { ...DEFAULT_AGENT_MIX, pisarz: 4 },
};

/**
 * Step statistics for the demo: effects of 0.1 (10 accuracy points) are worth detecting and
 * a model may trail the rules by at most 0.1 at a step, so steps resolve with tens to
 * hundreds of outcomes at 5% traffic (production default: 0.05 and 0.02).
 */
export const DEMO_ROLLOUT_ANALYSIS: AnalysisOptions = { mde: 0.1, margin: 0.1 };

export interface DemoOptions {
  readonly seed?: number;
  /** Decisions per second across the eight agents. Default 25. */
  readonly ratePerSecond?: number;
}

/** The eight Detektor agents with their rules, for `installPlatform({ agents })`. */
export const detektorAgentDefinitions = (): { definition: unknown; policy: (context: unknown) => string | number }[] =>
  registerDetektorAgents((definition, policy) => ({
    definition: DEMO_EXPLORATION[definition.name] ? { ...definition, exploration: DEMO_EXPLORATION[definition.name] } : definition,
    policy,
  }));

/**
 * A model trained on systematically wrong labels (each label shifted to the next one): what
 * a broken release looks like. Its version's lineage says so.
 */
export function degradedArtifact(agent: string, seed = 7, rows = 400): ReturnType<AgentTrainer['artifact']> {
  const def = parseAgentDefinition(DETEKTOR_AGENTS[agent as keyof typeof DETEKTOR_AGENTS].definition);
  const labels = def.labels ?? [];
  const trainer = new AgentTrainer(def);
  const sim = createDetektorSimulator({ seed });
  for (let i = 0; i < rows; i++) {
    const d = sim.next(agent as never);
    const o = sim.outcomeFor(d.unitId);
    if (o === null || !('label' in o)) continue;
    const wrong = labels[(labels.indexOf(o.label) + 1) % labels.length];
    trainer.learn({ features: extractFeatures(def, d.context), deterministic: d.deterministic, served: d.deterministic, label: wrong });
  }
  return trainer.artifact();
}

/**
 * Drive the demo: the simulated Detektor workload against the running service, and a
 * degraded model release for `DEGRADED_AGENT` the moment its rollout reaches canary, so the
 * controller's automatic rollback can be watched in `GET /api/v1/events`.
 */
export function startDemo(a: Apprentice, platform: Platform, options: DemoOptions = {}): { stop: () => Promise<void>; message: string } {
  const registry = platform.learning.registry;
  let released = false;
  const unsubscribe = registry.onAliasMoved((move) => {
    if (released || move.agent !== DEGRADED_AGENT || move.alias !== 'canary' || move.actor !== 'controller') return;
    released = true;
    void (async () => {
      const v = await registry.register(
        DEGRADED_AGENT,
        { format: 'learner', artifact: degradedArtifact(DEGRADED_AGENT) },
        { lineage: { source: 'demo: trained on shifted labels (a broken release)', samples: 400 }, actor: 'demo' },
      );
      registry.setAlias(DEGRADED_AGENT, 'canary', v.version, { actor: 'demo', reason: 'demo: a degraded model release reaches canary' });
    })().catch(() => undefined);
  });
  const stopWorkload = startDemoWorkload(a, { ...DEMO_WORKLOAD, seed: options.seed ?? 1, ratePerSecond: options.ratePerSecond ?? 25 });
  return {
    message:
      `demo: 8 Detektor agents, ${options.ratePerSecond ?? 25} decisions/s; watch GET /api/v1/shadow/stats, /api/v1/rollouts/<agent>, ` +
      `/api/v1/events?type=RolloutStepChanged (${DEGRADED_AGENT} gets a degraded release at canary and should roll back); ` +
      `pisarz explores at most 5% and its shadow model must pass the OPE gate before canary: apprentice rollouts pisarz`,
    async stop() {
      unsubscribe();
      await stopWorkload();
    },
  };
}
