import type { FastifyInstance } from 'fastify';
import { issueToken } from './auth/authenticate.js';
import type { TokenRecord, TokenStore } from './auth/token-store.js';
import type { NewEvent } from '../core/index.js';
import { EventType } from '../core/index.js';
import { NotFoundError, ValidationError } from '../core/index.js';
import type { RouteModule } from '../core/index.js';
import { contractRoute, parseInput } from '../core/index.js';
import { CreateTokenBody, deleteToken, listTokens, postToken, RevokeQuery } from './security-contracts.js';
import { controlEvent, requestActor } from './control-event.js';

export { CreateTokenBody, TOKEN_NAME_RE } from './security-contracts.js';

/** A token as shown by the API and CLI: never the hash, never the token. */
export const publicToken = (t: TokenRecord): Record<string, unknown> => ({
  id: t.id,
  name: t.name,
  role: t.role,
  createdAt: t.createdAt,
  ...(t.expiresAt === undefined ? {} : { expiresAt: t.expiresAt }),
  ...(t.revokedAt === undefined ? {} : { revokedAt: t.revokedAt }),
});

export const tokenStream = (id: string): string => `token-${id}`;

export interface TokenRoutesOptions {
  readonly tokens: TokenStore;
  /** Where audit events go (`apprentice.writer.record`). */
  readonly record: (event: NewEvent) => void;
  /** Called after a token is created (the installer enforces auth from then on). */
  readonly onCreated?: (record: TokenRecord) => void;
}

/**
 * `POST /api/v1/tokens` (body `{name, role, expiresAt?, reason?}`; answers the token ONCE),
 * `GET /api/v1/tokens`, `DELETE /api/v1/tokens/{id}[?reason=]`. Each change is a
 * `TokenCreated`/`TokenRevoked` audit event (without the token or its hash).
 */
export function tokenRoutes(options: TokenRoutesOptions): RouteModule {
  const { tokens, record } = options;
  return (app: FastifyInstance) => {
    app.route(contractRoute(postToken, async (req, reply) => {
      const body = parseInput(CreateTokenBody, req.body);
      if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= Date.now())
        throw new ValidationError('invalid body', [{ path: 'expiresAt', message: 'must be in the future' }]);
      const { token, record: created } = await issueToken(tokens, {
        name: body.name,
        role: body.role,
        ...(body.expiresAt === undefined ? {} : { expiresAt: new Date(body.expiresAt).toISOString() }),
      });
      record(
        controlEvent(
          EventType.TokenCreated,
          tokenStream(created.id),
          { before: null, after: publicToken(created) },
          { actor: requestActor(req), reason: body.reason },
        ),
      );
      options.onCreated?.(created);
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...publicToken(created), token });
    }));
    app.route(contractRoute(listTokens, async () => ({ tokens: (await tokens.list()).map(publicToken) })));
    app.route(contractRoute(deleteToken, async (req) => {
      const id = (req.params as { id?: string }).id ?? '';
      const q = parseInput(RevokeQuery, req.query, 'query');
      const before = (await tokens.list()).find((t) => t.id === id);
      if (before === undefined) throw new NotFoundError(`token ${id.slice(0, 80)} not found`);
      const at = new Date().toISOString();
      if (before.revokedAt !== undefined || !(await tokens.revoke(id, at))) return publicToken(before);
      const after = { ...before, revokedAt: at };
      record(
        controlEvent(
          EventType.TokenRevoked,
          tokenStream(id),
          { before: publicToken(before), after: publicToken(after) },
          { actor: requestActor(req), reason: q.reason },
        ),
      );
      return publicToken(after);
    }));
  };
}
