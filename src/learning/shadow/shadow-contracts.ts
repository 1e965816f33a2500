import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';

export const ShadowQuery = z.object({ agent: z.string().regex(AGENT_NAME_RE, 'invalid agent name').optional() }).strict();

export const getShadowStats = defineRoute({
  method: 'GET',
  path: '/api/v1/shadow/stats',
  role: 'viewer',
  summary: 'Shadow model vs rules: totals, agreement rate, quality on the same outcomes, drops',
  tags: ['shadow'],
  query: ShadowQuery,
  examples: { query: { agent: 'deployment-specialist' } },
  responses: {
    200: {
      description: 'the statistics',
      schema: z.looseObject({ total: z.number().int(), agreementRate: z.number().nullable(), agents: z.array(z.looseObject({ agent: z.string(), total: z.number().int() })) }),
      example: { total: 1200, agreementRate: 0.81, agents: [{ agent: 'deployment-specialist', total: 1200, failed: 0, agreements: 972 }] },
    },
  },
});
