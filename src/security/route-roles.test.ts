import { describe, expect, it } from 'vitest';
import { accessFor, indexRouteRoles, normalizePattern, ROUTE_ROLES } from './route-roles.js';

describe('route → role table', () => {
  const index = indexRouteRoles();
  it('has one row per method and pattern', () => {
    expect(index.size).toBe(ROUTE_ROLES.length);
  });
  it.each([
    ['GET', '/health', 'open'],
    ['GET', '/metrics', 'open'],
    ['GET', '/api/v1/events', 'viewer'],
    ['HEAD', '/api/v1/events', 'viewer'],
    ['POST', '/api/v1/agents/:name/decide', 'operator'],
    ['POST', '/api/v1/decisions/:id/outcome', 'operator'],
    ['POST', '/api/v1/flags/:flag/percentage', 'operator'],
    ['POST', '/api/v1/rollouts/:agent/pause', 'operator'],
    ['POST', '/api/v1/rollouts/:agent/resume', 'operator'],
    ['POST', '/api/v1/rollouts/:agent/rollback', 'operator'],
    ['POST', '/api/v1/rollback', 'operator'],
    ['POST', '/api/v1/circuit-breakers/open-all', 'operator'],
    ['POST', '/api/v1/circuit-breakers/close-all', 'operator'],
    ['POST', '/api/v1/alerts/webhook', 'operator'],
    ['PUT', '/api/v1/agents/:agent', 'admin'],
    ['PUT', '/api/v1/flags/:key', 'admin'],
    ['PUT', '/api/v1/models/:agent/aliases/:alias', 'admin'],
    ['POST', '/api/v1/tokens', 'admin'],
    ['GET', '/api/v1/tokens', 'admin'],
    ['DELETE', '/api/v1/tokens/:id', 'admin'],
    ['POST', '/api/v1/keys/rotate', 'admin'],
    ['POST', '/api/v1/subjects/:id/erase', 'admin'],
    ['POST', '/api/v1/rollouts/:agent/advance', 'admin'],
  ] as const)('%s %s → %s', (method, url, access) => {
    expect(accessFor(index, method, url, {})).toBe(access);
  });
  it('decides a generic action route by its parameter', () => {
    expect(
      accessFor(index, 'POST', '/api/v1/rollouts/:agent/:action', { agent: 'a', action: 'advance' }),
    ).toBe('admin');
    expect(accessFor(index, 'POST', '/api/v1/rollouts/:agent/:action', { agent: 'a', action: 'pause' })).toBe(
      'operator',
    );
  });
  it('fails closed for routes it does not know: reads viewer, writes admin, 404s viewer', () => {
    expect(accessFor(index, 'GET', '/api/v1/unknown', {})).toBe('viewer');
    expect(accessFor(index, 'POST', '/api/v1/unknown', {})).toBe('admin');
    expect(accessFor(index, 'DELETE', '/api/v1/events', {})).toBe('admin');
    expect(accessFor(index, 'GET', undefined, {})).toBe('viewer');
  });
  it('ignores parameter names and trailing slashes', () => {
    expect(normalizePattern('/a/:x/b/:y/')).toBe('/a/:/b/:');
  });
});
