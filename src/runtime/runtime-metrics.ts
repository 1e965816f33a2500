import type { Counter } from 'prom-client';
import type { LearningBus } from '../log/index.js';
import type { Spool } from '../log/index.js';
import type { AsyncLearningWriter } from '../decisions/index.js';
import type { CachedDecisionReader } from '../decisions/index.js';
import { onCollect } from '../observability/index.js';
import type { Metrics } from '../observability/index.js';
import type { Projector } from '../log/index.js';
import type { PipelineSnapshot } from './health.js';

export interface RuntimeParts {
  readonly writer: AsyncLearningWriter;
  readonly reader: CachedDecisionReader;
  readonly projector: Projector | undefined;
  readonly bus: LearningBus;
  readonly spool: Spool;
  readonly topic: string;
  /** The event store's kind (`postgres`, `pglite`): the `store` label of its metrics. */
  readonly store: string;
  /** The pipeline snapshot health reads (lag, spool, dead letters, bus connectivity). */
  readonly pipeline?: () => Promise<PipelineSnapshot>;
}

/**
 * Feed the write path's plain getters into metrics at scrape time: components count in
 * cheap integers, and cumulative counts become counter increments here.
 */
export function wireRuntimeMetrics(m: Metrics, p: RuntimeParts): () => void {
  const last = new Map<string, number>();
  const delta = (key: string, now: number, c: Counter<string>, labels: Record<string, string> = {}): void => {
    const d = now - (last.get(key) ?? 0);
    if (d > 0) c.inc(labels, d);
    last.set(key, now);
  };
  return onCollect(m.writerBufferEvents, async () => {
    const w = p.writer.stats();
    m.writerBufferEvents.set(w.buffered);
    delta('published', w.published, m.busPublishedTotal as Counter<string>, { stream: p.topic });
    delta('publishErrors', w.publishErrors, m.busPublishErrorsTotal as Counter<string>, { stream: p.topic });
    delta('spooled', w.spooled, m.writerSpilledTotal as Counter<string>);
    delta('replayed', w.replayed, m.busSpoolReplayedTotal as Counter<string>);
    delta('busResets', w.busResets, m.busResetsTotal as Counter<string>);
    delta('droppedClosed', w.droppedClosed, m.writerDroppedTotal as Counter<string>, { reason: 'closed' });
    delta('droppedSpool', w.droppedSpoolError, m.writerDroppedTotal as Counter<string>, { reason: 'spool_error' });
    const r = p.reader.stats();
    delta('l1', r.l1Hits, m.cacheHitsTotal as Counter<string>, { level: 'memory' });
    delta('l2', r.l2Hits, m.cacheHitsTotal as Counter<string>, { level: 'redis' });
    delta('miss', r.misses + r.storeHits, m.cacheMissesTotal as Counter<string>, { level: 'redis' });
    const snap = p.pipeline ? await p.pipeline().catch(() => undefined) : undefined;
    if (snap) {
      m.busSpoolEvents.set(snap.spoolEvents);
      m.busSpoolBytes.set(snap.spoolBytes);
      m.busConnected.set(snap.busConnected ? 1 : 0);
      m.projectorLagSeconds.set(snap.lagSeconds);
      m.projectorEventsBehind.set(snap.eventsBehind);
      if (snap.deadLetters !== undefined) m.busDeadLetters.set({ stream: p.topic }, snap.deadLetters);
    } else {
      const s = await p.spool.size().catch(() => undefined);
      if (s) {
        m.busSpoolEvents.set(s.events);
        m.busSpoolBytes.set(s.bytes);
      }
    }
    if (p.projector) {
      const ps = p.projector.stats();
      delta('deadLettered', ps.deadLettered, m.busDeadLettersTotal as Counter<string>, { stream: p.topic, group: 'projector' });
      delta('appended', ps.appended, m.eventStoreAppendsTotal as Counter<string>, { type: 'all' });
      const deliveries = { stream: p.topic, group: 'projector' };
      delta('delivered', ps.delivered, m.busDeliveriesTotal as Counter<string>, { ...deliveries, result: 'delivered' });
      delta('claimed', ps.claimed, m.busDeliveriesTotal as Counter<string>, { ...deliveries, result: 'claimed' });
      delta('acked', ps.acked, m.busDeliveriesTotal as Counter<string>, { ...deliveries, result: 'ack' });
      delta('retried', ps.retried, m.busDeliveriesTotal as Counter<string>, { ...deliveries, result: 'retry' });
      delta('trimmed', ps.trimmed, m.busDeliveriesTotal as Counter<string>, { ...deliveries, result: 'trimmed' });
      delta('storeErrors', ps.storeErrors, m.eventStoreAppendErrorsTotal as Counter<string>, { store: p.store, code: 'append' });
      const g = await p.bus.groupInfo(p.topic, 'projector').catch(() => undefined);
      if (g) {
        m.busConsumerLag.set({ stream: p.topic, group: 'projector' }, g.lag);
        m.busPending.set({ stream: p.topic, group: 'projector' }, g.pending);
      }
    }
  });
}
