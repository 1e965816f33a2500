import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/index.js';
import type { RouteModule } from '../../core/index.js';
import { contractRoute } from '../../core/index.js';
import { getAgent, listAgents, putAgent } from './agent-contracts.js';
import { agentParam } from '../validate.js';
import { requestActor } from '../../core/index.js';
import type { AgentRegistry } from './agent-registry.js';

/**
 * `PUT /api/v1/agents/{agent}` (body: the definition; `name` optional, must match the path),
 * `GET /api/v1/agents`, `GET /api/v1/agents/{agent}`.
 */
export function agentRoutes(agents: AgentRegistry): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(putAgent, async (req, reply) => {
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
        actor: requestActor(req),
        ...(typeof reason === 'string' ? { reason } : {}),
      });
      return reply.status(before ? 200 : 201).send(stored);
    }));
    app.route(contractRoute(listAgents, async () => ({ agents: agents.list() })));
    app.route(contractRoute(getAgent, async (req) => agents.require(agentParam(req.params))));
  };
}
