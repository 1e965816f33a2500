import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contractRoute, defineRoute, requestActor, ValidationError, type RouteModule } from '../../core/index.js';
import { AGENT_NAME_RE } from '../validate.js';
import type { FeatureRead } from './feature-reader.js';
import { FeatureViewSchema, type VersionedFeatureView } from './feature-view.js';
import type { FeatureViewRegistry } from './feature-view-registry.js';

/** A view's materialisation as the API reports it. */
export interface ViewReport {
  readonly phase: 'starting' | 'backfilling' | 'live' | 'unknown';
  readonly applied: number;
  /** Backfill progress in [0, 1] (1 once live); null when the total is not known. */
  readonly progress: number | null;
  readonly caughtUpAt: string | null;
  readonly losses: number;
  readonly entities: number | null;
}

const ViewParams = z.object({ view: z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$') });
const EntityParams = ViewParams.extend({ entity: z.string().min(1).max(256) });
const Report = z.object({
  phase: z.enum(['starting', 'backfilling', 'live', 'unknown']),
  applied: z.number(),
  progress: z.number().nullable(),
  caughtUpAt: z.string().nullable(),
  losses: z.number(),
  entities: z.number().nullable(),
});
const Stored = z.looseObject({ name: z.string(), entity: z.string(), version: z.number().int(), updatedAt: z.string() });
const WithStatus = Stored.extend({ status: Report });
const Value = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const Read = z.object({
  view: z.string(),
  version: z.number().int(),
  entity: z.string(),
  status: z.enum(['fresh', 'stale', 'missing']),
  values: z.record(z.string(), Value).nullable(),
  asOf: z.string(),
});
const example = {
  name: 'author-reliability',
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [
    { name: 'approve_rate_30d', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
    { name: 'reviews_last_20', aggregation: 'count', window: { last: 20 } },
  ],
};

export const listFeatureViews = defineRoute({
  method: 'GET',
  path: '/api/v1/features',
  role: 'viewer',
  summary: 'Every feature view with its materialisation status',
  tags: ['features'],
  responses: { 200: { description: 'the views', schema: z.object({ views: z.array(WithStatus) }) } },
});
export const getFeatureView = defineRoute({
  method: 'GET',
  path: '/api/v1/features/:view',
  role: 'viewer',
  summary: 'One feature view: its definition and materialisation status (backfill progress)',
  tags: ['features'],
  params: ViewParams,
  problems: ['NOT_FOUND'],
  examples: { params: { view: 'author-reliability' } },
  responses: { 200: { description: 'the view', schema: WithStatus } },
});
export const putFeatureView = defineRoute({
  method: 'PUT',
  path: '/api/v1/features/:view',
  role: 'admin',
  summary: 'Define or change a feature view (versioned; a new version is backfilled from the log, then streamed)',
  description: '`name` is optional and must match the path. The reason for the change comes from the `X-Apprentice-Reason` header.',
  tags: ['features'],
  params: ViewParams,
  body: FeatureViewSchema,
  bodyValidatedByHandler: true,
  examples: { params: { view: 'author-reliability' }, body: example },
  responses: {
    200: { description: 'updated (or unchanged)', schema: Stored },
    201: { description: 'created', schema: Stored, example: { ...example, ttlSeconds: 2592000, onLoss: 'stale', version: 1, updatedAt: '2026-01-01T12:00:00.000Z' } },
  },
});
export const getFeatures = defineRoute({
  method: 'GET',
  path: '/api/v1/features/:view/:entity',
  role: 'viewer',
  summary: "One entity's features from the online store, as of now",
  description: '`status`: `fresh` (the view is live), `stale` (being rebuilt: the last values served, by the view policy) or `missing`.',
  tags: ['features'],
  params: EntityParams,
  problems: ['NOT_FOUND'],
  examples: { params: { view: 'author-reliability', entity: 'anna' } },
  responses: {
    200: {
      description: 'the features',
      schema: Read,
      example: { view: 'author-reliability', version: 1, entity: 'anna', status: 'fresh', values: { approve_rate_30d: 0.8, reviews_last_20: 20 }, asOf: '2026-01-01T12:00:00.000Z' },
    },
  },
});

/**
 * `GET /api/v1/features`, `GET|PUT /api/v1/features/{view}`, `GET /api/v1/features/{view}/{entity}`.
 * @example app.register(featureRoutes({ views, read: (v, e) => reader.get(v, e), status: report }))
 */
export function featureRoutes(deps: {
  readonly views: FeatureViewRegistry;
  readonly read: (view: string, entity: string) => Promise<FeatureRead>;
  readonly status: (view: VersionedFeatureView) => Promise<ViewReport>;
}): RouteModule {
  const withStatus = async (v: VersionedFeatureView) => ({ ...v, status: await deps.status(v) });
  return (app: FastifyInstance) => {
    app.route(contractRoute(listFeatureViews, async () => ({ views: await Promise.all(deps.views.list().map(withStatus)) })));
    app.route(contractRoute(getFeatureView, async (req) => withStatus(deps.views.require(ViewParams.parse(req.params).view))));
    app.route(
      contractRoute(putFeatureView, async (req, reply) => {
        const name = ViewParams.parse(req.params).view;
        const body = req.body;
        if (body === null || typeof body !== 'object' || Array.isArray(body))
          throw new ValidationError('invalid body', [{ path: '', message: 'expected a JSON object (the feature view)' }]);
        const given = (body as { name?: unknown }).name;
        if (given !== undefined && given !== name) throw new ValidationError('view name in the body differs from the path', [{ path: 'name', message: `must be "${name}" or absent` }]);
        const reason = req.headers['x-apprentice-reason'];
        const before = deps.views.get(name);
        const stored = deps.views.define({ ...body, name }, { actor: requestActor(req), ...(typeof reason === 'string' ? { reason } : {}) });
        return reply.status(before ? 200 : 201).send(stored);
      }),
    );
    app.route(
      contractRoute(getFeatures, async (req) => {
        const { view, entity } = EntityParams.parse(req.params);
        return deps.read(view, entity);
      }),
    );
  };
}
