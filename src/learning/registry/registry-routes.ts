import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/index.js';
import { requestActor } from '../../core/index.js';
import type { RouteModule } from '../../core/index.js';
import { agentParam } from '../../decisions/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { AliasBody, listModels, listModelVersions, putModelAlias, RegisterBody, registerModelVersion } from './registry-contracts.js';
import type { JsonArtifact, OnnxMeta } from './model-artifact.js';
import type { ModelRegistry } from './model-registry.js';
import { ALIAS_RE } from './model-uri.js';


/**
 * `GET /api/v1/models` (agents with models), `GET /api/v1/models/{agent}/versions` (versions,
 * aliases and their history), `PUT /api/v1/models/{agent}/aliases/{alias}` (body
 * `{version, reason}`; moving an alias back is a rollback), `POST /api/v1/models/{agent}/versions`
 * (register a learner/reward artifact or an ONNX file, base64; up to 64 MiB).
 */
export function registryRoutes(registry: ModelRegistry): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(listModels, async () => ({
      models: registry.agents().map((agent) => ({ agent, latest: registry.latest(agent)?.version ?? null, aliases: registry.aliases(agent) })),
    })));
    app.route(contractRoute(listModelVersions, async (req) => {
      const agent = agentParam(req.params);
      return { agent, versions: registry.versions(agent), aliases: registry.aliases(agent), history: registry.aliasHistory(agent) };
    }));
    app.route({
      ...contractRoute(registerModelVersion, async (req, reply) => {
        const agent = agentParam(req.params);
        const body = parseInput(RegisterBody, req.body);
        const options = { actor: requestActor(req), ...(body.metrics ? { metrics: body.metrics } : {}), lineage: { source: 'upload' } };
        const version =
          body.format === 'onnx'
            ? await registry.register(agent, { format: 'onnx', bytes: Buffer.from(body.model, 'base64'), meta: body.meta as unknown as OnnxMeta }, options)
            : await registry.register(agent, { format: body.format, artifact: body.artifact as unknown as JsonArtifact }, options);
        return reply.status(201).send(version);
      }),
      bodyLimit: 64 * 1024 * 1024,
    });
    app.route(contractRoute(putModelAlias, async (req) => {
      const agent = agentParam(req.params);
      const alias = (req.params as { alias?: string }).alias ?? '';
      if (!ALIAS_RE.test(alias)) throw new ValidationError('invalid alias', [{ path: 'alias', message: 'lowercase letters, digits, dashes; starts with a letter' }]);
      const body = parseInput(AliasBody, req.body);
      const move = registry.setAlias(agent, alias, body.version, { actor: requestActor(req), reason: body.reason });
      return { ...move, uri: `models:/${agent}@${alias}` };
    }));
  };
}
