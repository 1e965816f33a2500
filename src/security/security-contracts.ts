import { z } from 'zod';
import { defineRoute } from '../core/index.js';
import { Role } from './auth/roles.js';
import { DataClass } from './retention.js';

export const SUBJECT_ID_MAX = 256;
export const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const ReasonBody = z.object({ reason: z.string().min(1).max(1000).optional() }).strict();
const OptionalReasonBody = ReasonBody.optional();
export const RetentionBody = z
  .object({
    dataClass: z.enum([DataClass.decisions]).default(DataClass.decisions),
    olderThanDays: z.number().int().min(1).max(36_500),
    reason: z.string().min(1).max(1000).optional(),
  })
  .strict();
export const CreateTokenBody = z
  .object({
    name: z.string().regex(TOKEN_NAME_RE, 'letters, digits, . _ -; at most 64 characters'),
    role: z.enum([Role.viewer, Role.operator, Role.admin]),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    reason: z.string().min(1).max(1000).optional(),
  })
  .strict();
export const RevokeQuery = z.object({ reason: z.string().min(1).max(1000).optional() }).strict();
const SubjectParams = z.object({ id: z.string().min(1, `1 to ${SUBJECT_ID_MAX} characters`).max(SUBJECT_ID_MAX, `1 to ${SUBJECT_ID_MAX} characters`) });

const PublicToken = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'operator', 'admin']),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
const tokenExample = { id: 'tok_01J9ZK', name: 'ci-deployer', role: 'operator', createdAt: '2025-01-01T12:00:00.000Z' };

export const postErase = defineRoute({
  method: 'POST',
  path: '/api/v1/subjects/:id/erase',
  role: 'admin',
  summary: 'Destroy a subject\'s data key (crypto-shredding): their contexts become unreadable everywhere; audited',
  tags: ['security'],
  params: SubjectParams,
  body: OptionalReasonBody,
  examples: { params: { id: 'user-1234' }, body: { reason: 'GDPR request 2025-17' } },
  responses: { 200: { description: 'what was erased', schema: z.looseObject({}) } },
});
export const postRotateKey = defineRoute({
  method: 'POST',
  path: '/api/v1/keys/rotate',
  role: 'admin',
  summary: 'Rotate the master key (old records stay readable); audited',
  tags: ['security'],
  body: OptionalReasonBody,
  problems: ['CRYPTO_FAILED'],
  examples: { body: { reason: 'quarterly rotation' } },
  responses: {
    200: { description: 'the new active key', schema: z.object({ activeKeyId: z.string(), previousKeyId: z.string() }), example: { activeKeyId: 'k2', previousKeyId: 'k1' } },
  },
});
export const postRetention = defineRoute({
  method: 'POST',
  path: '/api/v1/retention/apply',
  role: 'admin',
  summary: 'Archive decisions older than N days and purge them from the projections; audited',
  tags: ['security'],
  body: RetentionBody,
  problems: ['CONFIG_INVALID'],
  examples: { body: { olderThanDays: 365, reason: 'retention policy' } },
  responses: { 200: { description: 'what was archived', schema: z.looseObject({}) } },
});
export const postToken = defineRoute({
  method: 'POST',
  path: '/api/v1/tokens',
  role: 'admin',
  summary: 'Create an API token (answered once, stored hashed); audited',
  tags: ['tokens'],
  body: CreateTokenBody,
  examples: { body: { name: 'ci-deployer', role: 'operator', reason: 'deploy pipeline' } },
  responses: { 201: { description: 'the token, shown once', schema: PublicToken.extend({ token: z.string() }) } },
});
export const listTokens = defineRoute({
  method: 'GET',
  path: '/api/v1/tokens',
  role: 'admin',
  summary: 'API tokens (never the token or its hash)',
  tags: ['tokens'],
  responses: { 200: { description: 'the tokens', schema: z.object({ tokens: z.array(PublicToken) }), example: { tokens: [tokenExample] } } },
});
export const deleteToken = defineRoute({
  method: 'DELETE',
  path: '/api/v1/tokens/:id',
  role: 'admin',
  summary: 'Revoke an API token; audited',
  tags: ['tokens'],
  query: RevokeQuery,
  problems: ['NOT_FOUND'],
  examples: { params: { id: 'tok_01J9ZK' }, query: { reason: 'laptop lost' } },
  responses: { 200: { description: 'the revoked token', schema: PublicToken, example: { ...tokenExample, revokedAt: '2025-01-02T08:00:00.000Z' } } },
});
