import type { RouteModule } from '../core/index.js';
import type { DecisionView } from '../decisions/index.js';
import type { Decision } from '../decisions/index.js';
import type { Apprentice } from './create-apprentice.js';
import type { ComponentHealth } from './health.js';

/** What route modules get: the wired runtime plus seams other capabilities fill in. */
export interface ServerContext {
  readonly apprentice: Apprentice;
  /** The decision path behind `POST /agents/{agent}/decide`. */
  decide(agent: string, unitId: string, context: Record<string, unknown>, deterministic: unknown, subjectId?: string): Promise<Decision> | Decision;
  /** Extra components for `/health/aggregate` (learners, models...). */
  readonly healthChecks: (() => Promise<ComponentHealth[]>)[];
  /** Shape a stored decision for the API (e.g. decrypt the context for authorised callers). */
  presentDecision?: (view: DecisionView) => unknown;
}

/** What the wiring hands the HTTP server: route modules, context seams and logging. */
export interface ServerOptions {
  /** Extra route modules (flags, rollouts, agents...). */
  readonly routes?: readonly RouteModule<ServerContext>[];
  /** Replace parts of the default context (decision path, presenters). */
  readonly context?: Partial<Omit<ServerContext, 'apprentice'>>;
  /**
   * Which built-in routes to serve: `full` (default) or `health` (only `/health`,
   * `/health/aggregate` and `/metrics`: a `serve --role worker` process).
   */
  readonly surface?: 'full' | 'health';
  /** Serve HTTPS with this PEM certificate and key instead of HTTP. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Fastify logger. Default false. */
  readonly logger?: boolean | { level: string };
}
