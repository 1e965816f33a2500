import { EventType, type RouteModule } from '../core/index.js';
import {
  FeatureHistory,
  FeatureMaterialiser,
  FeatureReader,
  FeatureViewRegistry,
  MemoryOnlineStore,
  OnlineCache,
  RedisOnlineStore,
  featureRoutes,
  type OnlineStore,
  type VersionedFeatureView,
  type ViewReport,
} from '../decisions/index.js';
import { START } from '../log/index.js';
import type { Apprentice } from './create-apprentice.js';
import { collectBounds } from './bounds-metrics.js';
import { createFeatureMetrics } from './feature-metrics.js';
import type { ComponentHealth } from './health.js';
import type { ServerContext } from './server-context.js';

export interface InstallFeaturesOptions {
  /** Views defined at start (validated; an unchanged definition is not re-recorded). */
  readonly views?: readonly unknown[];
  /** Run the materialiser here (roles `all` and `worker`). Default true. */
  readonly materialise?: boolean;
  /** Longest wait for the online store on a decision (Redis). Default 5 ms. */
  readonly budgetMs?: number;
  /** Materialiser poll once caught up. Default 100 ms. */
  readonly pollMs?: number;
  /** Entities the server-mode cache of Redis keeps (`OnlineCache`). Default 10,000. */
  readonly cacheCapacity?: number;
  /** View inputs the training backfill keeps in memory (`FeatureHistory`). Default 500,000. */
  readonly historyMaxInputs?: number;
}

export interface InstalledFeatures {
  readonly views: FeatureViewRegistry;
  readonly online: OnlineStore;
  readonly reader: FeatureReader;
  /** Point-in-time values of views for past decisions, from the log (the training loop fills and replays with it). */
  readonly history: FeatureHistory;
  readonly materialiser: FeatureMaterialiser | undefined;
  readonly routes: readonly RouteModule<ServerContext>[];
  /** A view's materialisation as the API reports it. */
  report(view: VersionedFeatureView): Promise<ViewReport>;
  health(): Promise<ComponentHealth[]>;
  stop(): Promise<void>;
}

/**
 * Feature views (issue 13): definitions rebuilt from the log and followed (any instance may
 * define one), the online store (Redis hashes in server mode, in-process otherwise), the
 * materialiser (backfill, then streaming; rebuild after a loss) where this process runs the
 * learning path, the reader the decision engine enriches through, metrics and routes.
 * @example
 * const features = await installFeatures(apprentice, { views: [authorReliability] });
 * const learning = await installLearning(apprentice, { features: features.reader });
 */
export async function installFeatures(a: Apprentice, options: InstallFeaturesOptions = {}): Promise<InstalledFeatures> {
  const views = new FeatureViewRegistry({ sink: a.writer });
  await views.load(a.store);
  for (const v of options.views ?? []) views.define(v, { actor: 'system', reason: 'startup definition' });
  const unfollow = a.store.subscribe((events) => events.forEach((e) => views.apply(e)), { after: START, types: [EventType.FeatureViewDefined] });

  const online: OnlineStore = a.redis ? new RedisOnlineStore({ redis: a.redis, prefix: a.config.redisPrefix }) : new MemoryOnlineStore();
  let materialiser: FeatureMaterialiser | undefined;
  const metrics = createFeatureMetrics(a.metrics, () => materialiser);
  if (options.materialise ?? true) {
    materialiser = new FeatureMaterialiser({
      store: a.store,
      online,
      views,
      sink: a.writer,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      onBatch: (view, inputs) => metrics.onBatch(view, inputs),
      onLost: (view) => metrics.onLost(view),
    });
    materialiser.start();
  }
  const m = materialiser;
  // Server mode: the synchronous decide() reads a local cache of Redis, kept fresh by the views' change streams.
  const cache = online.changes ? new OnlineCache({ store: online, ...(options.cacheCapacity !== undefined ? { capacity: options.cacheCapacity } : {}) }) : undefined;
  cache?.start();
  const reader = new FeatureReader({
    online,
    views,
    ...(cache ? { cache } : {}),
    // In-process store: only this process materialises, its own status says whether a view is live.
    ...(online.kind === 'memory' ? { live: (view: string, version: number) => { const s = m?.status(view); return s?.version === version && s.phase === 'live'; } } : {}),
    ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
    onRead: (view, status) => metrics.onRead(view, status),
  });
  reader.start();
  const history = new FeatureHistory({ store: a.store, views, ...(options.historyMaxInputs !== undefined ? { maxInputs: options.historyMaxInputs } : {}) });
  // The memory of the feature store, each with its bound: the cache of Redis, the materialiser's
  // joins of outcomes to decisions, and the training backfill's inputs and joins.
  const unbound = collectBounds(a.metrics, () => {
    const h = history.bounds();
    return {
      ...(cache ? { feature_online_cache: cache.bounds() } : {}),
      ...(m ? { feature_materialiser_joins: m.bounds() } : {}),
      feature_history_inputs: h.inputs,
      feature_history_joins: h.joins,
    };
  });

  const report = async (v: VersionedFeatureView): Promise<ViewReport> => {
    const entities = await online.size(v.name, v.version).catch(() => null);
    const s = m?.status(v.name);
    if (s && s.version === v.version) {
      const progress = s.phase === 'live' ? 1 : s.total !== null && s.total > 0 ? Math.min(1, s.events / s.total) : s.total === 0 ? 1 : null;
      return { phase: s.phase, applied: s.applied, progress, caughtUpAt: s.caughtUpAt === null ? null : new Date(s.caughtUpAt).toISOString(), losses: s.losses, entities };
    }
    // No materialiser here (role api): what the store's checkpoint says.
    const cp = await online.checkpoint(v.name, v.version).catch(() => undefined);
    return { phase: cp ? (cp.live ? 'live' : 'backfilling') : 'unknown', applied: cp?.applied ?? 0, progress: cp?.live ? 1 : null, caughtUpAt: null, losses: 0, entities };
  };

  let stopped: Promise<void> | undefined;
  return {
    views,
    online,
    reader,
    history,
    materialiser,
    routes: [featureRoutes({ views, read: (v, e) => reader.get(v, e), status: report }) as RouteModule<ServerContext>],
    report,
    async health() {
      return (materialiser?.statuses() ?? []).map((s) => ({
        component: `feature-view:${s.view}`,
        status: s.lastError !== null ? 'degraded' : 'ok',
        detail: { version: s.version, phase: s.phase, applied: s.applied, losses: s.losses, ...(s.lastError ? { error: s.lastError } : {}) },
      }));
    },
    stop() {
      stopped ??= (async () => {
        reader.stop();
        await cache?.stop();
        await materialiser?.stop();
        await unfollow();
        metrics.dispose();
        unbound();
      })();
      return stopped;
    },
  };
}
