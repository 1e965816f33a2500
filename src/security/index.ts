/**
 * security — access and privacy: bearer tokens with roles and the auth hook, route roles, PII
 * redaction and AES-256-GCM context encryption, per-subject keys and crypto-shredding, key
 * rotation, retention, k-anonymous export, and audited control events. Imports core, log and
 * decisions.
 */
export { createSecurityRuntime } from './security-runtime.js';
export type { SecurityRuntime, SecurityRuntimeOptions } from './security-runtime.js';
export {
  loadSecurityKeys,
  rotateMasterKey,
  deriveHmacKey,
  masterKeyFile,
  subjectKeyDir,
} from './security-keys.js';
export type { SecurityKeys, LoadKeysOptions, KeySource } from './security-keys.js';
export { createContextProtector, isStoredContext } from './context-protector.js';
export type {
  ContextPolicy,
  ContextProtector,
  ContextProtectorOptions,
  StoredContext,
} from './context-protector.js';
export { decisionPresenter } from './present-decision.js';
export { createAuth } from './auth-hook.js';
export type { AuthControl, AuthOptions } from './auth-hook.js';
export { ROUTE_ROLES, accessFor, indexRouteRoles, hasRule, normalizePattern } from './route-roles.js';
export type { Access, RouteRule, RouteRoleIndex } from './route-roles.js';
export { inputGuard, jsonDepth, MAX_BODY_DEPTH } from './input-guard.js';
export { tokenRoutes, publicToken, CreateTokenBody } from './token-routes.js';
export type { TokenRoutesOptions } from './token-routes.js';
export { securityRoutes } from './security-routes.js';
export type { SecurityRoutesOptions } from './security-routes.js';
export { eraseSubject, subjectStream } from './erasure.js';
export type { EraseOptions, SubjectErasedData } from './erasure.js';
export { applyRetention, DataClass } from './retention.js';
export type { RetentionOptions, RetentionResult } from './retention.js';
export { exportTraining, trainingRow } from './training-export.js';
export type { TrainingRow } from './training-export.js';
export { CONTROL_EVENT_TYPES, readEvents, auditLine, lineageOf } from './audit.js';
export type { LineageReport } from './audit.js';
export { controlEvent, requestActor, authOf } from './control-event.js';
export type { RequestAuth } from './control-event.js';
export { createSqlTokenStore, TOKENS_TABLE } from './auth/sql-token-store.js';
export { createCachedTokenStore, type CachedTokenStore } from './auth/cached-token-store.js';

// Used by other wings.
export { issueToken } from './auth/authenticate.js';
export { isRole } from './auth/roles.js';
export type { TokenStore } from './auth/token-store.js';
export { isEncryptedRecord } from './privacy/envelope.js';
export { TOKEN_NAME_RE, tokenStream } from './token-routes.js';
