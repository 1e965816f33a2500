import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, clamp, num } from './internal/read-context.js';

export const DEPLOYMENT_STRATEGIES = ['standard', 'canary', 'stage-first'] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];
export const DETEKTOR_SERVICES = ['detector-api', 'stream-ingest', 'tracker', 'dashboard', 'labeling-tool'] as const;

/**
 * Chooses how to ship a release (reward feedback: only how the served strategy went is
 * known; a failure caught by a canary or on staging costs less than one in production).
 */
export const deploymentSpecialist: DetektorAgent<DeploymentStrategy> = {
  definition: {
    name: 'deployment-specialist',
    description: 'chooses standard, canary or stage-first rollout for a release',
    kind: 'classification',
    labels: DEPLOYMENT_STRATEGIES,
    feedback: 'reward',
    features: [
      { name: 'linesChanged', type: 'numeric', default: 0 },
      { name: 'filesTouched', type: 'numeric', default: 1 },
      { name: 'coreServicesTouched', type: 'numeric', default: 0 },
      { name: 'dayOfWeek', type: 'categorical', vocabulary: ['0', '1', '2', '3', '4', '5', '6'] },
      { name: 'hourOfDay', type: 'numeric', default: 12 },
      { name: 'coverageDelta', type: 'numeric', default: 0 },
      { name: 'hasMigration', type: 'boolean' },
      { name: 'modelWeightsChanged', type: 'boolean' },
      { name: 'rollbackPlan', type: 'boolean' },
      { name: 'service', type: 'categorical', vocabulary: DETEKTOR_SERVICES },
    ],
  },
  rules: deploymentStrategy,
};

/**
 * Risk = weighted lines changed, files touched, core services touched, Friday afternoon,
 * falling coverage and a schema migration; < 1 → standard, < 2.5 → canary, else stage-first.
 * @example deploymentStrategy({ linesChanged: 120, filesTouched: 4 }) // 'standard'
 */
export function deploymentStrategy(context: unknown): DeploymentStrategy {
  const risk = deploymentRisk(context);
  return risk < 1 ? 'standard' : risk < 2.5 ? 'canary' : 'stage-first';
}

/** The rules' risk score (documented in `deploymentStrategy`). */
export function deploymentRisk(context: unknown): number {
  const ctx = asContext(context);
  const fridayAfternoon = num(ctx, 'dayOfWeek', 2) === 5 && num(ctx, 'hourOfDay', 12) >= 13;
  const coverageDelta = num(ctx, 'coverageDelta', 0);
  return (
    0.002 * clamp(num(ctx, 'linesChanged', 0), 0, 5000) +
    0.05 * clamp(num(ctx, 'filesTouched', 1), 0, 200) +
    0.8 * clamp(num(ctx, 'coreServicesTouched', 0), 0, 10) +
    (fridayAfternoon ? 1 : 0) +
    (coverageDelta < 0 ? -0.2 * Math.max(coverageDelta, -20) : 0) +
    (bool(ctx, 'hasMigration') ? 1 : 0)
  );
}
