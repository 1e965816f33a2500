/**
 * The whole route → role table, row by row: who may call what is the promise, so each row is
 * pinned by behaviour (`accessFor` and `hasRule` with other parameter names), not by shape.
 */
import { describe, expect, it } from 'vitest';
import { accessFor, hasRule, indexRouteRoles, normalizePattern, ROUTE_ROLES, type Access } from './route-roles.js';

/** Every row as reviewed: method, pattern (parameter names renamed on purpose), access. */
const TABLE: readonly (readonly [string, string, Access | 'by action'])[] = [
  ['GET', '/health', 'open'],
  ['GET', '/health/aggregate', 'viewer'],
  ['GET', '/metrics', 'open'],
  ['GET', '/', 'open'],
  ['GET', '/panel/:p_file', 'open'],
  ['GET', '/docs', 'open'],
  ['GET', '/docs/:p_file', 'open'],
  ['GET', '/openapi.json', 'open'],
  ['GET', '/api/v1/session', 'viewer'],
  ['POST', '/api/v1/agents/:p_agent/decide', 'operator'],
  ['POST', '/api/v1/decisions/:p_id/outcome', 'operator'],
  ['GET', '/api/v1/decisions/:p_id', 'viewer'],
  ['GET', '/api/v1/events', 'viewer'],
  ['GET', '/api/v1/agents', 'viewer'],
  ['GET', '/api/v1/agents/:p_agent', 'viewer'],
  ['PUT', '/api/v1/agents/:p_agent', 'admin'],
  ['GET', '/api/v1/features', 'viewer'],
  ['GET', '/api/v1/features/:p_view', 'viewer'],
  ['PUT', '/api/v1/features/:p_view', 'admin'],
  ['GET', '/api/v1/features/:p_view/:p_entity', 'viewer'],
  ['GET', '/api/v1/shadow/stats', 'viewer'],
  ['GET', '/api/v1/drift', 'viewer'],
  ['GET', '/api/v1/flags', 'viewer'],
  ['GET', '/api/v1/flags/:p_key', 'viewer'],
  ['PUT', '/api/v1/flags/:p_key', 'admin'],
  ['POST', '/api/v1/flags/:p_key/percentage', 'operator'],
  ['GET', '/api/v1/experiments', 'viewer'],
  ['GET', '/api/v1/experiments/:p_id', 'viewer'],
  ['GET', '/api/v1/experiments/:p_id/significance', 'viewer'],
  ['GET', '/api/v1/rollouts', 'viewer'],
  ['GET', '/api/v1/rollouts/:p_agent', 'viewer'],
  ['POST', '/api/v1/rollouts/:p_agent/advance', 'admin'],
  ['POST', '/api/v1/rollouts/:p_agent/pause', 'operator'],
  ['POST', '/api/v1/rollouts/:p_agent/resume', 'operator'],
  ['POST', '/api/v1/rollouts/:p_agent/rollback', 'operator'],
  ['POST', '/api/v1/rollouts/:p_agent/approve', 'operator'],
  ['POST', '/api/v1/rollouts/:p_agent/:p_action', 'by action'],
  ['POST', '/api/v1/rollback', 'operator'],
  ['GET', '/api/v1/circuit-breakers', 'viewer'],
  ['POST', '/api/v1/circuit-breakers/open-all', 'operator'],
  ['POST', '/api/v1/circuit-breakers/close-all', 'operator'],
  ['POST', '/api/v1/circuit-breakers/:p_action', 'operator'],
  ['GET', '/api/v1/models', 'viewer'],
  ['GET', '/api/v1/models/:p_agent/versions', 'viewer'],
  ['POST', '/api/v1/models/:p_agent/versions', 'admin'],
  ['PUT', '/api/v1/models/:p_agent/aliases/:p_alias', 'admin'],
  ['POST', '/api/v1/alerts/webhook', 'operator'],
  ['POST', '/api/v1/tokens', 'admin'],
  ['GET', '/api/v1/tokens', 'admin'],
  ['DELETE', '/api/v1/tokens/:p_id', 'admin'],
  ['POST', '/api/v1/keys/rotate', 'admin'],
  ['POST', '/api/v1/subjects/:p_id/erase', 'admin'],
  ['POST', '/api/v1/retention/apply', 'admin'],
  ['GET', '/api/v1/status', 'viewer'],
  ['POST', '/api/v1/replay', 'admin'],
  ['POST', '/api/v1/admin/tier', 'admin'],
  ['GET', '/api/v1/backup', 'admin'],
  ['GET', '/api/v1/export', 'admin'],
  ['GET', '/api/v1/models/:p_agent/versions/:p_version/lineage', 'viewer'],
];

