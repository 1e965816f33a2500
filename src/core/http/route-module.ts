import type { FastifyInstance } from 'fastify';

/**
 * A wing's HTTP routes: a function that registers them on the Fastify app. `Ctx` is what the
 * server passes as the second argument (the runtime's `ServerContext`); wings that need nothing
 * from it leave it `unknown`, so their modules fit any server.
 */
export type RouteModule<Ctx = unknown> = (app: FastifyInstance, ctx: Ctx) => void | Promise<void>;
