import { z } from 'zod';
import { defineRoute } from '../../../core/index.js';
import { FlagDefinitionSchema } from '../flag-definition.js';

export const keyParams = z.object({ key: z.string() });
export const percentageBody = z.strictObject({
  percentage: z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be ≥ 0').max(100, 'must be ≤ 100'),
  reason: z.string().max(500).optional(),
});

const StoredFlag = z.object({
  key: z.string(),
  version: z.number().int(),
  definition: z.looseObject({ state: z.enum(['ENABLED', 'DISABLED']) }),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
const rolloutFlagDefinition = {
  state: 'ENABLED',
  variants: { deterministic: 'deterministic', ml: 'ml' },
  defaultVariant: 'deterministic',
  targeting: { fractional: [{ var: 'targetingKey' }, ['ml', 25], ['deterministic', 75]] },
};
const flagExample = { key: 'rollout-deployment-specialist', version: 4, definition: rolloutFlagDefinition, updatedAt: '2025-01-01T12:00:00.000Z', updatedBy: 'controller' };
const reasonHeader = 'The reason for the change comes from the `X-Apprentice-Reason` header; the change is a `FlagChanged` audit event with the caller.';

export const listFlags = defineRoute({
  method: 'GET',
  path: '/api/v1/flags',
  role: 'viewer',
  summary: 'Every flag (flagd format)',
  tags: ['flags'],
  responses: { 200: { description: 'the flags', schema: z.object({ flags: z.array(StoredFlag) }), example: { flags: [flagExample] } } },
});
export const getFlag = defineRoute({
  method: 'GET',
  path: '/api/v1/flags/:key',
  role: 'viewer',
  summary: 'One flag',
  tags: ['flags'],
  params: keyParams,
  problems: ['NOT_FOUND'],
  examples: { params: { key: 'rollout-deployment-specialist' } },
  responses: { 200: { description: 'the flag', schema: StoredFlag, example: flagExample } },
});
export const putFlag = defineRoute({
  method: 'PUT',
  path: '/api/v1/flags/:key',
  role: 'admin',
  summary: 'Create or replace a flag definition (flagd format)',
  description: reasonHeader,
  tags: ['flags'],
  params: keyParams,
  body: FlagDefinitionSchema,
  examples: { params: { key: 'new-ranker' }, body: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } },
  responses: {
    200: { description: 'replaced', schema: StoredFlag },
    201: { description: 'created', schema: StoredFlag },
  },
});
export const postFlagPercentage = defineRoute({
  method: 'POST',
  path: '/api/v1/flags/:key/percentage',
  role: 'operator',
  summary: 'Set a rollout flag\'s ML percentage (an absent `rollout-<agent>` flag is created)',
  description: reasonHeader,
  tags: ['flags'],
  params: keyParams,
  body: percentageBody,
  problems: ['NOT_FOUND'],
  examples: { params: { key: 'rollout-deployment-specialist' }, body: { percentage: 10, reason: 'manual canary' } },
  responses: { 200: { description: 'the flag after the change', schema: StoredFlag, example: flagExample } },
});
