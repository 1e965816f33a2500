import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import type { RouteModule } from '../../server/app.js';
import { agentParam } from '../../server/routes/core.js';
import type { AgentRegistry } from './agent-registry.js';

/** Who is calling, for audit metadata: the authenticated token name when auth set one, else `api`. */
export function actorOf(req: FastifyRequest): string {
  const auth = (req as unknown as { auth?: { name?: unknown } }).auth;
  return typeof auth?.name === 'string' ? auth.name : 'api';
}

/**
 * `PUT /api/v1/agents/{agent}` (body: the definition; `name` optional, must match the path),
 * `GET /api/v1/agents`, `GET /api/v1/agents/{agent}`.
 */
export function agentRoutes(agents: AgentRegistry): RouteModule {
  return (app: FastifyInstance) => {
    app.put('/api/v1/agents/:agent', async (req, reply) => {
      const name = agentParam(req.params);
      const body = req.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new ValidationError('invalid body', [{ path: '', message: 'expected a JSON object (the agent definition)' }]);
      const given = (body as { name?: unknown }).name;
      if (given !== undefined && given !== name)
        throw new ValidationError('agent name in the body differs from the path', [{ path: 'name', message: `must be "${name}" or absent` }]);
      const reason = req.headers['x-apprentice-reason'];
      const before = agents.get(name);
      const stored = agents.registerAgent({ ...body, name }, undefined, {
        actor: actorOf(req),
        ...(typeof reason === 'string' ? { reason } : {}),
      });
      return reply.status(before ? 200 : 201).send(stored);
    });
    app.get('/api/v1/agents', async () => ({ agents: agents.list() }));
    app.get('/api/v1/agents/:agent', async (req) => agents.require(agentParam(req.params)));
  };
}
