import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, num } from './internal/read-context.js';

export const DOC_VERDICTS = ['update-docs', 'no-update'] as const;
export type DocVerdict = (typeof DOC_VERDICTS)[number];
export const CHANGE_TYPES = ['feature', 'fix', 'refactor', 'chore', 'perf'] as const;

/** Decides whether a merged change needs a documentation update (label feedback: whether docs were later fixed). */
export const documentationKeeper: DetektorAgent<DocVerdict> = {
  definition: {
    name: 'documentation-keeper',
    description: 'decides whether a change needs a documentation update',
    kind: 'classification',
    labels: DOC_VERDICTS,
    feedback: 'label',
    features: [
      { name: 'publicApiChanged', type: 'boolean' },
      { name: 'newConfigOptions', type: 'numeric', default: 0 },
      { name: 'cliFlagsChanged', type: 'boolean' },
      { name: 'docsTouched', type: 'boolean' },
      { name: 'linesChanged', type: 'numeric', default: 0 },
      { name: 'changeType', type: 'categorical', vocabulary: CHANGE_TYPES },
      { name: 'commitMessage', type: 'text', buckets: 32 },
    ],
  },
  rules: docVerdict,
};

/**
 * A user-visible surface changed (API, config options, CLI flags) and no docs were touched
 * → `update-docs`.
 * @example docVerdict({ cliFlagsChanged: true }) // 'update-docs'
 */
export function docVerdict(context: unknown): DocVerdict {
  const ctx = asContext(context);
  const surface = bool(ctx, 'publicApiChanged') || num(ctx, 'newConfigOptions', 0) > 0 || bool(ctx, 'cliFlagsChanged');
  return surface && !bool(ctx, 'docsTouched') ? 'update-docs' : 'no-update';
}
