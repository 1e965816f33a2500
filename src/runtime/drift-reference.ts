import { buildReference } from '../observability/index.js';
import type { DriftReference } from '../observability/index.js';
import type { EventStore } from '../log/index.js';
import type { ModelRegistry } from '../learning/index.js';

/** The alias whose model the agent serves (or would serve first), in order. */
const SERVED_ALIASES = ['production', 'canary', 'shadow'] as const;

/**
 * Drift reference of an agent: the features of the decisions its served model version was
 * trained on, i.e. the agent's latest `limit` decisions up to that version's registration.
 * Undefined while the agent has no model (the drift service then uses its first window).
 */
export async function trainingReference(
  store: EventStore,
  registry: ModelRegistry,
  agent: string,
  limit = 2000,
): Promise<DriftReference | undefined> {
  const version = SERVED_ALIASES.map((alias) => registry.resolve({ agent, alias })).find((v) => v !== undefined);
  if (!version) return undefined;
  const rows = await store.query<{ features: Record<string, unknown> | null }>(
    `SELECT features FROM decisions WHERE agent = $1 AND decided_at <= $2::timestamptz AND features IS NOT NULL
     ORDER BY decided_at DESC LIMIT $3`,
    [agent, version.createdAt, limit],
  );
  const columns = new Map<string, (number | string | boolean | null)[]>();
  for (const { features } of rows) {
    for (const [name, v] of Object.entries(features ?? {})) {
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') continue;
      let col = columns.get(name);
      if (!col) columns.set(name, (col = []));
      col.push(v);
    }
  }
  const features: Record<string, ReturnType<typeof buildReference>> = {};
  for (const [name, values] of columns) if (values.length > 0) features[name] = buildReference(values);
  return Object.keys(features).length === 0 ? undefined : { features, modelVersion: version.version };
}
