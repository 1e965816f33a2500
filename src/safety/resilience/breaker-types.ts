/** The kinds of breaker that stand in front of an agent's model (DESIGN.md §1 "breaker"). */
export const BreakerKind = {
  FAILURE: 'failure',
  SLOW: 'slow',
  ACCURACY: 'accuracy',
} as const;
export type BreakerKind = (typeof BreakerKind)[keyof typeof BreakerKind];

/** Names of the breaker states; `isolated` is the manual open-all override. */
export const BreakerStateName = {
  CLOSED: 'closed',
  OPEN: 'open',
  HALF_OPEN: 'half_open',
  ISOLATED: 'isolated',
} as const;
export type BreakerStateName = (typeof BreakerStateName)[keyof typeof BreakerStateName];

/** Why a guarded call did not serve the model's answer; the caller serves the rules instead. */
export const FallbackReason = {
  BREAKER_OPEN: 'BREAKER_OPEN',
  TIMEOUT: 'TIMEOUT',
  MODEL_ERROR: 'MODEL_ERROR',
} as const;
export type FallbackReason = (typeof FallbackReason)[keyof typeof FallbackReason];

/** One state change of one breaker, for events and metrics. `at` is epoch milliseconds. */
export interface BreakerStateChange {
  readonly agent: string;
  readonly kind: BreakerKind;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly reason: string;
  readonly at: number;
}

export type BreakerListener = (change: BreakerStateChange) => void;

/** Returned by every `onXxx` subscription: call it to unsubscribe. */
export type Disposer = () => void;
