import { z } from 'zod';
import { defineRoute } from '../../core/index.js';

export const listQuery = z.strictObject({ agent: z.string().max(63).optional() });
export const idParams = z.object({ id: z.string().max(100) });

const Interval = z.tuple([z.number().nullable(), z.number().nullable()]);

export const listExperiments = defineRoute({
  method: 'GET',
  path: '/api/v1/experiments',
  role: 'viewer',
  summary: 'Experiments (one per rollout step), newest first',
  tags: ['experiments'],
  query: listQuery,
  examples: { query: { agent: 'deployment-specialist' } },
  responses: {
    200: {
      description: 'the experiments',
      schema: z.object({ experiments: z.array(z.looseObject({ id: z.string(), agent: z.string(), status: z.enum(['running', 'ended']) })) }),
    },
  },
});
export const getSignificance = defineRoute({
  method: 'GET',
  path: '/api/v1/experiments/:id/significance',
  role: 'viewer',
  summary: 'Effect, always-valid CI and p-value (mSPRT), power, SRM and the verdict of one experiment',
  description: 'Infinite interval ends (no data yet) are shown as null.',
  tags: ['experiments'],
  params: idParams,
  problems: ['NOT_FOUND'],
  examples: { params: { id: 'deployment-specialist-3' } },
  responses: {
    200: {
      description: 'the statistics',
      schema: z.looseObject({
        experiment: z.unknown(),
        effect: z.number().nullable(),
        ci: Interval,
        pValue: z.number().nullable(),
        alpha: z.number(),
        srm: z.object({ pValue: z.number().nullable(), chi2: z.number().nullable(), mismatch: z.boolean(), status: z.enum(['healthy', 'mismatch']) }),
      }),
    },
  },
});
