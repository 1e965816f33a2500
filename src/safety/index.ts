/**
 * safety — falling back to the rules: breakers and the model guard, the worker pool with
 * memory/CPU limits, the event-loop throttle, the breaker board and alert remediation. Imports
 * core, log, decisions, security, observability.
 */
export { type ActionReport, AlertWebhook, alertWebhookRoutes, type RemediationActions } from './ops/alert-webhook.js';
export { BreakerBoard, type BreakerRow, type GuardSettings, type OverrideResult } from './ops/breaker-board.js';
export { breakerRoutes } from './ops/breaker-routes.js';
export { OutboundWebhooks, type OutboundWebhooksOptions, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookAttemptData, WEBHOOKS_STREAM, webhookSignature } from './ops/outbound-webhooks.js';
export { type LearningThrottle, type LearningThrottleOptions, startLearningThrottle } from './ops/learning-throttle.js';
export type { RemediationAction } from './ops/remediation.js';
export { createModelGuard, createWorkerPool, type ModelGuard, type ModelGuardOptions, type WorkerPool } from './resilience/index.js';
export { ServedQualityFeed } from './resilience/index.js';
