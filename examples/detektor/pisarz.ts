import type { DetektorAgent } from './agent-definition.js';
import { asContext, bool, num } from './internal/read-context.js';

export const DOC_FORMATS = ['short-note', 'how-to', 'full-guide'] as const;
export type DocFormat = (typeof DOC_FORMATS)[number];
export const AUDIENCES = ['operators', 'ml-engineers', 'new-contributors', 'management'] as const;

/**
 * "Pisarz" (Polish: writer), the technical writer: chooses the format of the write-up of a
 * feature (reward feedback: readers' rating of the served format, 0–1; often missing).
 */
export const pisarz: DetektorAgent<DocFormat> = {
  definition: {
    name: 'pisarz',
    description: 'chooses the format of a feature write-up: short note, how-to or full guide',
    kind: 'classification',
    labels: DOC_FORMATS,
    feedback: 'reward',
    features: [
      { name: 'audience', type: 'categorical', vocabulary: AUDIENCES },
      { name: 'featureComplexity', type: 'numeric', default: 2 },
      { name: 'changedScreens', type: 'numeric', default: 0 },
      { name: 'hasApiChanges', type: 'boolean' },
      { name: 'relatedIssues', type: 'numeric', default: 0 },
      { name: 'topic', type: 'text', buckets: 32 },
    ],
  },
  rules: docFormat,
};

/**
 * Complexity 4+ → full guide; 2+ or API changes → how-to; else a short note.
 * @example docFormat({ featureComplexity: 5 }) // 'full-guide'
 */
export function docFormat(context: unknown): DocFormat {
  const ctx = asContext(context);
  const complexity = num(ctx, 'featureComplexity', 2);
  if (complexity >= 4) return 'full-guide';
  if (complexity >= 2 || bool(ctx, 'hasApiChanges')) return 'how-to';
  return 'short-note';
}
