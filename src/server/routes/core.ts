import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../core/index.js';
import type { StoredEvent } from '../../core/index.js';
import { UUID_RE } from '../../core/index.js';
import { agentParam } from '../../decisions/index.js';
import { formatCursor, parseCursor, START, type Cursor } from '../../log/index.js';
import type { ServerContext } from '../../runtime/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { DecideBody, EventsQuery, getDecision, getEvents, getHealth, getHealthAggregate, getMetrics, OutcomeBody, postDecide, postOutcome } from './core-contracts.js';

export { DecideBody, OutcomeBody } from './core-contracts.js';

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

/** Liveness, component health and the Prometheus metrics (every role serves these). */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const a = ctx.apprentice;

  app.route(contractRoute(getHealth, async () => ({ status: 'ok' })));

  app.route(contractRoute(getHealthAggregate, async (_req, reply) => {
    const components = [...(await a.health()), ...(await Promise.all(ctx.healthChecks.map((h) => h())))].flat();
    const status = components.some((c) => c.status === 'down') ? 'down' : components.some((c) => c.status === 'degraded') ? 'degraded' : 'ok';
    return reply.status(status === 'down' ? 503 : 200).send({ status, components });
  }));

  app.route(contractRoute(getMetrics, async (_req, reply) => {
    const text = await a.registry.metrics();
    return reply.type(a.registry.contentType).send(text);
  }));
}

/** Health, decisions, outcomes and the event trail (issue "Foundation"). */
export function registerCoreRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const a = ctx.apprentice;
  registerHealthRoutes(app, ctx);

  app.route(contractRoute(postDecide, async (req, reply) => {
    const agent = agentParam(req.params);
    const body = parseInput(DecideBody, req.body);
    const decision = await ctx.decide(agent, body.unitId, body.context, body.deterministic, body.subjectId);
    await a.writer.durable(); // durability 'fsync': the reply waits for the group commit
    return reply.status(200).send(decision);
  }));

  app.route(contractRoute(postOutcome, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!UUID_RE.test(id)) throw new ValidationError('invalid decision id', [{ path: 'id', message: 'must be a UUID' }]);
    const body = parseInput(OutcomeBody, req.body);
    const r = await a.recordOutcome(id, body);
    await a.writer.durable();
    return reply.status(202).send({ decisionId: id, eventId: r.eventId, status: 'accepted' });
  }));

  app.route(contractRoute(getDecision, async (req) => {
    const id = (req.params as { id: string }).id;
    if (!UUID_RE.test(id)) throw new ValidationError('invalid decision id', [{ path: 'id', message: 'must be a UUID' }]);
    const view = await a.reader.get(id);
    if (!view) throw new NotFoundError(`decision ${id} not found`);
    return ctx.presentDecision ? ctx.presentDecision(view) : view;
  }));

  app.route(contractRoute(getEvents, async (req) => {
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
  }));
}
