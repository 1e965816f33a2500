import { ConfigError } from '../core/index.js';
import type { ArtifactStore } from '../learning/index.js';
import type { SqlClient } from '../log/index.js';
import type { Apprentice } from './create-apprentice.js';
import { sqlClientOf } from './install-security.js';
import { tierPartitions, type TierResult } from './tiering.js';

export interface TieringJobOptions {
  readonly db: SqlClient;
  readonly artifacts: ArtifactStore;
  /** Partitions whose range ended more than this many days ago are tiered (config `coldAfterDays`). */
  readonly olderThanDays: number;
  /** Time between scheduled runs, ms; 0 = no schedule (the route and the CLI still run it). */
  readonly intervalMs: number;
  /** Delay of the first scheduled run after `start`, ms. Default min(intervalMs, 60,000): a service restarted more often than the interval still tiers. */
  readonly firstDelayMs?: number;
  /** Whether this instance should run the schedule now (the leader lease in a fleet). Default always. */
  readonly isLeader?: () => boolean;
  /** After every run, scheduled or requested. */
  readonly onResult?: (r: TierResult) => void;
  /** A scheduled run that failed (a requested one rejects to its caller). */
  readonly onError?: (e: unknown) => void;
}

export interface TierRequest {
  readonly actor: string;
  readonly reason?: string | undefined;
  /** Default the job's `olderThanDays`. */
  readonly olderThanDays?: number | undefined;
  readonly lockTimeoutMs?: number | undefined;
}

/** Tiering in a running service: a schedule (worker and all roles) and runs on request (`POST /api/v1/admin/tier`), one at a time. */
export interface TieringJob {
  /** Runs now, or waits for the run in progress and then runs (never two at once in this process). */
  run(request: TierRequest): Promise<TierResult>;
  /** Starts the schedule (a no-op when `intervalMs` is 0). */
  start(): void;
  /** Stops the schedule and awaits a run in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The embedded store has one connection: replay reads cold chunks inside its transaction, which an
 * artifact store on that same connection could not serve.
 */
export function checkTierable(storeKind: string, artifacts: Pick<ArtifactStore, 'kind'>): void {
  if (storeKind === 'pglite' && artifacts.kind === 'postgres')
    throw new ConfigError('tiering on the embedded store needs the filesystem or s3 artifact store', [
      { path: 'artifactStore', message: 'postgres (on PGlite) cannot hold cold segments' },
    ]);
}

/**
 * @example
 * const job = createTieringJob({ db, artifacts, olderThanDays: 90, intervalMs: 86_400_000 });
 * job.start();
 */
export function createTieringJob(o: TieringJobOptions): TieringJob {
  let tail: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = (r: TierRequest): Promise<TierResult> => {
    const next = tail.then(() =>
      tierPartitions({
        db: o.db,
        artifacts: o.artifacts,
        olderThanDays: r.olderThanDays ?? o.olderThanDays,
        actor: r.actor,
        reason: r.reason,
        ...(r.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: r.lockTimeoutMs }),
      }),
    );
    tail = next.catch(() => undefined);
    return next.then((result) => {
      o.onResult?.(result);
      return result;
    });
  };
  const tick = (): void => {
    if (stopped) return;
    if (o.isLeader && !o.isLeader()) return schedule(o.intervalMs);
    run({ actor: 'tiering-job', reason: `scheduled: partitions older than ${o.olderThanDays} days` })
      .catch((e: unknown) => o.onError?.(e))
      .finally(() => schedule(o.intervalMs));
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  return {
    run,
    start() {
      if (o.intervalMs > 0 && timer === undefined && !stopped) schedule(o.firstDelayMs ?? Math.min(o.intervalMs, 60_000));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await tail;
    },
  };
}

/** Hours between scheduled runs as configured (`tierIntervalHours`), in ms: default daily with PostgreSQL, never embedded. */
export const tierIntervalMs = (config: { readonly tierIntervalHours?: number | undefined; readonly databaseUrl?: string | undefined }): number =>
  Math.round((config.tierIntervalHours ?? (config.databaseUrl === undefined ? 0 : 24)) * 3_600_000);

/**
 * The service's tiering job over its store and artifact store; undefined without a SQL event
 * store. `schedule`: whether this role runs the schedule (worker and all). A schedule configured
 * on a pairing that cannot tier is refused at start.
 */
export function installTiering(
  a: Pick<Apprentice, 'store' | 'config' | 'metrics'>,
  artifacts: ArtifactStore,
  options: { readonly schedule: boolean; readonly isLeader?: () => boolean },
): TieringJob | undefined {
  const db = sqlClientOf(a);
  if (db === undefined) return undefined;
  const intervalMs = options.schedule ? tierIntervalMs(a.config) : 0;
  if (intervalMs > 0) checkTierable(a.store.kind, artifacts);
  const job = createTieringJob({
    db,
    artifacts,
    olderThanDays: a.config.coldAfterDays,
    intervalMs,
    ...(options.isLeader ? { isLeader: options.isLeader } : {}),
    // What was tiered is in the audit trail (EventPartitionTiered); what failed is said on stderr.
    onResult: (r) => {
      if (r.tiered.length > 0) a.metrics.tierPartitionsTotal.inc({ result: 'tiered' }, r.tiered.length);
      if (r.failed.length > 0) a.metrics.tierPartitionsTotal.inc({ result: 'failed' }, r.failed.length);
      for (const f of r.failed) process.emitWarning(`partition ${f.partition} failed at ${f.stage}: ${f.error} (it is whole; the next run retries)`, 'ApprenticeTiering');
    },
    onError: (e) => process.emitWarning(`scheduled tiering failed: ${e instanceof Error ? e.message : String(e)}`, 'ApprenticeTiering'),
  });
  job.start();
  return job;
}
