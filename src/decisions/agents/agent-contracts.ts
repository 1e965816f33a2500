import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { AGENT_NAME_RE } from '../validate.js';
import { AgentDefinitionSchema } from './agent-definition.js';

const AgentParams = z.object({ agent: z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)') });
const Stored = z.looseObject({ name: z.string(), kind: z.enum(['classification', 'regression']), version: z.number().int(), updatedAt: z.string() });
const definition = {
  name: 'deployment-specialist',
  kind: 'classification',
  labels: ['canary', 'blue-green', 'rolling'],
  feedback: 'reward',
  features: [
    { name: 'linesChanged', type: 'numeric' },
    { name: 'service', type: 'categorical' },
  ],
};

export const putAgent = defineRoute({
  method: 'PUT',
  path: '/api/v1/agents/:agent',
  role: 'admin',
  summary: 'Register or update an agent definition (versioned; audited)',
  description: '`name` is optional and must match the path. The reason for the change comes from the `X-Apprentice-Reason` header.',
  tags: ['agents'],
  params: AgentParams,
  body: AgentDefinitionSchema,
  bodyValidatedByHandler: true,
  examples: { params: { agent: 'deployment-specialist' }, body: definition },
  responses: {
    200: { description: 'updated', schema: Stored },
    201: { description: 'created', schema: Stored, example: { ...definition, version: 1, updatedAt: '2025-01-01T12:00:00.000Z' } },
  },
});
export const listAgents = defineRoute({
  method: 'GET',
  path: '/api/v1/agents',
  role: 'viewer',
  summary: 'Every agent definition',
  tags: ['agents'],
  responses: { 200: { description: 'the agents', schema: z.object({ agents: z.array(Stored) }) } },
});
export const getAgent = defineRoute({
  method: 'GET',
  path: '/api/v1/agents/:agent',
  role: 'viewer',
  summary: 'One agent definition',
  tags: ['agents'],
  params: AgentParams,
  problems: ['NOT_FOUND'],
  examples: { params: { agent: 'deployment-specialist' } },
  responses: { 200: { description: 'the agent', schema: Stored } },
});
