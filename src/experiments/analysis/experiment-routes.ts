import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/index.js';
import type { RolloutController } from '../rollout/rollout-controller.js';
import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { getSignificance, idParams, listExperiments, listQuery } from './experiment-contracts.js';


/**
 * `GET /api/v1/experiments[?agent=]` (newest first) and
 * `GET /api/v1/experiments/{id}/significance` → effect, always-valid CI and p-value (mSPRT),
 * power, SRM, non-inferiority, and the controller's verdict for a running experiment.
 * Infinite interval ends (no data yet) are shown as null.
 */
export function experimentRoutes(controller: RolloutController): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(listExperiments, async (req) => {
      const q = parseInput(listQuery, req.query, 'query');
      const list = await controller.experiments(q.agent);
      return { experiments: list.map((x) => ({ ...x, endedAt: x.endedAt ?? null, endPhase: x.endPhase ?? null, endReason: x.endReason ?? null, status: x.endedAt ? 'ended' : 'running' })) };
    }));
    app.route(contractRoute(getSignificance, async (req) => {
      const { id } = parseInput(idParams, req.params, 'path');
      const s = await controller.significance(id);
      if (!s) throw new NotFoundError(`experiment ${id} not found`);
      const a = s.analysis;
      return {
        experiment: s.experiment,
        arms: a.arms,
        effect: a.effect,
        relativeEffect: a.relativeEffect ?? null,
        ci: a.ci,
        pValue: a.pValue,
        alpha: a.alpha,
        method: 'mSPRT (Johari, Pekelis & Walsh 2017), normal mixture with tau = MDE',
        tau: a.tau,
        margin: a.margin,
        power: a.power,
        nonInferior: a.nonInferior,
        superior: a.superior,
        inferior: a.inferior,
        srm: { pValue: a.srm.pValue, chi2: a.srm.chi2, mismatch: a.srm.mismatch, status: a.srm.mismatch ? 'mismatch' : 'healthy' },
        verdict: s.verdict ?? null,
      };
    }));
  };
}
