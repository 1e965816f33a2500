import type { FastifyRequest } from 'fastify';
import type { EventMetadata, NewEvent } from '../core/events.js';
import { uuidv7 } from '../core/ids.js';
import type { Role } from './auth/roles.js';

/** Who made a request, set by the auth hook (`req.auth`); read by `actorOf` in src/agents-registry too. */
export interface RequestAuth {
  readonly tokenId: string | undefined;
  /** The token name: the audit actor. `local` when the API runs open on localhost. */
  readonly name: string;
  readonly role: Role;
}

export const authOf = (req: FastifyRequest): RequestAuth | undefined =>
  (req as unknown as { auth?: RequestAuth }).auth;

/** The audit actor of a request: the token name, or `api` when nothing authenticated it. */
export const requestActor = (req: FastifyRequest): string => authOf(req)?.name ?? 'api';

/** A control action as an audit event: data holds before/after, metadata actor and reason. */
export function controlEvent<D>(
  type: string,
  stream: string,
  data: D,
  meta: { readonly actor: string; readonly reason?: string | undefined },
  now: Date = new Date(),
): NewEvent<string, D> {
  const metadata: EventMetadata = {
    actor: meta.actor,
    ...(meta.reason === undefined ? {} : { reason: meta.reason }),
  };
  return { id: uuidv7(now.getTime()), type, stream, data, metadata, time: now.toISOString() };
}
