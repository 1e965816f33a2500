import type { FastifyInstance, RouteOptions } from 'fastify';
import { contractOfRoute, type RouteContract } from '../../core/index.js';

/** A route as Fastify registered it, with the contract it declared (if any). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly contract: RouteContract | undefined;
}

const catalogues = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Records every route registered on `app` from now on (an `onRoute` hook), so `/openapi.json`
 * publishes the contracts and a test can find a route that declared none. Fastify's automatic
 * HEAD twin of a GET route is left out.
 */
export function trackRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  catalogues.set(app, routes);
  app.addHook('onRoute', (r: RouteOptions) => {
    const contract = contractOfRoute(r);
    for (const method of [r.method].flat()) {
      if (method === 'HEAD' && routes.some((x) => x.method === 'GET' && x.url === r.url)) continue;
      routes.push({ method, url: r.url, contract });
    }
  });
  return routes;
}

/** The routes registered on a server built by `buildServer` (empty for any other instance). */
export const registeredRoutes = (app: FastifyInstance): readonly RegisteredRoute[] => catalogues.get(app) ?? [];

/** The contracts of the registered routes. */
export const contractsOf = (routes: readonly RegisteredRoute[]): RouteContract[] =>
  routes.flatMap((r) => (r.contract ? [r.contract] : []));
