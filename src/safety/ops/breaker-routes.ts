import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { listBreakers, overrideBody, postCloseAll, postOpenAll } from './ops-contracts.js';
import { requestActor } from '../../core/index.js';
import type { BreakerBoard } from './breaker-board.js';


/**
 * `GET /api/v1/circuit-breakers` (every breaker of every agent) and
 * `POST /api/v1/circuit-breakers/open-all|close-all` (body `{ reason? }`; audited).
 *
 * @example
 * const app = await buildServer(apprentice, { routes: [breakerRoutes(board)] });
 */
export function breakerRoutes(board: BreakerBoard): RouteModule {
  return (app) => {
    app.route(contractRoute(listBreakers, async () => ({ heldOpen: board.isHeldOpen, breakers: board.list() })));
    app.route(contractRoute(postOpenAll, async (req) => {
      const body = parseInput(overrideBody, req.body);
      return board.openAll(requestActor(req), body?.reason ?? 'open-all requested over the API');
    }));
    app.route(contractRoute(postCloseAll, async (req) => {
      const body = parseInput(overrideBody, req.body);
      return board.closeAll(requestActor(req), body?.reason ?? 'close-all requested over the API');
    }));
  };
}
