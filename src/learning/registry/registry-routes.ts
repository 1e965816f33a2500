import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../core/index.js';
import { requestActor } from '../../core/index.js';
import type { RouteModule } from '../../core/index.js';
import { agentParam } from '../../decisions/index.js';
import { parseInput } from '../../core/index.js';
import type { ModelRegistry } from './model-registry.js';
import { ALIAS_RE } from './model-uri.js';

const AliasBody = z.object({ version: z.number().int().min(1), reason: z.string().min(1).max(1000) }).strict();

/**
 * `GET /api/v1/models` (agents with models), `GET /api/v1/models/{agent}/versions` (versions,
 * aliases and their history), `PUT /api/v1/models/{agent}/aliases/{alias}` (body
 * `{version, reason}`; moving an alias back is a rollback).
 */
export function registryRoutes(registry: ModelRegistry): RouteModule {
  return (app: FastifyInstance) => {
    app.get('/api/v1/models', async () => ({
      models: registry.agents().map((agent) => ({ agent, latest: registry.latest(agent)?.version ?? null, aliases: registry.aliases(agent) })),
    }));
    app.get('/api/v1/models/:agent/versions', async (req) => {
      const agent = agentParam(req.params);
      return { agent, versions: registry.versions(agent), aliases: registry.aliases(agent), history: registry.aliasHistory(agent) };
    });
    app.put('/api/v1/models/:agent/aliases/:alias', async (req) => {
      const agent = agentParam(req.params);
      const alias = (req.params as { alias?: string }).alias ?? '';
      if (!ALIAS_RE.test(alias)) throw new ValidationError('invalid alias', [{ path: 'alias', message: 'lowercase letters, digits, dashes; starts with a letter' }]);
      const body = parseInput(AliasBody, req.body);
      const move = registry.setAlias(agent, alias, body.version, { actor: requestActor(req), reason: body.reason });
      return { ...move, uri: `models:/${agent}@${alias}` };
    });
  };
}
