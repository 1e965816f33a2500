import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, num } from './internal/read-context.js';

export const ARCHITECTURE_VERDICTS = ['approve', 'design-review', 'rfc'] as const;
export type ArchitectureVerdict = (typeof ARCHITECTURE_VERDICTS)[number];

/**
 * Decides how much architectural scrutiny a proposal needs (classification, label feedback:
 * in retrospect, what it turned out to need).
 */
export const architectureAdvisor: DetektorAgent<ArchitectureVerdict> = {
  definition: {
    name: 'architecture-advisor',
    description: 'decides whether a proposal can go ahead, needs a design review or an RFC',
    kind: 'classification',
    labels: ARCHITECTURE_VERDICTS,
    feedback: 'label',
    features: [
      { name: 'newDependencies', type: 'numeric', default: 0 },
      { name: 'modulesAffected', type: 'numeric', default: 1 },
      { name: 'publicApiChanges', type: 'boolean' },
      { name: 'dataSchemaChange', type: 'boolean' },
      { name: 'storyPoints', type: 'numeric', default: 3 },
      { name: 'touchesInferencePipeline', type: 'boolean' },
      { name: 'proposal', type: 'text', buckets: 64 },
    ],
  },
  rules: architectureVerdict,
};

/**
 * RFC for wide API changes or many new dependencies; design review for anything crossing
 * modules, the public API or the data schema; otherwise approve.
 * @example architectureVerdict({ modulesAffected: 2 }) // 'design-review'
 */
export function architectureVerdict(context: unknown): ArchitectureVerdict {
  const ctx = asContext(context);
  const modules = num(ctx, 'modulesAffected', 1);
  const api = bool(ctx, 'publicApiChanges');
  if ((modules >= 4 && api) || num(ctx, 'newDependencies', 0) >= 3) return 'rfc';
  if (modules >= 2 || api || bool(ctx, 'dataSchemaChange')) return 'design-review';
  return 'approve';
}
