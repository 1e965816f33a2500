import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type AuthFailure } from './auth/authenticate.js';
import type { TokenStore } from './auth/token-store.js';
import { parseBearer } from './auth/tokens.js';
import { ErrorCode } from '../core/index.js';
import type { RouteModule } from '../core/index.js';
import { problem, sendProblem } from '../core/index.js';
import type { RequestAuth } from './control-event.js';
import { accessFor, indexRouteRoles, ROUTE_ROLES, type RouteRule } from './route-roles.js';

export interface AuthOptions {
  readonly tokens: TokenStore;
  /** Run without tokens (every caller is the local admin `local`). Default false. */
  readonly open?: boolean;
  /** `/metrics` without a token. Default true (Prometheus scrapes it); false requires viewer. */
  readonly metricsOpen?: boolean;
  /** The route → role table. Default `ROUTE_ROLES`. */
  readonly rules?: readonly RouteRule[];
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Called for each refused request (for metrics): never given the token. */
  readonly onDenied?: (reason: AuthFailure, route: string) => void;
}

/** The auth switch: open (localhost demo) until enforced; enforcement never turns back off. */
export interface AuthControl {
  readonly routes: RouteModule;
  isOpen(): boolean;
  /** Require tokens from now on (called when the first token is created while open). */
  enforce(): void;
  /**
   * Accept `secret` as the bearer of the local admin `cli-local` (never stored in the token
   * table, so it does not end open mode). `serve` hands it to the CLI through a 0600 file in
   * its data directory, beside the master keys that whoever reads it holds anyway.
   */
  allowLocal(secret: string): void;
}

const DETAIL: Readonly<Record<AuthFailure, string>> = {
  MISSING: 'this endpoint needs an API token: send Authorization: Bearer <token>',
  MALFORMED: 'the bearer token is not an apprentice API token',
  UNKNOWN: 'the API token is not known',
  REVOKED: 'the API token was revoked',
  EXPIRED: 'the API token has expired',
  FORBIDDEN: 'the API token does not have the role this endpoint needs',
};

const LOCAL: RequestAuth = { tokenId: undefined, name: 'local', role: 'admin' };
const CLI_LOCAL: RequestAuth = { tokenId: undefined, name: 'cli-local', role: 'admin' };
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Bearer-token access control as a route module: an `onRequest` hook maps every route to
 * its role (`ROUTE_ROLES`) and answers 401/403 as problem+json (UNAUTHORIZED/FORBIDDEN)
 * before any handler runs, so a refused request changes nothing. Tokens are compared by
 * SHA-256 in constant time and never logged or echoed.
 * @example
 * const auth = createAuth({ tokens: createSqlTokenStore(store.client) });
 * const app = await buildServer(apprentice, { routes: [auth.routes, ...others] });
 */
export function createAuth(options: AuthOptions): AuthControl {
  let open = options.open ?? false;
  const metricsOpen = options.metricsOpen ?? true;
  const index = indexRouteRoles(options.rules ?? ROUTE_ROLES);
  const now = options.now ?? (() => new Date());
  let localDigest: Buffer | undefined;

  const check = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = req.routeOptions.url;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    let access = accessFor(index, req.method, route, params);
    if (route === '/metrics' && !metricsOpen) access = 'viewer';
    if (access === 'open') return undefined;
    if (open) {
      (req as unknown as { auth: RequestAuth }).auth = LOCAL;
      return undefined;
    }
    const header = req.headers.authorization;
    const bearer = parseBearer(typeof header === 'string' ? header : undefined);
    if (localDigest !== undefined && bearer !== undefined && timingSafeEqual(digest(bearer), localDigest)) {
      (req as unknown as { auth: RequestAuth }).auth = CLI_LOCAL;
      return undefined;
    }
    const r = await authenticate(options.tokens, bearer, access, now());
    if (!r.ok) {
      options.onDenied?.(r.reason, route ?? 'unmatched');
      if (r.reason === 'FORBIDDEN')
        return sendProblem(reply, problem(403, ErrorCode.FORBIDDEN, `${DETAIL.FORBIDDEN} (${access})`));
      void reply.header('www-authenticate', 'Bearer realm="apprentice"');
      return sendProblem(reply, problem(401, ErrorCode.UNAUTHORIZED, DETAIL[r.reason]));
    }
    (req as unknown as { auth: RequestAuth }).auth = {
      tokenId: r.token.id,
      name: r.token.name,
      role: r.token.role,
    };
    return undefined;
  };

  return {
    routes: (app: FastifyInstance) => {
      app.addHook('onRequest', check);
    },
    isOpen: () => open,
    enforce: () => void (open = false),
    allowLocal: (secret: string) => {
      if (secret.length < 32) throw new Error('a local secret has at least 32 characters');
      localDigest = digest(secret);
    },
  };
}
