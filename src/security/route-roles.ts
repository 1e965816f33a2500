import type { Role } from './auth/roles.js';

/** What a route needs: `open` (no token), or a minimum role. */
export type Access = 'open' | Role;

/** One row of the route → role table. `url` is the Fastify pattern; parameter names do not matter. */
export interface RouteRule {
  readonly method: string;
  readonly url: string;
  /** A role, or a function of the route parameters (one route serving several actions). */
  readonly access: Access | ((params: Readonly<Record<string, string | undefined>>) => Access);
}

/** `advance` raises the model's share of traffic: admin. The brakes are operator actions. */
const rolloutAction = (p: Readonly<Record<string, string | undefined>>): Access =>
  Object.values(p).includes('advance') ? 'admin' : 'operator';

/**
 * Every route of the API (DESIGN.md §5 plus the security routes) and the role it needs:
 * viewer = reads; operator = decisions, outcomes and the brakes (flag percentage, pause,
 * resume, rollback, breakers, alerts); admin = definitions (agents, flags, aliases),
 * promotion (`advance`), tokens, keys, erasure, retention.
 */
export const ROUTE_ROLES: readonly RouteRule[] = [
  { method: 'GET', url: '/health', access: 'open' },
  { method: 'GET', url: '/health/aggregate', access: 'viewer' },
  // `/metrics` is open by default; `metricsOpen: false` makes it viewer (see AuthOptions).
  { method: 'GET', url: '/metrics', access: 'open' },
  // The control panel, the API reference and the contract: pages only, every call they make
  // needs the role of its route.
  { method: 'GET', url: '/', access: 'open' },
  { method: 'GET', url: '/panel/:file', access: 'open' },
  { method: 'GET', url: '/docs', access: 'open' },
  { method: 'GET', url: '/docs/:file', access: 'open' },
  { method: 'GET', url: '/openapi.json', access: 'open' },
  { method: 'GET', url: '/api/v1/session', access: 'viewer' },
  { method: 'POST', url: '/api/v1/agents/:agent/decide', access: 'operator' },
  { method: 'POST', url: '/api/v1/decisions/:id/outcome', access: 'operator' },
  { method: 'GET', url: '/api/v1/decisions/:id', access: 'viewer' },
  { method: 'GET', url: '/api/v1/events', access: 'viewer' },
  { method: 'GET', url: '/api/v1/agents', access: 'viewer' },
  { method: 'GET', url: '/api/v1/agents/:agent', access: 'viewer' },
  { method: 'PUT', url: '/api/v1/agents/:agent', access: 'admin' },
  { method: 'GET', url: '/api/v1/features', access: 'viewer' },
  { method: 'GET', url: '/api/v1/features/:view', access: 'viewer' },
  { method: 'PUT', url: '/api/v1/features/:view', access: 'admin' },
  { method: 'GET', url: '/api/v1/features/:view/:entity', access: 'viewer' },
  { method: 'GET', url: '/api/v1/shadow/stats', access: 'viewer' },
  { method: 'GET', url: '/api/v1/drift', access: 'viewer' },
  { method: 'GET', url: '/api/v1/flags', access: 'viewer' },
  { method: 'GET', url: '/api/v1/flags/:key', access: 'viewer' },
  { method: 'PUT', url: '/api/v1/flags/:key', access: 'admin' },
  { method: 'POST', url: '/api/v1/flags/:key/percentage', access: 'operator' },
  { method: 'GET', url: '/api/v1/experiments', access: 'viewer' },
  { method: 'GET', url: '/api/v1/experiments/:id', access: 'viewer' },
  { method: 'GET', url: '/api/v1/experiments/:id/significance', access: 'viewer' },
  { method: 'GET', url: '/api/v1/rollouts', access: 'viewer' },
  { method: 'GET', url: '/api/v1/rollouts/:agent', access: 'viewer' },
  { method: 'POST', url: '/api/v1/rollouts/:agent/advance', access: 'admin' },
  { method: 'POST', url: '/api/v1/rollouts/:agent/pause', access: 'operator' },
  { method: 'POST', url: '/api/v1/rollouts/:agent/resume', access: 'operator' },
  { method: 'POST', url: '/api/v1/rollouts/:agent/rollback', access: 'operator' },
  // A manual gate: the operator's approval; the controller still advances only on its statistics.
  { method: 'POST', url: '/api/v1/rollouts/:agent/approve', access: 'operator' },
  { method: 'POST', url: '/api/v1/rollouts/:agent/:action', access: rolloutAction },
  { method: 'POST', url: '/api/v1/rollback', access: 'operator' },
  { method: 'GET', url: '/api/v1/circuit-breakers', access: 'viewer' },
  { method: 'POST', url: '/api/v1/circuit-breakers/open-all', access: 'operator' },
  { method: 'POST', url: '/api/v1/circuit-breakers/close-all', access: 'operator' },
  { method: 'POST', url: '/api/v1/circuit-breakers/:action', access: 'operator' },
  { method: 'GET', url: '/api/v1/models', access: 'viewer' },
  { method: 'GET', url: '/api/v1/models/:agent/versions', access: 'viewer' },
  { method: 'POST', url: '/api/v1/models/:agent/versions', access: 'admin' },
  { method: 'PUT', url: '/api/v1/models/:agent/aliases/:alias', access: 'admin' },
  { method: 'POST', url: '/api/v1/alerts/webhook', access: 'operator' },
  { method: 'POST', url: '/api/v1/tokens', access: 'admin' },
  { method: 'GET', url: '/api/v1/tokens', access: 'admin' },
  { method: 'DELETE', url: '/api/v1/tokens/:id', access: 'admin' },
  { method: 'POST', url: '/api/v1/keys/rotate', access: 'admin' },
  { method: 'POST', url: '/api/v1/subjects/:id/erase', access: 'admin' },
  { method: 'POST', url: '/api/v1/retention/apply', access: 'admin' },
  // The storage commands of the CLI while a server holds the store (issue 14).
  { method: 'GET', url: '/api/v1/status', access: 'viewer' },
  { method: 'POST', url: '/api/v1/replay', access: 'admin' },
  { method: 'POST', url: '/api/v1/admin/tier', access: 'admin' },
  { method: 'GET', url: '/api/v1/backup', access: 'admin' },
  { method: 'GET', url: '/api/v1/export', access: 'admin' },
  { method: 'GET', url: '/api/v1/models/:agent/versions/:version/lineage', access: 'viewer' },
];

