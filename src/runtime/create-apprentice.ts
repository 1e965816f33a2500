import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { createClient, type RedisClientType } from 'redis';
import { loadConfig, type ApprenticeConfig, type ConfigInput } from '../core/index.js';
import { NotFoundError, reconnectDelay, ValidationError } from '../core/index.js';
import type { LearningBus } from '../log/index.js';
import { createMemoryBus } from '../log/index.js';
import { createRedisBus } from '../log/index.js';
import { createSpool, type Spool } from '../log/index.js';
import { AsyncLearningWriter, type OutcomeInput } from '../decisions/index.js';
import { CachedDecisionReader } from '../decisions/index.js';
import { DecisionEngine, type Decision } from '../decisions/index.js';
import type { EventStore } from '../log/index.js';
import { createPgliteEventStore } from '../log/index.js';
import { createPostgresEventStore } from '../log/index.js';
import { createMetrics, type Metrics } from '../observability/index.js';
import { Projector, type ProjectorOptions } from '../log/index.js';
import type { Projection } from '../log/index.js';
import { createHealth, type ComponentHealth, type PipelineSnapshot } from './health.js';
import { defaultProjections } from './projections.js';
import { createArtifactStore } from './artifact-store.js';
import { attachColdTier } from './tiering.js';
import { wireRuntimeMetrics } from './runtime-metrics.js';

export interface ApprenticeOptions {
  /** A resolved config, or input merged over file/env (see `loadConfig`). */
  readonly config?: ApprenticeConfig | Partial<ConfigInput>;
  /** Prometheus registry. Default: a new one (never the global registry). */
  readonly registry?: Registry;
  /** Run the projector in this process. Default true (`serve` embedded and single-node). */
  readonly projector?: boolean;
  /** Name of this process in consumer groups. Default `<hostname>-<pid>`. */
  readonly instanceId?: string;
  /** Projector tuning (claim idle time, batch size). */
  readonly projectorOptions?: Pick<ProjectorOptions, 'claimIdleMs' | 'claimIntervalMs' | 'count' | 'blockMs' | 'trimIntervalMs'>;
  /** Projections of the event store. Default: every projection of the service. */
  readonly projections?: readonly Projection[];
}

export interface Apprentice {
  readonly config: ApprenticeConfig;
  readonly store: EventStore;
  readonly bus: LearningBus;
  readonly spool: Spool;
  readonly writer: AsyncLearningWriter;
  readonly reader: CachedDecisionReader;
  readonly engine: DecisionEngine;
  readonly projector: Projector | undefined;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly redis: RedisClientType | undefined;
  readonly instanceId: string;
  /** Serve `decide()` through another engine (the learning engine, once installed). */
  useEngine(engine: DecisionEngine): void;
  /** Decide for one unit; never throws for model failures (DESIGN.md §2.1). */
  decide<T>(agent: string, unitId: string, context: unknown, deterministic: T): Decision<T>;
  /** Record the outcome of a decision; rejects with NotFoundError when the decision is unknown. */
  recordOutcome(decisionId: string, outcome: OutcomeInput): Promise<{ eventId: string }>;
  health(): Promise<ComponentHealth[]>;
  /** The learning pipeline's lag, spool, dead letters and bus connectivity (health and metrics). */
  pipeline(): Promise<PipelineSnapshot>;
  /** Flush, stop consumers, close connections. Idempotent. */
  close(): Promise<void>;
}

export const BUS_TOPIC = 'events';

/**
 * Wire apprentice: PostgreSQL or embedded PGlite, Redis Streams or the in-process bus,
 * writer, projector, cached reader, decision engine and metrics.
 *
 * @example
 * const apprentice = await createApprentice(); // embedded: nothing to install
 * const d = apprentice.decide('deployment-specialist', 'deploy-42', { linesChanged: 300 }, 'canary');
 * await apprentice.recordOutcome(d.decisionId, { reward: 1 });
 * await apprentice.close();
 */
