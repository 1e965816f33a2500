import type { DetektorAgent } from './agent-definition.js';
import { asContext, num, str } from './internal/read-context.js';

export const MERGE_ACTIONS = ['merge-now', 'rebase-first'] as const;
export type MergeAction = (typeof MERGE_ACTIONS)[number];
export const CI_STATUSES = ['green', 'yellow', 'red'] as const;

/**
 * Decides whether an approved pull request can be merged as is or must be rebased and
 * re-tested first (label feedback: whether merging as is would have broken main).
 */
export const prManager: DetektorAgent<MergeAction> = {
  definition: {
    name: 'pr-manager',
    description: 'decides whether an approved pull request merges now or is rebased first',
    kind: 'classification',
    labels: MERGE_ACTIONS,
    feedback: 'label',
    features: [
      { name: 'commitsBehindMain', type: 'numeric', default: 0 },
      { name: 'filesChanged', type: 'numeric', default: 1 },
      { name: 'hoursSinceUpdate', type: 'numeric', default: 0 },
      { name: 'touchesLockfile', type: 'boolean' },
      { name: 'touchesSharedConfig', type: 'boolean' },
      { name: 'approvals', type: 'numeric', default: 1 },
      { name: 'ciStatus', type: 'categorical', vocabulary: CI_STATUSES },
    ],
  },
  rules: mergeAction,
};

/**
 * Rebase first when far behind main (> 20 commits), CI is red, or the branch is stale (> 72 h).
 * @example mergeAction({ commitsBehindMain: 3, ciStatus: 'green' }) // 'merge-now'
 */
export function mergeAction(context: unknown): MergeAction {
  const ctx = asContext(context);
  const stale = num(ctx, 'commitsBehindMain', 0) > 20 || num(ctx, 'hoursSinceUpdate', 0) > 72;
  return stale || str(ctx, 'ciStatus', 'green') === 'red' ? 'rebase-first' : 'merge-now';
}
