import { ValidationError } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';

/** Alias names: lowercase, e.g. the conventional `shadow`, `canary`, `production`. */
export const ALIAS_RE = /^[a-z][a-z0-9-]{0,31}$/;
export const Alias = { SHADOW: 'shadow', CANARY: 'canary', PRODUCTION: 'production' } as const;

/** A model reference: an alias or a fixed version of an agent's registered model. */
export type ModelRef = { readonly agent: string; readonly alias: string } | { readonly agent: string; readonly version: number };

/**
 * Parse `models:/<agent>@<alias>` or `models:/<agent>/<version>` (MLflow's URI forms).
 * @example parseModelUri('models:/debugger@production') // { agent: 'debugger', alias: 'production' }
 */
export function parseModelUri(uri: string): ModelRef {
  const m = /^models:\/([^@/]+)(?:@([^@/]+)|\/(\d{1,9}))$/.exec(uri);
  const bad = (message: string): never => {
    throw new ValidationError(`invalid model URI "${uri.slice(0, 100)}"`, [{ path: 'uri', message }]);
  };
  if (!m) return bad('expected models:/<agent>@<alias> or models:/<agent>/<version>');
  const agent = m[1]!;
  if (!AGENT_NAME_RE.test(agent)) bad('invalid agent name');
  if (m[2] !== undefined) {
    if (!ALIAS_RE.test(m[2])) bad('invalid alias');
    return { agent, alias: m[2] };
  }
  const version = Number(m[3]);
  if (version < 1) bad('versions start at 1');
  return { agent, version };
}

export const formatModelUri = (ref: ModelRef): string =>
  'alias' in ref ? `models:/${ref.agent}@${ref.alias}` : `models:/${ref.agent}/${ref.version}`;
