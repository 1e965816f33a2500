import { LRUCache } from 'lru-cache';
import { assertNever } from '../../core/index.js';
import { EventType } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { Metrics } from '../../observability/index.js';
import type { RouteModule } from '../../core/index.js';
import { contractRoute, parseInput } from '../../core/index.js';
import { postAlertWebhook } from './ops-contracts.js';
import type { WebhookAlert, WebhookPayload } from './alert-payload.js';
import { webhookPayloadSchema } from './alert-payload.js';
import type { EventSink } from './breaker-board.js';
import { DEFAULT_REMEDIATION, planRemediation, type RemediationAction } from './remediation.js';

export type ActionResult = 'applied' | 'skipped';

/** What an action reports; `before`/`after` go into the audit event. */
export interface ActionReport {
  readonly result: ActionResult;
  readonly detail?: string;
  readonly before?: unknown;
  readonly after?: unknown;
}
export type ActionOutcome = ActionResult | ActionReport;

/** The remediations apprentice can run; injected so the rollout controller plugs in later. */
export interface RemediationActions {
  rollback(agent: string, reason: string): ActionOutcome | Promise<ActionOutcome>;
  pause(agent: string, reason: string): ActionOutcome | Promise<ActionOutcome>;
  openBreaker(agent: string, reason: string): ActionOutcome | Promise<ActionOutcome>;
}

export interface AlertWebhookOptions {
  /** Sink for `AlertRemediated` audit events. Required. */
  readonly sink: EventSink;
  /** The actions. Required (see `installOps` for the defaults). */
  readonly actions: RemediationActions;
  /** Alert metrics. Default: none. */
  readonly metrics?: Pick<Metrics, 'alertsReceivedTotal' | 'alertRemediationsTotal' | 'auditEventsTotal'>;
  /** Action per alertname when the alert has no `remediation` label. Default `DEFAULT_REMEDIATION`. */
  readonly table?: Readonly<Record<string, RemediationAction>>;
  /** Alert occurrences remembered for idempotency (fingerprint + startsAt). Default 10000. */
  readonly remember?: number;
  /** Audit actor. Default `alertmanager`. */
  readonly actor?: string;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
}

/** What happened to one alert of a notification. */
export interface AlertHandled {
  readonly alertname: string;
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly status: WebhookAlert['status'];
  readonly action: RemediationAction;
  readonly agent?: string;
  /** `none`: nothing to do; `duplicate`: this occurrence was already acted on. */
  readonly result: ActionResult | 'failed' | 'duplicate' | 'none';
  readonly detail?: string;
  readonly eventId?: string;
}

const report = (o: ActionOutcome): ActionReport => (typeof o === 'string' ? { result: o } : o);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Turns Alertmanager notifications into remediation: each firing alert maps (by its
 * `remediation` label, else its alertname) to rollback, pause or open-breaker for its `agent`;
 * each action is audited as `AlertRemediated`. An alert occurrence (fingerprint + startsAt)
 * is acted on once, however often Alertmanager repeats it; a failed action is retried on
 * the next notification. Occurrences are remembered in memory (bounded LRU): after a restart
 * a still-firing alert acts once more, which every action tolerates (they are idempotent).
 *
 * @example
 * const webhook = new AlertWebhook({ sink: a.writer, actions, metrics: a.metrics });
 * const handled = await webhook.handle(payload);
 */
export class AlertWebhook {
  private readonly seen: LRUCache<string, true>;
  private actions: RemediationActions;
  private readonly now: () => number;

  constructor(private readonly o: AlertWebhookOptions) {
    this.seen = new LRUCache({ max: o.remember ?? 10_000 });
    this.actions = o.actions;
    this.now = o.now ?? Date.now;
  }

  /** Replaces some actions (the rollout controller plugs in its rollback and pause). */
  setActions(actions: Partial<RemediationActions>): void {
    this.actions = { ...this.actions, ...actions };
  }

  /** Handles one validated notification, alert by alert, in order. */
  async handle(payload: WebhookPayload): Promise<AlertHandled[]> {
    const out: AlertHandled[] = [];
    for (const alert of payload.alerts) out.push(await this.handleAlert(alert));
    return out;
  }

  private async handleAlert(alert: WebhookAlert): Promise<AlertHandled> {
    const { alertname } = alert.labels;
    this.o.metrics?.alertsReceivedTotal.inc({ alertname, status: alert.status });
    const base = {
      alertname,
      fingerprint: alert.fingerprint,
      startsAt: alert.startsAt,
      status: alert.status,
    };
    const plan = planRemediation(alert, this.o.table ?? DEFAULT_REMEDIATION);
    if (plan.action === 'none') return { ...base, action: 'none', result: 'none', detail: plan.why };
    const key = `${alert.fingerprint}|${alert.startsAt}`;
    if (this.seen.has(key)) return { ...base, action: plan.action, agent: plan.agent, result: 'duplicate' };
    this.seen.set(key, true); // before awaiting: a concurrent repeat is a duplicate too
    const reason = `alert ${alertname}: ${alert.annotations.summary ?? 'firing'}`;
    let r: ActionReport | { result: 'failed'; detail: string };
    try {
      r = report(await this.run(plan.action, plan.agent, reason));
    } catch (e) {
      this.seen.delete(key);
      r = { result: 'failed', detail: messageOf(e) };
    }
    const at = this.now();
    const eventId = uuidv7(at);
    this.o.sink.record({
      id: eventId,
      type: EventType.AlertRemediated,
      stream: `alert-${alert.fingerprint}`,
      data: {
        alertname,
        agent: plan.agent,
        action: plan.action,
        result: r.result,
        fingerprint: alert.fingerprint,
        startsAt: alert.startsAt,
        labels: alert.labels,
        ...(r.detail === undefined ? {} : { detail: r.detail }),
        ...('before' in r && r.before !== undefined ? { before: r.before } : {}),
        ...('after' in r && r.after !== undefined ? { after: r.after } : {}),
      },
      metadata: { actor: this.o.actor ?? 'alertmanager', reason },
      time: new Date(at).toISOString(),
    });
    this.o.metrics?.alertRemediationsTotal.inc({ alertname, action: plan.action, result: r.result });
    this.o.metrics?.auditEventsTotal.inc({ action: EventType.AlertRemediated });
    return {
      ...base,
      action: plan.action,
      agent: plan.agent,
      result: r.result,
      eventId,
      ...(r.detail === undefined ? {} : { detail: r.detail }),
    };
  }

  private run(
    action: Exclude<RemediationAction, 'none'>,
    agent: string,
    reason: string,
  ): ActionOutcome | Promise<ActionOutcome> {
    switch (action) {
      case 'rollback':
        return this.actions.rollback(agent, reason);
      case 'pause':
        return this.actions.pause(agent, reason);
      case 'open_breaker':
        return this.actions.openBreaker(agent, reason);
      default:
        return assertNever(action, 'remediation action');
    }
  }
}

/**
 * `POST /api/v1/alerts/webhook`: Alertmanager's webhook (payload version 4). A bad payload
 * is a 400 problem naming the fields; the answer lists what was done per alert.
 */
export function alertWebhookRoutes(webhook: AlertWebhook): RouteModule {
  return (app) => {
    app.route(contractRoute(postAlertWebhook, async (req) => {
      const payload = parseInput(webhookPayloadSchema, req.body);
      return { received: payload.alerts.length, alerts: await webhook.handle(payload) };
    }));
  };
}
