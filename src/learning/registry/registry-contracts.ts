import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';
import { ALIAS_RE } from './model-uri.js';

export const AliasBody = z.object({ version: z.number().int().min(1), reason: z.string().min(1).max(1000) }).strict();
const agent = z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)');
const AliasParams = z.object({ agent, alias: z.string().regex(ALIAS_RE, 'lowercase letters, digits, dashes; starts with a letter') });

const AliasMove = z.looseObject({ alias: z.string(), version: z.number().int(), actor: z.string(), reason: z.string() });

export const listModels = defineRoute({
  method: 'GET',
  path: '/api/v1/models',
  role: 'viewer',
  summary: 'Agents with models: latest version and aliases',
  tags: ['models'],
  responses: {
    200: {
      description: 'the models',
      schema: z.object({ models: z.array(z.object({ agent: z.string(), latest: z.number().int().nullable(), aliases: z.record(z.string(), z.number().int()) })) }),
      example: { models: [{ agent: 'deployment-specialist', latest: 7, aliases: { shadow: 7, canary: 6, production: 5 } }] },
    },
  },
});
export const listModelVersions = defineRoute({
  method: 'GET',
  path: '/api/v1/models/:agent/versions',
  role: 'viewer',
  summary: 'Versions of an agent\'s model, its aliases and their history',
  tags: ['models'],
  params: z.object({ agent }),
  examples: { params: { agent: 'deployment-specialist' } },
  responses: {
    200: {
      description: 'versions, aliases, alias history',
      schema: z.object({ agent: z.string(), versions: z.array(z.looseObject({ version: z.number().int() })), aliases: z.record(z.string(), z.number().int()), history: z.array(AliasMove) }),
    },
  },
});
export const putModelAlias = defineRoute({
  method: 'PUT',
  path: '/api/v1/models/:agent/aliases/:alias',
  role: 'admin',
  summary: 'Move an alias to a version (moving it back is a rollback); audited',
  tags: ['models'],
  params: AliasParams,
  body: AliasBody,
  problems: ['NOT_FOUND'],
  examples: { params: { agent: 'deployment-specialist', alias: 'production' }, body: { version: 5, reason: 'version 6 regressed on large deploys' } },
  responses: { 200: { description: 'the move', schema: AliasMove.extend({ uri: z.string() }) } },
});
