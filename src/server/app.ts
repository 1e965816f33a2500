import Fastify, { type FastifyInstance } from 'fastify';
import type { Apprentice } from '../runtime/index.js';
import type { ServerContext, ServerOptions } from '../runtime/index.js';
import { problem, sendProblem, toProblem } from '../core/index.js';
import { registerCoreRoutes, registerHealthRoutes } from './routes/core.js';
import { registerUiRoutes } from './routes/ui-routes.js';
import { registerSessionRoute } from './routes/session-route.js';
import { trackRoutes } from './openapi/route-catalogue.js';
import { packageVersion } from './openapi/package-version.js';

export type { RouteModule } from '../core/index.js';
export type { ServerOptions } from '../runtime/index.js';

/**
 * The HTTP API (DESIGN.md §5): JSON in and out, errors as RFC 9457 problem+json with a
 * stable `code` and field paths, a body-size limit, and request metrics.
 */
export async function buildServer(apprentice: Apprentice, options: ServerOptions = {}): Promise<FastifyInstance> {
  // With `https` the instance is an https.Server underneath; routes, hooks and inject are the
  // same, so it is typed as the HTTP instance the rest of the code expects.
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    bodyLimit: apprentice.config.bodyLimitBytes,
    logger: options.logger ?? false,
    // Refuse prototype-pollution keys in JSON bodies (secure-json-parse).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 300 },
    // Errors raised before routing (an undecodable URL, ...) are problems too.
    frameworkErrors: (err, _req, reply) => {
      void sendProblem(reply, toProblem(err));
    },
  });
  // JSON only: other media types get 415 instead of reaching the validators as strings.
  app.removeContentTypeParser('text/plain');
  const ctx: ServerContext = {
    apprentice,
    decide: (agent, unitId, context, deterministic) => apprentice.decide(agent, unitId, context, deterministic),
    healthChecks: [],
    ...options.context,
  };
  const m = apprentice.metrics;
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    m.httpRequestsTotal.inc({ method: req.method, route, status: String(reply.statusCode) });
    m.httpRequestDurationSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    if (p.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
  // Every route from here on is recorded with its contract: `/openapi.json` publishes them.
  const routes = trackRoutes(app);
  if (options.surface === 'health') {
    // A worker: health and metrics only (its routes are the auth hook and the input guard).
    registerHealthRoutes(app, ctx);
    for (const r of options.routes ?? []) await r(app, ctx);
    return app;
  }
  registerCoreRoutes(app, ctx);
  for (const r of options.routes ?? []) await r(app, ctx);
  registerSessionRoute(app);
  registerUiRoutes(app, { routes, version: packageVersion() });
  return app;
}
