import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/index.js';
import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { DriftQuery as Query, getDrift } from './drift-contracts.js';
import type { DriftService } from './drift-service.js';


/**
 * `GET /api/v1/drift[?agent=]`: per agent, the reference in use, the per-feature verdicts of
 * the last closed window and the feature quality of the current one. With `agent`, that
 * agent's status (404 when it has made no decision since the service started).
 */
export function driftRoutes(service: Pick<DriftService, 'status' | 'statuses'>): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(getDrift, async (req) => {
      const q = parseInput(Query, req.query, 'query');
      if (q.agent === undefined) return { agents: service.statuses() };
      const status = service.status(q.agent);
      if (status === undefined) throw new NotFoundError(`no drift state for agent ${q.agent}: it has made no decision yet`);
      return status;
    }));
  };
}
