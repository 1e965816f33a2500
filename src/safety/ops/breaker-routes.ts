import { z } from 'zod';
import type { RouteModule } from '../../core/index.js';
import { parseInput } from '../../core/index.js';
import { requestActor } from '../../core/index.js';
import type { BreakerBoard } from './breaker-board.js';

const overrideBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .optional();

/**
 * `GET /api/v1/circuit-breakers` (every breaker of every agent) and
 * `POST /api/v1/circuit-breakers/open-all|close-all` (body `{ reason? }`; audited).
 *
 * @example
 * const app = await buildServer(apprentice, { routes: [breakerRoutes(board)] });
 */
export function breakerRoutes(board: BreakerBoard): RouteModule {
  return (app) => {
    app.get('/api/v1/circuit-breakers', async () => ({ heldOpen: board.isHeldOpen, breakers: board.list() }));
    app.post('/api/v1/circuit-breakers/open-all', async (req) => {
      const body = parseInput(overrideBody, req.body);
      return board.openAll(requestActor(req), body?.reason ?? 'open-all requested over the API');
    });
    app.post('/api/v1/circuit-breakers/close-all', async (req) => {
      const body = parseInput(overrideBody, req.body);
      return board.closeAll(requestActor(req), body?.reason ?? 'close-all requested over the API');
    });
  };
}
