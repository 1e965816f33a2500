import type { Apprentice } from './create-apprentice.js';
import type { RouteModule } from '../core/index.js';
import type { ServerContext } from './server-context.js';
import type { ServerOptions } from './server-context.js';
import type { ModelGuard } from '../safety/index.js';
import {
  AlertWebhook,
  alertWebhookRoutes,
  type ActionReport,
  type RemediationActions,
} from '../safety/index.js';
import { BreakerBoard, type GuardSettings } from '../safety/index.js';
import { breakerRoutes } from '../safety/index.js';
import {
  startLearningThrottle,
  type LearningThrottle,
  type LearningThrottleOptions,
} from '../safety/index.js';
import type { RemediationAction } from '../safety/index.js';

export interface InstallOpsOptions {
  /** Breaker settings for every agent's guard. Default: the `ModelGuard` defaults. */
  readonly guard?: GuardSettings;
  /** Per-agent breaker settings over `guard` (e.g. the agent's time budget). Default: none. */
  readonly guardFor?: (agent: string) => GuardSettings | undefined;
  /**
   * Remediation actions. Default: `openBreaker` isolates the agent's breakers on this board;
   * `rollback` and `pause` do nothing and report `skipped` until the rollout controller is
   * plugged in (here or later with `setActions`).
   */
  readonly actions?: Partial<RemediationActions>;
  /** Action per alertname for alerts without a `remediation` label. Default `DEFAULT_REMEDIATION`. */
  readonly remediationTable?: Readonly<Record<string, RemediationAction>>;
  /** Event-loop throttle and impact probes; `false` turns both off. Default on with their defaults. */
  readonly throttle?: Omit<LearningThrottleOptions, 'metrics'> | false;
}

export interface InstalledOps {
  /** For `buildServer` / a `ServeExtension`: the ops route module. */
  readonly server: ServerOptions & { readonly routes: readonly RouteModule<ServerContext>[] };
  readonly board: BreakerBoard;
  /** The breaker guard of one agent (made on first use): the decision engine serves models through it. */
  getGuard(agent: string): ModelGuard;
  readonly webhook: AlertWebhook;
  /** Plugs in (some of) the remediation actions, e.g. the rollout controller's rollback and pause. */
  setActions(actions: Partial<RemediationActions>): void;
  readonly throttle: LearningThrottle | undefined;
  /** True while learning and shadow work must pause or be shed; always false with the throttle off. */
  isThrottled(): boolean;
  /** Stops the throttle and the metric feeds. Idempotent. */
  stop(): Promise<void>;
}

const notWired = (what: string): ActionReport => ({
  result: 'skipped',
  detail: `no ${what} handler installed (rollout controller not plugged in)`,
});

/**
 * Operations for a running apprentice: the breaker control plane
 * (`GET /api/v1/circuit-breakers`, `POST .../open-all|close-all`), the Alertmanager webhook
 * (`POST /api/v1/alerts/webhook` → rollback / pause / open breaker, audited and idempotent),
 * the learning throttle (event-loop pressure, impact probes, their metrics).
 *
 * @example
 * const ops = await installOps(apprentice, {});
 * const app = await buildServer(apprentice, { routes: [...ops.server.routes] });
 * const guard = ops.getGuard('debugger');
 * ops.setActions({ rollback: (agent, reason) => controller.rollback(agent, { actor: 'alertmanager', reason }) });
 * await ops.stop();
 */
export async function installOps(a: Apprentice, options: InstallOpsOptions = {}): Promise<InstalledOps> {
  const board = new BreakerBoard({
    sink: a.writer,
    metrics: a.metrics,
    ...(options.guard ? { guard: options.guard } : {}),
    ...(options.guardFor ? { guardFor: options.guardFor } : {}),
  });
  const defaults: RemediationActions = {
    rollback: () => notWired('rollback'),
    pause: () => notWired('pause'),
    openBreaker(agent, reason) {
      const r = board.open(agent, 'alertmanager', reason);
      const already = r.before.length > 0 && r.before.every((b) => b.state === 'isolated');
      return {
        result: already ? 'skipped' : 'applied',
        before: r.before,
        after: r.after,
        ...(already ? { detail: 'breakers already open' } : {}),
      };
    },
  };
  const webhook = new AlertWebhook({
    sink: a.writer,
    metrics: a.metrics,
    actions: { ...defaults, ...options.actions },
    ...(options.remediationTable ? { table: options.remediationTable } : {}),
  });
  const throttle =
    options.throttle === false
      ? undefined
      : startLearningThrottle({ ...options.throttle, metrics: a.metrics });

  const routes: RouteModule<ServerContext> = async (app, ctx) => {
    await breakerRoutes(board)(app, ctx);
    await alertWebhookRoutes(webhook)(app, ctx);
    if (throttle)
      app.addHook('onResponse', async (req, reply) => {
        if (req.routeOptions.url === '/api/v1/agents/:agent/decide')
          throttle.recordDecisionLatency(reply.elapsedTime);
      });
  };

  let stopped = false;
  return {
    server: { routes: [routes] },
    board,
    getGuard: (agent) => board.getGuard(agent),
    webhook,
    setActions: (actions) => webhook.setActions(actions),
    throttle,
    isThrottled: () => throttle?.isThrottled() ?? false,
    async stop() {
      if (stopped) return;
      stopped = true;
      throttle?.stop();
      board.dispose();
    },
  };
}
