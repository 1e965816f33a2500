import type { FastifyRequest } from 'fastify';

/** Who made a request, set by the security wing's auth hook as `req.auth`. */
export interface RequestAuth {
  readonly tokenId: string | undefined;
  /** The token name: the audit actor. `local` when the API runs open on localhost. */
  readonly name: string;
  /** The token's role (the security wing's `Role`). */
  readonly role: 'viewer' | 'operator' | 'admin';
}

export const authOf = (req: FastifyRequest): RequestAuth | undefined => (req as unknown as { auth?: RequestAuth }).auth;

/** The audit actor of a request: the token name, or `api` when nothing authenticated it. */
export const requestActor = (req: FastifyRequest): string => authOf(req)?.name ?? 'api';
