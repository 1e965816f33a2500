import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { getShadowStats, ShadowQuery as Query } from './shadow-contracts.js';
import type { ShadowRunnerStats } from './shadow-runner.js';
import type { ShadowStats } from './shadow-stats.js';


/** `GET /api/v1/shadow/stats[?agent=]`: totals, agreement rate, model vs rules quality, drops. */
export function shadowRoutes(stats: ShadowStats, runner?: { readonly stats: ShadowRunnerStats }): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(getShadowStats, async (req) => {
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
    }));
  };
}