export async function createApprentice(options: ApprenticeOptions = {}): Promise<Apprentice> {
  const config = isResolved(options.config) ? options.config : loadConfig({ overrides: options.config ?? {} });
  const registry = options.registry ?? new Registry();
  const metrics = createMetrics(registry, { version: '0.1.0' });
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}`;
  const dataDir = resolve(config.dataDir);

  const projections = options.projections ?? defaultProjections;
  const storeKind = config.databaseUrl ? 'postgres' : 'pglite';
  const onAppend = (b: { seconds: number }): void => metrics.eventStoreAppendBatchDurationSeconds.observe({ store: storeKind }, b.seconds);
  const store: EventStore = config.databaseUrl
    ? createPostgresEventStore({ connectionString: config.databaseUrl, projections, statementTimeoutMs: config.databaseStatementTimeoutMs, onAppend })
    : await createPgliteEventStore({ dataDir: join(dataDir, 'pgdata'), projections, onAppend });
  await store.migrate();
  // Cold tiering (issue 15): replay and per-decision stream reads see the partitions moved to the artifact store.
  attachColdTier(store, () => createArtifactStore({ config, store }));

  let redis: RedisClientType | undefined;
  let bus: LearningBus;
  if (config.redisUrl) {
    bus = await createRedisBus({ url: config.redisUrl, ...(config.redisCluster ? { clusterNodes: config.redisCluster } : {}), prefix: config.redisPrefix, lazyConnect: true });
    redis = createClient({ url: config.redisUrl, disableOfflineQueue: true, socket: { reconnectStrategy: reconnectDelay() } }) as RedisClientType;
    redis.on('error', () => undefined);
    // Not awaited: with Redis unreachable at start the client keeps connecting in the background
    // (calls reject at once meanwhile) and serving starts anyway (issue 10, case 5).
    void redis.connect().catch(() => undefined);
  } else bus = createMemoryBus({ prefix: config.redisPrefix });

  const spool = createSpool({ dir: join(dataDir, 'spool') });
  const reader = new CachedDecisionReader({
    store,
    ...(redis ? { redis } : {}),
    prefix: config.redisPrefix,
    l2TtlSeconds: config.decisionCacheTtlSeconds,
    // About 100 s of decisions at each mode's rate: embedded serves one machine's agents.
    l1Max: config.decisionCacheEntries ?? (config.databaseUrl ? 50_000 : 10_000),
  });
  const writer = new AsyncLearningWriter({
    bus,
    spool,
    topic: BUS_TOPIC,
    onRecord: (e) => reader.observe(e),
    durability: config.durability,
    journalDir: join(dataDir, 'journal'),
    onFlushed: (b) => metrics.writerFlushDurationSeconds.observe(b.seconds),
    // Published events stay re-sendable (a Redis that forgets) until the store holds them.
    stored: async (ids) =>
      (await store.query<{ id: string }>('SELECT id::text AS id FROM events WHERE id = ANY($1::uuid[])', [ids])).map((r) => r.id),
  });
  let engine = new DecisionEngine({ writer });
  const runProjector = options.projector ?? true;
  const projector = runProjector
    ? new Projector({
        ...options.projectorOptions,
        bus,
        store,
        topic: BUS_TOPIC,
        consumer: instanceId,
        onAppended: (events) => {
          writer.confirm(events);
          void reader.cacheEvents(events).catch(() => undefined);
        },
        onPoison: (event, reason) =>
          process.emitWarning(`event ${event.id} (${event.type}) refused by the event store and dead-lettered: ${reason}`, 'ApprenticePoisonEvent'),
      })
    : undefined;
  await projector?.start();
  // Resend what a previous run left in the journal and the spool (killed, or the bus was down).
  writer.start();
  const health = createHealth({ store, bus, writer, spool, projector, redis, topic: BUS_TOPIC });
  const unwire = wireRuntimeMetrics(metrics, { writer, reader, projector, bus, spool, topic: BUS_TOPIC, pipeline: health.pipeline, store: store.kind });

  let closed: Promise<void> | undefined;
  return {
    config,
    store,
    bus,
    spool,
    writer,
    reader,
    get engine() {
      return engine;
    },
    useEngine(e) {
      engine = e;
    },
    projector,
    registry,
    metrics,
    redis,
    instanceId,
    decide: (agent, unitId, context, deterministic) => engine.decide(agent, unitId, context, deterministic),
    async recordOutcome(decisionId, outcome) {
      const given = [outcome.label, outcome.value, outcome.reward].filter((v) => v !== undefined).length;
      if (given !== 1)
        throw new ValidationError('an outcome has exactly one of label, value or reward', [
          { path: '', message: 'give exactly one of label, value, reward' },
        ]);
      const view = await reader.get(decisionId);
      if (!view) throw new NotFoundError(`decision ${decisionId} not found`);
      const eventId = writer.recordOutcome(decisionId, { ...outcome, agent: view.decision.agent });
      metrics.outcomesTotal.inc({ agent: view.decision.agent, kind: outcome.kind ?? 'explicit' });
      return { eventId };
    },
    health: () => health.components(),
    pipeline: () => health.pipeline(),
    close() {
      closed ??= (async () => {
        unwire();
        await writer.close();
        await projector?.stop();
        await bus.close();
        if (redis?.isOpen) await redis.quit().catch(() => undefined);
        await store.close();
      })();
      return closed;
    },
  };
}

function isResolved(c: ApprenticeOptions['config']): c is ApprenticeConfig {
  return c !== undefined && typeof (c as ApprenticeConfig).dataDir === 'string' && typeof (c as ApprenticeConfig).port === 'number' && 'mlEnabled' in c && 'logLevel' in c && 'bodyLimitBytes' in c;
}
