/**
 * The immutable event envelope and the catalogue of event types.
 * Streams name what an event is about: `decision-<id>`, `agent-<name>`, `flag-<key>`, ...
 */

export interface EventMetadata {
  /** Who caused it: a token name, `system`, `controller`, `alertmanager`. */
  readonly actor?: string;
  readonly causationId?: string;
  readonly correlationId?: string;
  /** Why, for control actions. */
  readonly reason?: string;
  /** Version of the `data` schema for this event type. Default 1. */
  readonly schemaVersion?: number;
  readonly [key: string]: unknown;
}

/** An event before it is stored. `id` is a UUIDv7; re-appending the same id is a no-op. */
export interface NewEvent<T extends string = string, D = unknown> {
  readonly id: string;
  readonly type: T;
  readonly stream: string;
  readonly data: D;
  readonly metadata: EventMetadata;
  /** ISO-8601 time the event happened. */
  readonly time: string;
}

/** An event as read back from the store, with its place in the global order. */
export interface StoredEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  /** Global position (BIGSERIAL). Not gap-safe alone: use `cursor` to checkpoint. */
  readonly position: bigint;
  /** Committing transaction id: readers checkpoint on (transactionId, position). */
  readonly transactionId: bigint;
}

/** Catalogue of event types (add new ones here). */
export const EventType = {
  DecisionMade: 'DecisionMade',
  OutcomeRecorded: 'OutcomeRecorded',
  ShadowPredicted: 'ShadowPredicted',
  AgentDefined: 'AgentDefined',
  ModelVersionRegistered: 'ModelVersionRegistered',
  ModelAliasMoved: 'ModelAliasMoved',
  FlagChanged: 'FlagChanged',
  RolloutStepChanged: 'RolloutStepChanged',
  /** This instance took or lost the fleet's rollout-controller lease (leader election). */
  ControllerLeadershipChanged: 'ControllerLeadershipChanged',
  EmergencyRollback: 'EmergencyRollback',
  /** The off-policy evaluation gate judged a candidate at shadow → canary (issue 12). */
  OpeGateEvaluated: 'OpeGateEvaluated',
  /** A rollout step's judgement waits for late outcomes, or may go ahead now they are in (label delay, issue 12). */
  OutcomeDelayChecked: 'OutcomeDelayChecked',
  /** The rollout controller saw the effect of a step move: its confidence sequence restarts there. */
  RolloutChangeDetected: 'RolloutChangeDetected',
  /** An operator approved a rollout's manual gate (the next step needs it). */
  RolloutGateApproved: 'RolloutGateApproved',
  /** An outbound webhook delivery attempt was answered 2xx. */
  WebhookDelivered: 'WebhookDelivered',
  /** An outbound webhook delivery attempt failed (status or network error). */
  WebhookFailed: 'WebhookFailed',
  BreakerStateChanged: 'BreakerStateChanged',
  BreakerOverridden: 'BreakerOverridden',
  AlertRemediated: 'AlertRemediated',
  DriftDetected: 'DriftDetected',
  TokenCreated: 'TokenCreated',
  TokenRevoked: 'TokenRevoked',
  KeyRotated: 'KeyRotated',
  SubjectErased: 'SubjectErased',
  RetentionApplied: 'RetentionApplied',
  /** A partition of the event log moved to cold storage (`apprentice tier`): its manifest, before and after. */
  EventPartitionTiered: 'EventPartitionTiered',
  /** A feature view was defined or changed (issue 13): the definition before and after. */
  FeatureViewDefined: 'FeatureViewDefined',
  /** The online feature store was found empty (Redis lost it) and is being rebuilt from the log. */
  FeatureStoreLost: 'FeatureStoreLost',
  /** A feature view's online state was rebuilt (backfilled) from the log up to a cursor. */
  FeatureViewBackfilled: 'FeatureViewBackfilled',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export type DecisionSource = 'deterministic' | 'ml';
export type Variant = 'deterministic' | 'ml';

/** Payload of `DecisionMade` (DESIGN.md §1). */
export interface DecisionData {
  readonly decisionId: string;
  readonly agent: string;
  readonly unitId: string;
  readonly value: unknown;
  readonly source: DecisionSource;
  readonly reason: string;
  readonly modelVersion?: number | undefined;
  readonly variant: Variant;
  /** Probability that this unit was served this arm (for off-policy evaluation). */
  readonly propensity: number;
  /**
   * Probability of the served value under the policy that served it (the arm's policy, with its
   * exploration): π(value | context). Absent when that policy is deterministic (1): rules, or a
   * model's argmax, without exploration. See docs/bandits.md.
   */
  readonly actionPropensity?: number | undefined;
  readonly latencyMs: number;
  /** The deterministic answer, always logged so rules and model can be compared. */
  readonly deterministic?: unknown;
  /** Extracted features (numbers/categories), for training and off-policy evaluation. */
  readonly features?: Readonly<Record<string, unknown>> | undefined;
  /** Context as stored: redacted or encrypted (see src/privacy). */
  readonly context?: unknown;
  /** Subject whose data key encrypts the context (crypto-shredding). */
  readonly subjectId?: string | undefined;
  /** sha256 of agent + canonical context, for `CachedDecisionReader.getDecision(context)`. */
  readonly contextHash?: string | undefined;
  /**
   * Feature views read for this decision (issue 13): per view, the entity, how fresh the values
   * were, and the view's version (absent in decisions logged before versions were).
   */
  readonly featureViews?: Readonly<Record<string, { readonly entity: string; readonly status: 'fresh' | 'stale' | 'missing'; readonly version?: number }>> | undefined;
}

export type OutcomeKind = 'implicit' | 'explicit' | 'correction';

/** Payload of `OutcomeRecorded`. Exactly one of label/value/reward is set. */
export interface OutcomeData {
  readonly decisionId: string;
  readonly agent?: string | undefined;
  readonly label?: string | undefined;
  readonly value?: number | undefined;
  readonly reward?: number | undefined;
  readonly kind: OutcomeKind;
  readonly rating?: number | undefined;
}

export const decisionStream = (decisionId: string): string => `decision-${decisionId}`;
export const agentStream = (agent: string): string => `agent-${agent}`;
