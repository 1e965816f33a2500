import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { webhookPayloadSchema } from './alert-payload.js';

export const overrideBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .optional();

const Breaker = z.looseObject({ agent: z.string(), kind: z.string(), state: z.enum(['closed', 'open', 'half_open', 'isolated']) });
const Override = z.looseObject({});

export const listBreakers = defineRoute({
  method: 'GET',
  path: '/api/v1/circuit-breakers',
  role: 'viewer',
  summary: 'Every breaker of every agent, and whether they are held open',
  tags: ['breakers'],
  responses: {
    200: {
      description: 'the breakers',
      schema: z.object({ heldOpen: z.boolean(), breakers: z.array(Breaker) }),
      example: { heldOpen: false, breakers: [{ agent: 'deployment-specialist', kind: 'failure', state: 'closed' }] },
    },
  },
});
export const postOpenAll = defineRoute({
  method: 'POST',
  path: '/api/v1/circuit-breakers/open-all',
  role: 'operator',
  summary: 'Open (and hold open) every breaker: every model falls back to the rules; audited',
  tags: ['breakers'],
  body: overrideBody,
  examples: { body: { reason: 'model serving incident' } },
  responses: { 200: { description: 'what changed', schema: Override } },
});
export const postCloseAll = defineRoute({
  method: 'POST',
  path: '/api/v1/circuit-breakers/close-all',
  role: 'operator',
  summary: 'Release the hold and close every breaker; audited',
  tags: ['breakers'],
  body: overrideBody,
  examples: { body: { reason: 'incident resolved' } },
  responses: { 200: { description: 'what changed', schema: Override } },
});
export const postAlertWebhook = defineRoute({
  method: 'POST',
  path: '/api/v1/alerts/webhook',
  role: 'operator',
  summary: 'Alertmanager webhook (payload version 4) → remediation (rollback, pause, open breaker), idempotent and audited',
  tags: ['alerts'],
  body: webhookPayloadSchema,
  examples: {
    body: {
      version: '4',
      groupKey: '{}:{alertname="ApprenticeModelAccuracyLow"}',
      status: 'firing',
      receiver: 'apprentice',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'ApprenticeModelAccuracyLow', agent: 'deployment-specialist', remediation: 'rollback' },
          annotations: { summary: 'accuracy below the rules for 10 minutes' },
          startsAt: '2025-01-01T12:00:00Z',
          fingerprint: 'a1b2c3d4',
        },
      ],
    },
  },
  responses: {
    200: {
      description: 'what was done per alert',
      schema: z.object({ received: z.number().int(), alerts: z.array(z.looseObject({ alertname: z.string(), result: z.string() })) }),
    },
  },
});