describe('route → role table, every row', () => {
  const index = indexRouteRoles();

  it('has exactly these rows, no more', () => {
    expect(ROUTE_ROLES).toHaveLength(TABLE.length);
    expect(index.size).toBe(TABLE.length);
  });

  it.each(TABLE.filter(([, , a]) => a !== 'by action'))('%s %s → %s', (method, url, access) => {
    expect(hasRule(index, method, url)).toBe(true);
    expect(accessFor(index, method, url, {})).toBe(access);
  });

  it('HEAD follows GET for every readable row, and a lower-case method is the same method', () => {
    for (const [method, url, access] of TABLE) {
      if (method !== 'GET') continue;
      expect(hasRule(index, 'HEAD', url)).toBe(true);
      expect(accessFor(index, 'HEAD', url, {})).toBe(access);
      expect(accessFor(index, 'head', url, {})).toBe(access);
    }
    expect(accessFor(index, 'post', '/api/v1/rollouts/:a/advance', {})).toBe('admin');
    expect(accessFor(index, 'delete', '/api/v1/tokens/:x', {})).toBe('admin');
    expect(accessFor(index, 'post', '/api/v1/alerts/webhook', {})).toBe('operator');
  });

  it('a generic rollout action is admin only for advance, whatever the parameter is called', () => {
    const url = '/api/v1/rollouts/:x/:y';
    expect(hasRule(index, 'POST', url)).toBe(true);
    expect(accessFor(index, 'POST', url, { x: 'a', y: 'advance' })).toBe('admin');
    expect(accessFor(index, 'POST', url, { verb: 'advance' })).toBe('admin');
    for (const y of ['pause', 'resume', 'rollback', 'approve', 'Advance', 'advanced', ''])
      expect(accessFor(index, 'POST', url, { x: 'a', y })).toBe('operator');
    expect(accessFor(index, 'POST', url, {})).toBe('operator');
  });

  it('a row the table does not have fails closed, and hasRule says it has none', () => {
    expect(hasRule(index, 'GET', '/api/v1/nothing')).toBe(false);
    expect(hasRule(index, 'PATCH', '/api/v1/agents/:a')).toBe(false);
    expect(accessFor(index, 'PATCH', '/api/v1/agents/:a', {})).toBe('admin');
    expect(accessFor(index, 'HEAD', '/api/v1/nothing', {})).toBe('viewer');
    expect(accessFor(index, 'OPTIONS', '/health', {})).toBe('admin');
    expect(accessFor(index, 'HEAD', undefined, {})).toBe('viewer');
    expect(accessFor(index, 'POST', undefined, {})).toBe('viewer');
  });

  it('a custom table replaces the default one', () => {
    const custom = indexRouteRoles([{ method: 'get', url: '/x/:id/', access: 'admin' }]);
    expect(custom.size).toBe(1);
    expect(accessFor(custom, 'GET', '/x/:other', {})).toBe('admin');
    expect(hasRule(custom, 'HEAD', '/x/:y')).toBe(true);
    expect(accessFor(custom, 'GET', '/health', {})).toBe('viewer');
  });
});

describe('normalizePattern', () => {
  it.each([
    ['/a/:x/b/:y/', '/a/:/b/:'],
    ['/a/:x//', '/a/:'],
    ['/a/:long-name.ext/b', '/a/:/b'],
    ['/a/x:y', '/a/x:'],
    ['/', '/'],
    ['', '/'],
    ['///', '/'],
    ['/health', '/health'],
  ])('%s → %s', (url, pattern) => {
    expect(normalizePattern(url)).toBe(pattern);
  });
});
