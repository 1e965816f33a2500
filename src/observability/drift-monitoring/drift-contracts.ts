import { z } from 'zod';
import { defineRoute } from '../../core/index.js';
import { AGENT_NAME_RE } from '../../decisions/index.js';

export const DriftQuery = z.object({ agent: z.string().regex(AGENT_NAME_RE, 'invalid agent name').optional() }).strict();

export const getDrift = defineRoute({
  method: 'GET',
  path: '/api/v1/drift',
  role: 'viewer',
  summary: 'Feature drift of the last closed window and feature quality of the current one, per agent',
  description: 'With `agent`, that agent\'s status (404 when it has made no decision since the service started).',
  tags: ['drift'],
  query: DriftQuery,
  problems: ['NOT_FOUND'],
  examples: { query: { agent: 'deployment-specialist' } },
  responses: { 200: { description: '`{agents: [...]}`, or one agent\'s status', schema: z.looseObject({}) } },
});
