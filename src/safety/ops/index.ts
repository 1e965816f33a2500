/**
 * Operations: the breaker control plane, the Alertmanager remediation webhook, the learning
 * throttle, and `installOps` that wires them into a running apprentice.
 */
export {
  BreakerBoard,
  createBreakerBoard,
  BREAKERS_STREAM,
  breakerStream,
  type BreakerBoardOptions,
  type BreakerRow,
  type EventSink,
  type GuardSettings,
  type OverrideAction,
  type OverrideResult,
} from './breaker-board.js';
export { breakerRoutes } from './breaker-routes.js';
export { OutboundWebhooks, type OutboundWebhooksOptions, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookAttemptData, WEBHOOKS_STREAM, webhookSignature } from './outbound-webhooks.js';
export {
  alertSchema,
  webhookPayloadSchema,
  type WebhookAlert,
  type WebhookPayload,
} from './alert-payload.js';
export {
  RemediationAction,
  DEFAULT_REMEDIATION,
  planRemediation,
  type RemediationPlan,
} from './remediation.js';
export {
  AlertWebhook,
  alertWebhookRoutes,
  type ActionOutcome,
  type ActionReport,
  type ActionResult,
  type AlertHandled,
  type AlertWebhookOptions,
  type RemediationActions,
} from './alert-webhook.js';
export {
  startLearningThrottle,
  type HoldReason,
  type LearningThrottle,
  type LearningThrottleOptions,
} from './learning-throttle.js';
export { writeAlertFiles, monitoringDir, type AlertFilesWritten } from '../../observability/index.js';
