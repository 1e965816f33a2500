import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';
import { ALIAS_RE } from './model-uri.js';

export const AliasBody = z.object({ version: z.number().int().min(1), reason: z.string().min(1).max(1000) }).strict();
const agent = z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)');
const AliasParams = z.object({ agent, alias: z.string().regex(ALIAS_RE, 'lowercase letters, digits, dashes; starts with a letter') });

const AliasMove = z.looseObject({ agent: z.string(), alias: z.string(), from: z.number().int().nullable(), to: z.number().int(), rollback: z.boolean(), actor: z.string(), reason: z.string(), at: z.string() });

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

const Metrics = z.record(z.string(), z.number().nullable());
/** Body of `POST /api/v1/models/{agent}/versions`: a JSON artifact, or an ONNX file (base64) with how to feed it. */
export const RegisterBody = z.discriminatedUnion('format', [
  z.strictObject({ format: z.enum(['learner', 'reward']), artifact: z.looseObject({ format: z.string() }), metrics: Metrics.optional() }),
  z.strictObject({
    format: z.literal('onnx'),
    /** The .onnx file, base64. */
    model: z.base64().min(1),
    meta: z.strictObject({
      task: z.enum(['classification', 'regression']),
      featureSpec: z.array(z.looseObject({ name: z.string() })).min(1),
      encoder: z.looseObject({}).optional(),
      classes: z.array(z.union([z.string(), z.number()])).optional(),
      inputName: z.string().min(1).optional(),
      outputName: z.string().min(1).optional(),
    }),
    metrics: Metrics.optional(),
  }),
]);
export const registerModelVersion = defineRoute({
  method: 'POST',
  path: '/api/v1/models/:agent/versions',
  role: 'admin',
  summary: 'Register a new immutable model version (a learner/reward JSON artifact or an ONNX file); audited',
  description: 'The artifact is loaded before it is stored: a model that cannot serve is refused (`MODEL_INVALID`). ONNX needs the optional package onnxruntime-node. No alias moves: point one with `PUT /api/v1/models/{agent}/aliases/{alias}`.',
  tags: ['models'],
  params: z.object({ agent }),
  body: RegisterBody,
  problems: ['MODEL_INVALID'],
  examples: { params: { agent: 'deployment-specialist' }, body: { format: 'onnx', model: 'CAcSBHB5dG9yY2g=', meta: { task: 'classification', featureSpec: [{ name: 'linesChanged', type: 'numeric', standardize: false }], classes: ['standard', 'canary'] } } },
  responses: { 201: { description: 'the new version', schema: z.looseObject({ agent: z.string(), version: z.number().int(), format: z.string(), sha256: z.string() }) } },
});
