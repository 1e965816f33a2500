import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, clamp, num, words } from './internal/read-context.js';

export const TASK_AREAS = ['detection', 'tracking', 'camera', 'api', 'ui', 'infra'] as const;
export const ASSIGNEE_LEVELS = ['junior', 'mid', 'senior'] as const;

/**
 * Estimates how many hours a development task takes (regression, label feedback: the actual
 * duration is known when the task is done) from its ticket: story points, components, tests
 * required, description length and keywords.
 */
export const detektorCoder: DetektorAgent<number> = {
  definition: {
    name: 'detektor-coder',
    description: 'estimates task duration in hours from the ticket',
    kind: 'regression',
    feedback: 'label',
    features: [
      { name: 'storyPoints', type: 'numeric', default: 3 },
      { name: 'components', type: 'numeric', default: 1 },
      { name: 'hasTests', type: 'boolean' },
      { name: 'descriptionLength', type: 'numeric' },
      { name: 'area', type: 'categorical', vocabulary: TASK_AREAS },
      { name: 'assigneeLevel', type: 'categorical', vocabulary: ASSIGNEE_LEVELS },
      { name: 'title', type: 'text', buckets: 64 },
    ],
  },
  rules: estimateTaskHours,
};

/**
 * The team's rule of thumb: 2.5 h per story point, 1.5 h per extra component, 1 h for
 * tests, a little for long descriptions, +20% for refactors. Half-hour steps, 0.5–80 h.
 * @example estimateTaskHours({ storyPoints: 3, components: 2, hasTests: true }) // 11
 */
export function estimateTaskHours(context: unknown): number {
  const ctx = asContext(context);
  const sp = clamp(num(ctx, 'storyPoints', 3), 0, 40);
  const components = clamp(num(ctx, 'components', 1), 1, 20);
  const descriptionLength = clamp(num(ctx, 'descriptionLength', 0), 0, 4000);
  let hours = 1 + 2.5 * sp + 1.5 * (components - 1) + (bool(ctx, 'hasTests') ? 1 : 0) + descriptionLength / 1000;
  if (words(ctx, 'title').has('refactor')) hours *= 1.2;
  return clamp(Math.round(hours * 2) / 2, 0.5, 80);
}
