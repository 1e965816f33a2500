import { resolve } from 'node:path';
import type { Projection } from '../log/index.js';
import { createLocalFlagDistribution } from '../experiments/index.js';
import { flagRoutes } from '../experiments/index.js';
import { type FlagStore, createFlagStore } from '../experiments/index.js';
import { flagsProjection } from '../experiments/index.js';
import { createRedisFlagDistribution } from '../experiments/index.js';
import { DEFAULT_CONTROLLER_INTERVAL_MS, RolloutController, type RolloutControllerOptions } from '../experiments/index.js';
import { rolloutRoutes } from '../experiments/index.js';
import { rolloutsProjection } from '../experiments/index.js';
import { EventType, uuidv7 } from '../core/index.js';
import type { Apprentice } from './create-apprentice.js';
import { createAdvisoryLease, soleLeader, type LeaderLease } from './leader-lease.js';
import type { ServerOptions } from './server-context.js';
import { experimentRoutes } from '../experiments/index.js';
import { type Route, createRouter } from '../experiments/index.js';

/** Projections of this capability; add them to the store's default list (`src/log/events/sql-event-store.ts`). */
export const experimentProjections: readonly Projection[] = [flagsProjection, rolloutsProjection];

export interface InstallExperimentsOptions extends Omit<RolloutControllerOptions, 'store' | 'flags'> {
  /**
   * Run the controller on its schedule in this instance. Default true. With PostgreSQL, every
   * scheduling instance competes for one lease (a session advisory lock) and only its holder
   * evaluates, so a fleet has exactly one controller and a dead leader is replaced within an
   * interval or two; embedded storage has a single process, which always leads.
   */
  readonly schedule?: boolean;
  /** Replace the leader lease (tests). Default: the advisory lease in server mode, else sole leader. */
  readonly lease?: LeaderLease;
  /** Resync flags from the event log this often (lost pub/sub messages). Default 5000 ms. */
  readonly flagResyncIntervalMs?: number;
}

export interface InstalledExperiments {
  readonly server: ServerOptions;
  /** The decision engine's `router` seam. */
  readonly router: (agent: string, unitId: string) => Route;
  readonly flags: FlagStore;
  readonly controller: RolloutController;
  /** The controller's leader lease; undefined when this instance does not schedule it. */
  readonly lease: LeaderLease | undefined;
  stop(): Promise<void>;
}

/**
 * Flags, routing, experiments and the rollout controller on a running apprentice: the flag
 * store (Redis pub/sub when the apprentice has Redis, else in-process), the router for the
 * decision engine, the controller (scheduled unless `schedule: false`), and the HTTP routes
 * for flags, rollouts and experiments.
 *
 * @example
 * const x = await installExperiments(apprentice, { shadowEvidence, guardrails, onRollback });
 * const app = await buildServer(apprentice, x.server);
 * // decision engine: new DecisionEngine({ writer, router: x.router, ... })
 * await x.stop();
 */
export async function installExperiments(a: Apprentice, options: InstallExperimentsOptions = {}): Promise<InstalledExperiments> {
  const prefix = a.config.redisPrefix;
  const distribution = a.redis
    ? await createRedisFlagDistribution({ client: a.redis, prefix })
    : // Embedded: instances sharing a data directory in one process share changes.
      createLocalFlagDistribution({ channel: `${prefix}flags:${resolve(a.config.dataDir)}` });
  const flags = await createFlagStore({
    store: a.store,
    distribution,
    ...(options.flagResyncIntervalMs !== undefined ? { resyncIntervalMs: options.flagResyncIntervalMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const { schedule, flagResyncIntervalMs: _r, lease: givenLease, ...controllerOptions } = options;
  const lease =
    schedule === false
      ? undefined
      : (givenLease ??
        (a.config.databaseUrl && a.store.kind === 'postgres'
          ? createAdvisoryLease({
              connectionString: a.config.databaseUrl,
              name: 'rollout-controller',
              intervalMs: Math.max(500, Math.min(controllerOptions.intervalMs ?? DEFAULT_CONTROLLER_INTERVAL_MS, 5000)),
              onChange: (leader, reason) =>
                a.writer.record({
                  id: uuidv7(),
                  type: EventType.ControllerLeadershipChanged,
                  stream: 'controller-rollout',
                  data: { instanceId: a.instanceId, leader, reason },
                  metadata: { actor: `instance:${a.instanceId}`, reason },
                  time: new Date().toISOString(),
                }),
            })
          : soleLeader()));
  const controller = new RolloutController({ ...controllerOptions, store: a.store, flags, ...(lease ? { shouldRun: () => lease.isLeader() } : {}) });
  if (schedule !== false) controller.start();
  let stopped: Promise<void> | undefined;
  return {
    server: { routes: [flagRoutes(flags), rolloutRoutes(controller), experimentRoutes(controller)] },
    router: createRouter(flags),
    flags,
    controller,
    lease,
    stop() {
      stopped ??= (async () => {
        await controller.stop();
        await lease?.close();
        await flags.close();
        await distribution.close();
      })();
      return stopped;
    },
  };
}
