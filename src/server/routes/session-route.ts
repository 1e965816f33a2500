import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authOf, contractRoute, defineRoute } from '../../core/index.js';

const Session = z.object({
  name: z.string().describe('the audit actor: the token name, `local` in open mode'),
  role: z.enum(['viewer', 'operator', 'admin']),
  open: z.boolean().describe('true when the service runs without tokens (embedded start on loopback)'),
});

export const getSession = defineRoute({
  method: 'GET',
  path: '/api/v1/session',
  role: 'viewer',
  summary: 'Who the caller is: token name and role (the panel hides the actions the role may not take)',
  description: 'The server enforces each route\'s role whatever a client shows.',
  tags: ['panel'],
  responses: { 200: { description: 'the caller', schema: Session, example: { name: 'alice', role: 'operator', open: false } } },
});

/** `GET /api/v1/session`. Without the security wing installed every caller is an open admin. */
export function registerSessionRoute(app: FastifyInstance): void {
  app.route(
    contractRoute(getSession, async (req) => {
      const auth = authOf(req);
      return auth ? { name: auth.name, role: auth.role, open: auth.tokenId === undefined } : { name: 'api', role: 'admin', open: true };
    }),
  );
}
