import type { WebhookAlert } from './alert-payload.js';

/** What apprentice may do by itself about an alert. */
export const RemediationAction = {
  /** Roll the agent back to the rules (the rollout, or the serving model alias). */
  ROLLBACK: 'rollback',
  /** Hold the rollout where it is (no advance) until an operator resumes it. */
  PAUSE: 'pause',
  /** Open (isolate) the agent's breakers: the rules answer until they are closed. */
  OPEN_BREAKER: 'open_breaker',
  /** For people only. */
  NONE: 'none',
} as const;
export type RemediationAction = (typeof RemediationAction)[keyof typeof RemediationAction];

/** Spellings accepted in an alert's `remediation` label. */
const LABEL_VALUES: Readonly<Record<string, RemediationAction>> = {
  rollback: 'rollback',
  'roll-back': 'rollback',
  pause: 'pause',
  hold: 'pause',
  open_breaker: 'open_breaker',
  'open-breaker': 'open_breaker',
  breaker: 'open_breaker',
  none: 'none',
};

/**
 * The action for alerts of monitoring/prometheus/rules/apprentice.rules.yml that carry no
 * `remediation` label. An accuracy drop opens the breakers (the rules answer at once; the
 * rollout's own guardrails decide about a rollback); drift holds the rollout.
 */
export const DEFAULT_REMEDIATION: Readonly<Record<string, RemediationAction>> = {
  ApprenticeModelAccuracyDrop: 'open_breaker',
  ApprenticeModelBelowRules: 'rollback',
  ApprenticeFallbackRateHigh: 'rollback',
  ApprenticeModelNotLoaded: 'rollback',
  ApprenticeSampleRatioMismatch: 'pause',
  ApprenticeDatasetDrift: 'pause',
};

/** The remediation an alert asks for, or why there is none. */
export type RemediationPlan =
  | { readonly action: Exclude<RemediationAction, 'none'>; readonly agent: string }
  | { readonly action: 'none'; readonly why: string };

/**
 * Pure: the action for one alert. The `remediation` label wins over the alertname table;
 * only firing alerts with an `agent` label are acted on.
 *
 * @example
 * planRemediation({ status: 'firing', labels: { alertname: 'X', agent: 'debugger', remediation: 'rollback' }, ... });
 * // { action: 'rollback', agent: 'debugger' }
 */
export function planRemediation(
  alert: Pick<WebhookAlert, 'status' | 'labels'>,
  table: Readonly<Record<string, RemediationAction>> = DEFAULT_REMEDIATION,
): RemediationPlan {
  if (alert.status !== 'firing') return { action: 'none', why: 'alert resolved' };
  const label = alert.labels.remediation;
  let action: RemediationAction | undefined;
  if (label !== undefined) {
    action = LABEL_VALUES[label.trim().toLowerCase()];
    if (action === undefined) return { action: 'none', why: `unknown remediation label "${label}"` };
  } else action = table[alert.labels.alertname];
  if (action === undefined || action === 'none')
    return { action: 'none', why: 'no remediation for this alert' };
  const agent = alert.labels.agent;
  if (agent === undefined || agent === '') return { action: 'none', why: 'alert has no agent label' };
  return { action, agent };
}
