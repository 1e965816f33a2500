import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestActor } from '../../../core/index.js';
import type { RouteModule } from '../../../core/index.js';
import { contractRoute, parseInput } from '../../../core/index.js';
import { getFlag, keyParams, listFlags, percentageBody, postFlagPercentage, putFlag } from './flag-contracts.js';
import { rolloutFlag } from '../rollout-flag.js';
import type { ChangeMeta, StoredFlag } from './flag-changed.js';
import { assertFlagKey, type FlagStore } from './flag-store.js';


/** Audit metadata of a request: the caller, and the reason from `X-Apprentice-Reason` or the body. */
export function changeMeta(req: FastifyRequest, reason?: string): ChangeMeta {
  const header = req.headers['x-apprentice-reason'];
  const why = reason ?? (typeof header === 'string' ? header : undefined);
  return { actor: requestActor(req), ...(why ? { reason: why } : {}) };
}

const present = (f: StoredFlag): Record<string, unknown> => ({
  key: f.key,
  version: f.version,
  definition: f.definition,
  updatedAt: f.updatedAt,
  updatedBy: f.updatedBy ?? null,
});

function keyOf(params: unknown): string {
  const { key } = parseInput(keyParams, params, 'path');
  assertFlagKey(key);
  return key;
}

/**
 * `GET /api/v1/flags`, `GET /api/v1/flags/{key}`, `PUT /api/v1/flags/{key}` (body: a flagd flag
 * definition; 400 names each bad field, e.g. `defaultVariant`), and
 * `POST /api/v1/flags/{key}/percentage` `{"percentage": N}` for rollout flags (an absent
 * `rollout-<agent>` flag is created). The reason for a change comes from the
 * `X-Apprentice-Reason` header (or `reason` in the percentage body).
 */
export function flagRoutes(flags: FlagStore): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(listFlags, async () => ({ flags: flags.list().map(present) })));
    app.route(contractRoute(getFlag, async (req) => present(flags.require(keyOf(req.params)))));
    app.route(contractRoute(putFlag, async (req, reply) => {
      const key = keyOf(req.params);
      const existed = flags.get(key) !== undefined;
      const stored = await flags.put(key, req.body, changeMeta(req));
      return reply.status(existed ? 200 : 201).send(present(stored));
    }));
    app.route(contractRoute(postFlagPercentage, async (req) => {
      const key = keyOf(req.params);
      const body = parseInput(percentageBody, req.body);
      const meta = changeMeta(req, body.reason);
      const agent = /^rollout-(.+)$/.exec(key)?.[1];
      if (!flags.get(key) && agent !== undefined) return present(await flags.put(key, rolloutFlag(agent, body.percentage), meta));
      return present(await flags.setPercentage(key, body.percentage, meta));
    }));
  };
}