/** `/a/:x/b/:y` → `/a/:/b/:` so tables and modules need not agree on parameter names. */
export const normalizePattern = (url: string): string =>
  url.replace(/:[^/]+/g, ':').replace(/\/+$/, '') || '/';

export type RouteRoleIndex = ReadonlyMap<string, RouteRule>;

const keyOf = (method: string, url: string): string => `${method.toUpperCase()} ${normalizePattern(url)}`;

export function indexRouteRoles(rules: readonly RouteRule[] = ROUTE_ROLES): RouteRoleIndex {
  return new Map(rules.map((r) => [keyOf(r.method, r.url), r]));
}

/**
 * The access a request needs. A route that is not in the table fails closed: reads need
 * viewer, anything else admin. HEAD follows GET. Unmatched URLs (404) need viewer, so
 * anonymous callers cannot map the API.
 * @example
 * accessFor(indexRouteRoles(), 'POST', '/api/v1/flags/:key/percentage', {}); // 'operator'
 */
export function accessFor(
  index: RouteRoleIndex,
  method: string,
  routeUrl: string | undefined,
  params: Readonly<Record<string, string | undefined>>,
): Access {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  if (routeUrl === undefined) return 'viewer';
  const rule = index.get(keyOf(m, routeUrl));
  if (rule === undefined) return m === 'GET' ? 'viewer' : 'admin';
  return typeof rule.access === 'function' ? rule.access(params) : rule.access;
}

/** Whether the table has an explicit row for a route (the completeness test uses it). */
export const hasRule = (index: RouteRoleIndex, method: string, url: string): boolean =>
  index.has(keyOf(method === 'HEAD' ? 'GET' : method, url));
