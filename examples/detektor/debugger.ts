import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, str, words } from './internal/read-context.js';

export const ROOT_CAUSES = ['flaky-test', 'environment', 'code-regression', 'data-issue', 'gpu-driver'] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export const ERROR_TYPES = ['assertion', 'timeout', 'oom', 'import-error', 'nan-loss', 'segfault'] as const;

/** Names the likely root cause of a failure (classification, label feedback: the cause found). */
export const debuggerAgent: DetektorAgent<RootCause> = {
  definition: {
    name: 'debugger',
    description: 'classifies the root cause of a failing build or run',
    kind: 'classification',
    labels: ROOT_CAUSES,
    feedback: 'label',
    features: [
      { name: 'errorType', type: 'categorical', vocabulary: ERROR_TYPES },
      { name: 'failingTests', type: 'numeric', default: 1 },
      { name: 'intermittent', type: 'boolean' },
      { name: 'onlyOnCi', type: 'boolean' },
      { name: 'recentDeploy', type: 'boolean' },
      { name: 'datasetChanged', type: 'boolean' },
      { name: 'gpuInLog', type: 'boolean' },
      { name: 'logExcerpt', type: 'text', buckets: 64 },
    ],
  },
  rules: rootCause,
};

/**
 * Triage order: GPU signs → gpu-driver; intermittent → flaky-test; only on CI → environment;
 * data changed or NaN loss → data-issue; otherwise code-regression.
 * @example rootCause({ errorType: 'nan-loss' }) // 'data-issue'
 */
export function rootCause(context: unknown): RootCause {
  const ctx = asContext(context);
  const errorType = str(ctx, 'errorType');
  if (bool(ctx, 'gpuInLog') || errorType === 'segfault' || words(ctx, 'logExcerpt').has('cuda')) return 'gpu-driver';
  if (bool(ctx, 'intermittent')) return 'flaky-test';
  if (bool(ctx, 'onlyOnCi')) return 'environment';
  if (bool(ctx, 'datasetChanged') || errorType === 'nan-loss') return 'data-issue';
  return 'code-regression';
}
