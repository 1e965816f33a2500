import { z } from 'zod';
import { defineRoute, UUID_RE } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';

const json = z.json();

export const DecideBody = z
  .object({
    unitId: z.string().min(1).max(256),
    context: z.record(z.string(), json).default({}),
    deterministic: json.refine((v) => v !== undefined && v !== null, { message: 'the rules\' answer is required' }),
    subjectId: z.string().min(1).max(256).optional(),
  })
  .strict();

export const OutcomeBody = z
  .object({
    label: z.string().min(1).max(256).optional(),
    value: z.number().finite().optional(),
    reward: z.number().finite().optional(),
    kind: z.enum(['implicit', 'explicit', 'correction']).default('explicit'),
    rating: z.number().int().min(1).max(5).optional(),
  })
  .strict()
  .refine((b) => [b.label, b.value, b.reward].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of label, value or reward',
    path: ['label'],
  });

export const EventsQuery = z
  .object({
    after: z.string().optional().describe('the `next` cursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    type: z.string().regex(/^[A-Za-z]{1,100}(,[A-Za-z]{1,100})*$/).optional().describe('event types, comma separated'),
  })
  .strict();

export const AgentPath = z.object({ agent: z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)') });
const DecisionPath = z.object({ id: z.string().regex(UUID_RE, 'must be a UUID') });

const Decision = z.looseObject({
  decisionId: z.string(),
  agent: z.string(),
  unitId: z.string(),
  value: json,
  source: z.enum(['deterministic', 'ml']),
  reason: z.string(),
  variant: z.enum(['deterministic', 'ml']),
  propensity: z.number(),
});
const StoredEvent = z.object({
  id: z.string(),
  type: z.string(),
  stream: z.string(),
  time: z.string(),
  position: z.string(),
  cursor: z.string(),
  data: z.unknown(),
  metadata: z.looseObject({ actor: z.string().optional(), reason: z.string().optional() }),
});
const Component = z.looseObject({ component: z.string(), status: z.enum(['ok', 'degraded', 'down']) });

const decisionExample = {
  decisionId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  agent: 'deployment-specialist',
  unitId: 'deploy-42',
  value: 'canary',
  source: 'deterministic',
  reason: 'RULES',
  variant: 'deterministic',
  propensity: 1,
};

export const getHealth = defineRoute({
  method: 'GET',
  path: '/health',
  role: 'open',
  summary: 'Liveness',
  tags: ['health'],
  responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }), example: { status: 'ok' } } },
});
export const getHealthAggregate = defineRoute({
  method: 'GET',
  path: '/health/aggregate',
  role: 'viewer',
  summary: 'Every component (event store, bus, cache, learners, each model) with its status',
  tags: ['health'],
  responses: {
    200: {
      description: 'ok or degraded',
      schema: z.object({ status: z.enum(['ok', 'degraded', 'down']), components: z.array(Component) }),
      example: { status: 'ok', components: [{ component: 'event-store', status: 'ok' }] },
    },
    503: { description: 'a component is down', schema: z.object({ status: z.literal('down'), components: z.array(Component) }) },
  },
});
export const getMetrics = defineRoute({
  method: 'GET',
  path: '/metrics',
  role: 'open',
  summary: 'Prometheus exposition (apprentice_*)',
  description: 'Open by default (Prometheus scrapes it); `metricsOpen: false` makes it viewer.',
  tags: ['health'],
  responses: { 200: { description: 'text exposition format', contentType: 'text/plain', schema: z.string() } },
});
export const postDecide = defineRoute({
  method: 'POST',
  path: '/api/v1/agents/:agent/decide',
  role: 'operator',
  summary: 'One decision for one unit',
  description: 'The rules\' answer comes with the request; the model serves it only on the ml arm with closed breakers. A decision never fails for a model problem: `reason` says why the rules answered.',
  tags: ['decisions'],
  params: AgentPath,
  body: DecideBody,
  problems: ['NOT_FOUND', 'CRYPTO_FAILED'],
  examples: {
    params: { agent: 'deployment-specialist' },
    body: { unitId: 'deploy-42', context: { linesChanged: 300, service: 'api' }, deterministic: 'canary' },
  },
  responses: { 200: { description: 'the decision', schema: Decision, example: decisionExample } },
});
export const postOutcome = defineRoute({
  method: 'POST',
  path: '/api/v1/decisions/:id/outcome',
  role: 'operator',
  summary: 'Feedback for a decision: exactly one of label, value or reward',
  tags: ['decisions'],
  params: DecisionPath,
  body: OutcomeBody,
  examples: { params: { id: decisionExample.decisionId }, body: { reward: 1, kind: 'explicit', rating: 5 } },
  responses: {
    202: {
      description: 'recorded',
      schema: z.object({ decisionId: z.string(), eventId: z.string(), status: z.literal('accepted') }),
      example: { decisionId: decisionExample.decisionId, eventId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60', status: 'accepted' },
    },
  },
});
export const getDecision = defineRoute({
  method: 'GET',
  path: '/api/v1/decisions/:id',
  role: 'viewer',
  summary: 'A decision and its outcome (L1 → L2 → store)',
  tags: ['decisions'],
  params: DecisionPath,
  examples: { params: { id: decisionExample.decisionId } },
  problems: ['NOT_FOUND'],
  responses: { 200: { description: 'the decision', schema: z.looseObject({ decisionId: z.string(), agent: z.string() }) } },
});
export const getEvents = defineRoute({
  method: 'GET',
  path: '/api/v1/events',
  role: 'viewer',
  summary: 'The event trail (audit), paged by a gap-safe cursor',
  tags: ['audit'],
  query: EventsQuery,
  examples: { query: { type: 'RolloutStepChanged,ModelAliasMoved', limit: 50 } },
  responses: {
    200: {
      description: 'a page of events, oldest first; `next` is the cursor of the following page',
      schema: z.object({ events: z.array(StoredEvent), next: z.string().nullable() }),
      example: {
        events: [
          {
            id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a61',
            type: 'RolloutStepChanged',
            stream: 'rollout-deployment-specialist',
            time: '2025-01-01T12:00:00.000Z',
            position: '42',
            cursor: '1001:42',
            data: { agent: 'deployment-specialist', command: 'advance' },
            metadata: { actor: 'controller', reason: 'significant at 5%' },
          },
        ],
        next: '1001:42',
      },
    },
  },
});
