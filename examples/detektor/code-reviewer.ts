import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, num, str } from './internal/read-context.js';

export const REVIEW_VERDICTS = ['approve', 'request-changes'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];
export const PR_LANGUAGES = ['python', 'typescript', 'cpp', 'cuda'] as const;

/**
 * Predicts a pull request's first review (classification, label feedback: whether it
 * passed review the first time, `approve`, or needed changes, `request-changes`).
 */
export const codeReviewer: DetektorAgent<ReviewVerdict> = {
  definition: {
    name: 'code-reviewer',
    description: 'predicts whether a pull request passes review the first time',
    kind: 'classification',
    labels: REVIEW_VERDICTS,
    feedback: 'label',
    features: [
      { name: 'linesAdded', type: 'numeric', default: 0 },
      { name: 'linesDeleted', type: 'numeric', default: 0 },
      { name: 'filesChanged', type: 'numeric', default: 1 },
      { name: 'testFilesChanged', type: 'numeric', default: 0 },
      { name: 'coverageDelta', type: 'numeric', default: 0 },
      { name: 'lintWarnings', type: 'numeric', default: 0 },
      { name: 'touchesCore', type: 'boolean' },
      { name: 'ciPassed', type: 'boolean', default: true },
      { name: 'hasDescription', type: 'boolean', default: true },
      { name: 'authorTenureMonths', type: 'numeric' },
      { name: 'language', type: 'categorical', vocabulary: PR_LANGUAGES },
      { name: 'reviewer', type: 'categorical', buckets: 16 },
      { name: 'title', type: 'text', buckets: 32 },
    ],
  },
  rules: reviewVerdict,
};

/**
 * Checklist score from the diff: big diffs, untested changes, falling coverage, lint
 * warnings, red CI and core changes each add points; 3 or more → `request-changes`.
 * @example reviewVerdict({ linesAdded: 600, testFilesChanged: 0 }) // 'request-changes'
 */
export function reviewVerdict(context: unknown): ReviewVerdict {
  const ctx = asContext(context);
  const lines = Math.max(0, num(ctx, 'linesAdded', 0)) + Math.max(0, num(ctx, 'linesDeleted', 0));
  let score = 0;
  if (lines > 400) score += 2;
  if (num(ctx, 'testFilesChanged', 0) <= 0 && lines > 50) score += 2;
  if (num(ctx, 'coverageDelta', 0) < -1) score += 1;
  if (num(ctx, 'lintWarnings', 0) > 3) score += 1;
  if (!bool(ctx, 'ciPassed', true)) score += 3;
  if (bool(ctx, 'touchesCore')) score += 1;
  if (str(ctx, 'title').toLowerCase().startsWith('wip')) score += 1;
  return score >= 3 ? 'request-changes' : 'approve';
}
