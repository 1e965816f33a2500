import type { FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import type { z } from 'zod';
import { parseInput } from './validate.js';

/** Who may call a route: `open` (no token) or the minimum role (the security wing's `Role`). */
export type RouteAccess = 'open' | 'viewer' | 'operator' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** One documented answer of a route. */
export interface ResponseContract {
  readonly description: string;
  /** The body's schema (zod). Absent: no body is described. */
  readonly schema?: z.ZodType;
  /** Media type. Default `application/json`. */
  readonly contentType?: string;
  /** A body that `schema` accepts (checked by the OpenAPI test). */
  readonly example?: unknown;
}

/**
 * The contract of one HTTP route: what the server validates a request with (`params`, `query`,
 * `body`: zod schemas) and what `/openapi.json` publishes (the same schemas, converted with
 * `z.toJSONSchema`). Declared next to the handler by the route module; there is no other copy.
 */
export interface RouteContract {
  readonly method: HttpMethod;
  /** The Fastify pattern, e.g. `/api/v1/rollouts/:agent`. */
  readonly path: string;
  /** The role the route needs; must agree with the security wing's route → role table (tested). */
  readonly role: RouteAccess;
  /** When one route serves several actions: the role by value of a path parameter. */
  readonly roleByParam?: { readonly param: string; readonly roles: Readonly<Record<string, RouteAccess>> };
  readonly summary: string;
  readonly description?: string;
  /** Groups in the docs (`rollouts`, `flags`...). */
  readonly tags: readonly string[];
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /**
   * Set when the handler validates the body itself with `body` because the check needs the path
   * too (e.g. an agent definition whose name comes from the URL): the hook then leaves it alone.
   */
  readonly bodyValidatedByHandler?: true;
  /** Success answers by status. Problems are listed in `problems`, not here. */
  readonly responses: Readonly<Record<number, ResponseContract>>;
  /**
   * Problem codes this route answers beyond the ones every route may give (validation of its
   * inputs, 401/403 for a protected route, 413/415 for a body, 500): e.g. `NOT_FOUND`, `CONFLICT`.
   */
  readonly problems?: readonly string[];
  /** Example inputs; each must pass its schema (tested). A route with a body needs a body example. */
  readonly examples?: {
    readonly params?: Readonly<Record<string, string>>;
    readonly query?: Readonly<Record<string, unknown>>;
    readonly body?: unknown;
  };
}

/** Identity with type checking: `export const listFlags = defineRoute({...})`. */
export const defineRoute = <C extends RouteContract>(c: C): C => c;

/** The contract a route was registered with (kept in the Fastify route `config`). */
export const contractOfRoute = (options: { readonly config?: unknown }): RouteContract | undefined =>
  (options.config as { contract?: RouteContract } | undefined)?.contract;

/**
 * Fastify route options for a contract: method and URL from the contract, the contract in the
 * route `config` (where `/openapi.json` finds it), and a `preValidation` hook that parses
 * params, query and body with the contract's schemas (400 `VALIDATION_FAILED` naming every
 * field) and hands the parsed values (defaults applied) to the handler.
 * @example
 * app.route(contractRoute(listRollouts, async () => ({ rollouts: [] })));
 */
export function contractRoute(contract: RouteContract, handler: RouteHandlerMethod): RouteOptions {
  const { params, query, body } = contract;
  return {
    method: contract.method,
    url: contract.path,
    config: { contract },
    ...(params || query || body
      ? {
          preValidation: async (req: FastifyRequest, _reply: FastifyReply) => {
            const r = req as unknown as { params: unknown; query: unknown; body: unknown };
            if (params) r.params = parseInput(params, req.params, 'path');
            if (query) r.query = parseInput(query, req.query, 'query');
            if (body && contract.bodyValidatedByHandler !== true) r.body = parseInput(body, req.body ?? undefined, 'body');
          },
        }
      : {}),
    handler,
  };
}
