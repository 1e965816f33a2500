import { ValidationError } from '../core/index.js';

/** Agent names: lowercase letters, digits and dashes, 1–63 characters (they appear in URLs, keys, labels). */
export const AGENT_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertAgentName(agent: string, path = 'agent'): void {
  if (typeof agent !== 'string' || !AGENT_NAME_RE.test(agent))
    throw new ValidationError(`invalid agent name "${String(agent).slice(0, 80)}"`, [
      { path, message: 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)' },
    ]);
}

export function assertUnitId(unitId: unknown, path = 'unitId'): asserts unitId is string {
  if (typeof unitId !== 'string' || unitId.length === 0 || unitId.length > 256)
    throw new ValidationError('invalid unitId', [{ path, message: 'must be a string of 1–256 characters' }]);
}

/** The `{agent}` path parameter of a route, checked like every agent name (400 with the path `agent`). */
export function agentParam(params: unknown): string {
  const agent = (params as { agent?: string }).agent ?? '';
  assertAgentName(agent);
  return agent;
}
