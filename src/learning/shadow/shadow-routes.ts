import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AGENT_NAME_RE } from '../../decisions/index.js';
import type { RouteModule } from '../../core/index.js';
import { parseInput } from '../../core/index.js';
import type { ShadowRunnerStats } from './shadow-runner.js';
import type { ShadowStats } from './shadow-stats.js';

const Query = z.object({ agent: z.string().regex(AGENT_NAME_RE, 'invalid agent name').optional() }).strict();

/** `GET /api/v1/shadow/stats[?agent=]`: totals, agreement rate, model vs rules quality, drops. */
export function shadowRoutes(stats: ShadowStats, runner?: { readonly stats: ShadowRunnerStats }): RouteModule {
  return (app: FastifyInstance) => {
    app.get('/api/v1/shadow/stats', async (req) => {
      const q = parseInput(Query, req.query, 'query');
      const agents = q.agent ? [stats.get(q.agent)].filter((s) => s !== undefined) : stats.all();
      const total = agents.reduce((n, a) => n + a.total, 0);
      const ok = agents.reduce((n, a) => n + a.total - a.failed, 0);
      const agreements = agents.reduce((n, a) => n + a.agreements, 0);
      return {
        total,
        agreementRate: ok > 0 ? agreements / ok : null,
        agents,
        ...(runner ? { queue: { ...runner.stats } } : {}),
      };
    });
  };
}
