import type { DecisionView } from '../decisions/decision-view.js';
import type { Decision } from '../decisions/decision-engine.js';
import type { Apprentice } from '../runtime/create-apprentice.js';
import type { ComponentHealth } from '../runtime/health.js';

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
