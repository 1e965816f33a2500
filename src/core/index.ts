/**
 * core — the vocabulary every wing shares, importing nothing of ours: configuration (one typed,
 * validated config), the error taxonomy (`ApprenticeError` with stable codes), event types and
 * ids (UUIDv7), and the HTTP kernel every wing's routes use (`RouteModule`, problem+json,
 * `parseInput`, the request's audit actor).
 */
export { assertNever } from './assert-never.js';
export { type ApprenticeConfig, type ConfigInput, loadConfig } from './config.js';
export { RolloutPolicyInputSchema, type RolloutPolicyInput, WEBHOOK_EVENTS, type WebhookEventName, type WebhookTarget, WebhookTargetSchema, issuePath } from './rollout-config.js';
export { ApprenticeError, ClosedError, ConfigError, ConflictError, ErrorCode, type FieldIssue, IntegrityError, isApprenticeError, isUnavailableError, NotFoundError, UnavailableError, ValidationError } from './errors.js';
export { agentStream, type DecisionData, decisionStream, type EventMetadata, EventType, type NewEvent, type OutcomeData, type StoredEvent, type Variant } from './events.js';
export { EDGE_PROBLEM_CODES, type Problem, problem, problemStatus, sendProblem, toProblem } from './http/problem.js';
export { contractOfRoute, contractRoute, defineRoute, type HttpMethod, type ResponseContract, type RouteAccess, type RouteContract } from './http/route-contract.js';
export { authOf, requestActor, type RequestAuth } from './http/request-auth.js';
export type { RouteModule } from './http/route-module.js';
export { parseInput } from './http/validate.js';
export { UUID_RE, uuidv7, uuidv7Time } from './ids.js';
export { packageRoot } from './package-root.js';
export { reconnectDelay } from './backoff.js';
export { docsBaseUrl, repositoryUrl, runbookBaseUrl } from './docs-url.js';
