import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../core/index.js';
import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { actionParams, agentParams, emergencyBody, getRollout, listRollouts, postEmergencyRollback, postRolloutAction, postRolloutApprove, reasonBody } from './rollout-contracts.js';
import { presentPolicy } from './resolve-policy.js';
import type { RolloutController, RolloutStatus } from './rollout-controller.js';
import type { RolloutRecord } from './rollout-log.js';
import { describeState, percentageOf } from './rollout-state.js';
import type { RolloutCommand } from './transition.js';


/** A rollout as the API shows it. */
export const presentRollout = (r: RolloutRecord): Record<string, unknown> => ({
  agent: r.agent,
  phase: r.state.phase,
  step: describeState(r.state),
  percentage: percentageOf(r.state),
  state: r.state,
  version: r.version,
  updatedAt: r.updatedAt || null,
  updatedBy: r.updatedBy ?? null,
  reason: r.reason ?? null,
});

export const presentStatus = (s: RolloutStatus): Record<string, unknown> => ({
  agent: s.agent,
  phase: s.state.phase,
  step: describeState(s.state),
  percentage: s.percentage,
  state: s.state,
  version: s.version,
  updatedAt: s.updatedAt ?? null,
  experiment: s.experiment ?? null,
  analysis: s.analysis ?? null,
  guardrails: s.guardrails ?? null,
  shadow: s.shadow ?? null,
  // Issue 12: the OPE gate's evidence in shadow, and how complete the step's outcomes are.
  ope: s.ope ?? null,
  // Past shadow: the OPE evidence of the step that left shadow (its RolloutStepChanged).
  admission: s.admission ?? null,
  outcomes: s.outcomes ?? null,
  verdict: s.verdict,
  policy: presentPolicy(s.policy),
  gate: s.gate ? { percentage: s.gate.percentage, approved: s.gate.approval !== undefined, approvedBy: s.gate.approval?.actor ?? null } : null,
});

/**
 * `GET /api/v1/rollouts`, `GET /api/v1/rollouts/{agent}`,
 * `POST /api/v1/rollouts/{agent}/approve` (a manual gate), 
 * `POST /api/v1/rollouts/{agent}/{advance|pause|resume|rollback|evaluate}` (body `{reason?}`;
 * `evaluate` runs the controller for that agent now), and `POST /api/v1/rollback` (emergency:
 * every agent to the rules). Invalid transitions answer 409.
 */
export function rolloutRoutes(controller: RolloutController): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(listRollouts, async () => ({ rollouts: (await controller.rollouts()).map(presentRollout) })));
    app.route(contractRoute(getRollout, async (req) => presentStatus(await controller.status(parseInput(agentParams, req.params, 'path').agent))));
    app.route(contractRoute(postRolloutAction, async (req) => {
      const { agent, action } = parseInput(actionParams, req.params, 'path');
      const body = parseInput(reasonBody, req.body ?? undefined);
      if (action === 'evaluate') {
        const [result] = await controller.tick(agent);
        return { ...presentStatus(await controller.status(agent)), verdict: result?.verdict ?? null, changed: result?.changed !== undefined };
      }
      const actor = requestActor(req);
      const reason = body?.reason ?? (action === 'rollback' ? `rollback by ${actor}` : undefined);
      const command: RolloutCommand = action === 'rollback' ? { kind: 'rollback', reason: reason! } : { kind: action };
      return presentRollout(await controller.command(agent, command, { actor, reason }));
    }));
    app.route(contractRoute(postRolloutApprove, async (req) => {
      const { agent } = parseInput(agentParams, req.params, 'path');
      const body = parseInput(reasonBody, req.body ?? undefined);
      const r = await controller.approve(agent, { actor: requestActor(req), reason: body?.reason });
      return { ...presentStatus(await controller.status(agent)), approval: { ...r.approval }, changed: r.changed !== undefined };
    }));
    app.route(contractRoute(postEmergencyRollback, async (req, reply) => {
      const body = parseInput(emergencyBody, req.body ?? undefined);
      const actor = requestActor(req);
      const result = await controller.emergencyRollback({ actor, reason: body?.reason ?? `emergency rollback by ${actor}` });
      return reply.status(202).send(result);
    }));
  };
}
