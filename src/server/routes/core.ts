import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/index.js';
import type { StoredEvent } from '../../core/index.js';
import { UUID_RE } from '../../core/index.js';
import { agentParam } from '../../decisions/index.js';
import { formatCursor, parseCursor, START, type Cursor } from '../../log/index.js';
import type { ServerContext } from '../../runtime/index.js';
import { parseInput } from '../../core/index.js';

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

const EventsQuery = z
  .object({
    after: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    type: z.string().regex(/^[A-Za-z]{1,100}(,[A-Za-z]{1,100})*$/).optional(),
  })
  .strict();

export const eventJson = (e: StoredEvent): Record<string, unknown> => ({
  id: e.id,
  type: e.type,
  stream: e.stream,
  time: e.time,
  position: e.position.toString(),
  cursor: formatCursor(e),
  data: e.data,
  metadata: e.metadata,
});

/** Health, decisions, outcomes and the event trail (issue "Foundation"). */
export function registerCoreRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const a = ctx.apprentice;

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/health/aggregate', async (_req, reply) => {
    const components = [...(await a.health()), ...(await Promise.all(ctx.healthChecks.map((h) => h())))].flat();
    const status = components.some((c) => c.status === 'down') ? 'down' : components.some((c) => c.status === 'degraded') ? 'degraded' : 'ok';
    return reply.status(status === 'down' ? 503 : 200).send({ status, components });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await a.registry.metrics();
    return reply.type(a.registry.contentType).send(text);
  });

  app.post('/api/v1/agents/:agent/decide', async (req, reply) => {
    const agent = agentParam(req.params);
    const body = parseInput(DecideBody, req.body);
    const decision = await ctx.decide(agent, body.unitId, body.context, body.deterministic, body.subjectId);
    return reply.status(200).send(decision);
  });

  app.post('/api/v1/decisions/:id/outcome', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!UUID_RE.test(id)) throw new ValidationError('invalid decision id', [{ path: 'id', message: 'must be a UUID' }]);
    const body = parseInput(OutcomeBody, req.body);
    const r = await a.recordOutcome(id, body);
    return reply.status(202).send({ decisionId: id, eventId: r.eventId, status: 'accepted' });
  });

  app.get('/api/v1/decisions/:id', async (req) => {
    const id = (req.params as { id: string }).id;
    if (!UUID_RE.test(id)) throw new ValidationError('invalid decision id', [{ path: 'id', message: 'must be a UUID' }]);
    const view = await a.reader.get(id);
    if (!view) throw new NotFoundError(`decision ${id} not found`);
    return ctx.presentDecision ? ctx.presentDecision(view) : view;
  });

  app.get('/api/v1/events', async (req) => {
    const q = parseInput(EventsQuery, req.query, 'query');
    let after: Cursor = START;
    if (q.after !== undefined) {
      const c = parseCursor(q.after) ?? (/^\d{1,19}$/.test(q.after) ? undefined : null);
      if (c === null) throw new ValidationError('invalid cursor', [{ path: 'after', message: 'use the `next` value of a previous page' }]);
      after = c ?? START;
    }
    const events = await a.store.readAll({ after, limit: q.limit, ...(q.type ? { types: q.type.split(',') } : {}) });
    const last = events[events.length - 1];
    return { events: events.map(eventJson), next: last ? formatCursor(last) : q.after ?? null };
  });
}
