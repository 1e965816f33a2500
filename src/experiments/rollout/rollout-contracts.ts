import { z } from 'zod';
import { defineRoute } from '../../core/index.js';

export const agentParams = z.object({ agent: z.string() });
export const actionParams = z.object({
  agent: z.string(),
  action: z.enum(['advance', 'pause', 'resume', 'rollback', 'evaluate'], { error: 'must be advance, pause, resume, rollback or evaluate' }),
});
export const reasonBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();
export const emergencyBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();

const Rollout = z.looseObject({
  agent: z.string(),
  phase: z.enum(['shadow', 'canary', 'promoted', 'rolled_back', 'paused']),
  step: z.string(),
  percentage: z.number().min(0).max(100),
  state: z.looseObject({ phase: z.string(), since: z.string() }),
  version: z.number().int(),
  updatedAt: z.string().nullable(),
});
const rolloutExample = {
  agent: 'deployment-specialist',
  phase: 'canary',
  step: 'canary-25',
  percentage: 25,
  state: { phase: 'canary', percentage: 25, experimentId: 'deployment-specialist-3', since: '2025-01-01T12:00:00.000Z' },
  version: 3,
  updatedAt: '2025-01-01T12:00:00.000Z',
  updatedBy: 'controller',
  reason: 'ml non-inferior at 5% (p = 0.01)',
};
const Status = Rollout.extend({ verdict: z.unknown(), analysis: z.unknown(), guardrails: z.unknown(), experiment: z.unknown(), ope: z.unknown(), admission: z.unknown(), outcomes: z.unknown(), policy: z.looseObject({ steps: z.array(z.number()), gates: z.array(z.number()) }), gate: z.looseObject({ percentage: z.number(), approved: z.boolean() }).nullable() });

export const listRollouts = defineRoute({
  method: 'GET',
  path: '/api/v1/rollouts',
  role: 'viewer',
  summary: 'Every agent\'s rollout: phase, step, percentage, last change',
  tags: ['rollouts'],
  responses: { 200: { description: 'the rollouts', schema: z.object({ rollouts: z.array(Rollout) }), example: { rollouts: [rolloutExample] } } },
});
export const getRollout = defineRoute({
  method: 'GET',
  path: '/api/v1/rollouts/:agent',
  role: 'viewer',
  summary: 'One rollout with its effective policy, manual gate, experiment, statistics, guardrails, shadow evidence and the controller\'s verdict',
  tags: ['rollouts'],
  params: agentParams,
  examples: { params: { agent: 'deployment-specialist' } },
  responses: { 200: { description: 'the status', schema: Status } },
});
export const postRolloutAction = defineRoute({
  method: 'POST',
  path: '/api/v1/rollouts/:agent/:action',
  role: 'operator',
  roleByParam: { param: 'action', roles: { advance: 'admin', pause: 'operator', resume: 'operator', rollback: 'operator', evaluate: 'operator' } },
  summary: 'advance (admin), pause, resume, rollback or evaluate (operator) one rollout; audited with the caller',
  description: 'Body `{reason?}`. `evaluate` runs the controller for that agent now. An action that does not apply in the current state answers 409.',
  tags: ['rollouts'],
  params: actionParams,
  body: reasonBody,
  problems: ['CONFLICT', 'NOT_FOUND'],
  examples: { params: { agent: 'deployment-specialist', action: 'rollback' }, body: { reason: 'latency regression seen on the dashboard' } },
  responses: { 200: { description: 'the rollout after the action', schema: Rollout, example: { ...rolloutExample, phase: 'rolled_back', step: 'rolled_back', percentage: 0, state: { phase: 'rolled_back', since: '2025-01-01T12:05:00.000Z', fromPercentage: 25, reason: 'latency regression seen on the dashboard' }, version: 4 } } },
});
export const postRolloutApprove = defineRoute({
  method: 'POST',
  path: '/api/v1/rollouts/:agent/approve',
  role: 'operator',
  summary: 'Approve the manual gate ahead of a rollout (policy `gates`); audited as RolloutGateApproved with the caller',
  description:
    'Body `{reason?}`. The approval is for the next step only and holds until the rollout changes step; the agent is evaluated at once and advances if its statistics allow. No gate ahead answers 409.',
  tags: ['rollouts'],
  params: agentParams,
  body: reasonBody,
  problems: ['CONFLICT', 'VALIDATION'],
  examples: { params: { agent: 'deployment-specialist' }, body: { reason: 'change review CAB-42 passed' } },
  responses: {
    200: {
      description: 'the status after the approval',
      schema: Status.extend({ approval: z.looseObject({ percentage: z.number(), version: z.number().int(), actor: z.string().optional() }), changed: z.boolean() }),
    },
  },
});
export const postEmergencyRollback = defineRoute({
  method: 'POST',
  path: '/api/v1/rollback',
  role: 'operator',
  summary: 'Emergency: every agent back to its rules (0% ML), audited',
  tags: ['rollouts'],
  body: emergencyBody,
  examples: { body: { reason: 'incident 123' } },
  responses: { 202: { description: 'what was rolled back', schema: z.looseObject({}) } },
});
