import type { RedisClientType } from 'redis';
import type { LearningBus, Spool } from '../log/index.js';
import type { AsyncLearningWriter } from '../decisions/index.js';
import type { EventStore } from '../log/index.js';
import type { Projector } from '../log/index.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface ComponentHealth {
  readonly component: string;
  readonly status: HealthStatus;
  readonly detail?: Record<string, unknown>;
  readonly error?: string;
}

/** When the pipeline counts as degraded. */
export interface HealthThresholds {
  /** Age of the oldest published event the event store does not hold yet. Default 5 s. */
  readonly lagSeconds: number;
  /** Events waiting in the spool (the bus refused them). Default 0: any spooled event. */
  readonly spoolEvents: number;
  /** A dead letter newer than this keeps the pipeline degraded. Default 5 min. */
  readonly deadLetterWindowSeconds: number;
}

export const defaultHealthThresholds: HealthThresholds = { lagSeconds: 5, spoolEvents: 0, deadLetterWindowSeconds: 300 };

export interface HealthParts {
  readonly store: EventStore;
  readonly bus: LearningBus;
  readonly writer: AsyncLearningWriter;
  readonly spool: Spool;
  readonly projector: Projector | undefined;
  readonly redis: RedisClientType | undefined;
  readonly topic: string;
  readonly thresholds?: Partial<HealthThresholds>;
}

/** What `/health/aggregate` and the pipeline metrics read: one snapshot of the learning path. */
export interface PipelineSnapshot {
  readonly busConnected: boolean;
  /** Age of the oldest published event the store does not hold yet (0 when none). */
  readonly lagSeconds: number;
  /** Events published by this process the store does not hold yet. */
  readonly eventsBehind: number;
  /** Bus entries not yet delivered to, or not yet acknowledged by, the projector group. */
  readonly entriesBehind: number | undefined;
  readonly spoolEvents: number;
  readonly spoolBytes: number;
  readonly deadLetters: number | undefined;
}

const PROBE_TIMEOUT_MS = 1000;

const withTimeout = async <T>(fn: () => Promise<T>, timeoutMs = PROBE_TIMEOUT_MS): Promise<T> => {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
  } finally {
    clearTimeout(t);
  }
};

/** `ok` when `fn` resolves within a second, else `down` with the reason. */
export const probe = async (component: string, fn: () => Promise<unknown>): Promise<ComponentHealth> => {
  try {
    await withTimeout(fn);
    return { component, status: 'ok' };
  } catch (e) {
    return { component, status: 'down', error: e instanceof Error ? e.message : String(e) };
  }
};

/**
 * Health of every storage component and of the learning pipeline, for `GET /health/aggregate`
 * (and the pipeline gauges). Every probe has a deadline, so a hung dependency reads `down`
 * within a second instead of hanging the endpoint. Stateful only to remember when the
 * dead-letter count last grew.
 */
export function createHealth(p: HealthParts): { components(): Promise<ComponentHealth[]>; pipeline(): Promise<PipelineSnapshot> } {
  const limits = { ...defaultHealthThresholds, ...p.thresholds };
  let lastDeadLetters: number | undefined;
  let deadLettersGrewAt = 0;

  const pipeline = async (): Promise<PipelineSnapshot> => {
    const w = p.writer.stats();
    const [spool, group, deadLetters, busUp] = await Promise.all([
      withTimeout(() => p.spool.size()).catch(() => undefined),
      p.projector ? withTimeout(() => p.bus.groupInfo(p.topic, 'projector')).catch(() => undefined) : undefined,
      withTimeout(() => p.bus.deadLetterCount(p.topic)).catch(() => undefined),
      withTimeout(() => p.bus.ping()).then(
        () => true,
        () => false,
      ),
    ]);
    if (deadLetters !== undefined) {
      if (lastDeadLetters !== undefined && deadLetters > lastDeadLetters) deadLettersGrewAt = Date.now();
      lastDeadLetters = deadLetters;
    }
    return {
      busConnected: busUp,
      lagSeconds: w.oldestUnconfirmedAgeMs / 1000,
      eventsBehind: w.unconfirmed + w.buffered,
      entriesBehind: group ? group.lag + group.pending : undefined,
      spoolEvents: spool?.events ?? 0,
      spoolBytes: spool?.bytes ?? 0,
      deadLetters,
    };
  };

  return {
    pipeline,
    async components() {
      const [store, bus, snap] = await Promise.all([
        probe(`event-store:${p.store.kind}`, () => p.store.ping()),
        probe(`bus:${p.bus.kind}`, () => p.bus.ping()),
        pipeline(),
      ]);
      const w = p.writer.stats();
      const out: ComponentHealth[] = [store, bus];
      const writerProblems = [
        w.busUp ? undefined : 'bus unreachable: spooling',
        w.journalError ? `journal unavailable (${w.journalError}): durability is memory` : undefined,
        w.journalErrors > 0 ? `${w.journalErrors} journal writes failed` : undefined,
      ].filter((x): x is string => x !== undefined);
      out.push({
        component: 'writer',
        status: writerProblems.length > 0 ? 'degraded' : 'ok',
        detail: {
          durability: w.durability,
          buffered: w.buffered,
          published: w.published,
          unconfirmed: w.unconfirmed,
          spooled: w.spooled,
          replayed: w.replayed,
          resent: w.resent,
          busResets: w.busResets,
          recovered: w.recovered,
          journalBytes: w.journalBytes,
          ...(writerProblems.length > 0 ? { problems: writerProblems } : {}),
        },
      });
      const recentDeadLetters = deadLettersGrewAt > 0 && Date.now() - deadLettersGrewAt < limits.deadLetterWindowSeconds * 1000;
      const stalled = [
        snap.lagSeconds > limits.lagSeconds ? `oldest unstored event is ${snap.lagSeconds.toFixed(1)} s old (threshold ${limits.lagSeconds} s)` : undefined,
        snap.spoolEvents > limits.spoolEvents ? `${snap.spoolEvents} events in the spool (threshold ${limits.spoolEvents})` : undefined,
        recentDeadLetters ? `dead letters grew within ${limits.deadLetterWindowSeconds} s` : undefined,
        snap.busConnected ? undefined : 'bus not connected',
      ].filter((x): x is string => x !== undefined);
      out.push({
        component: 'pipeline',
        status: stalled.length > 0 ? 'degraded' : 'ok',
        detail: { ...snap, thresholds: limits, ...(stalled.length > 0 ? { problems: stalled } : {}) },
      });
      if (p.redis) out.push(await probe('cache:redis', () => p.redis!.ping()));
      else out.push({ component: 'cache:memory', status: 'ok' });
      if (p.projector) {
        const s = p.projector.stats();
        out.push({
          component: 'projector',
          status: !s.running ? 'down' : store.status !== 'ok' && snap.eventsBehind > 0 ? 'degraded' : 'ok',
          detail: { ...s },
        });
      }
      return out;
    },
  };
}
