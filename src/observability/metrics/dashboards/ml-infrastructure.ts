import { MetricName as M } from '../metric-names.js';
import { quantile, RATE, timeseries, type DashboardSpec } from './panels.js';

/** The learning machinery: bus, spool, event store, projections, cache, workers. */
export const mlInfrastructure: DashboardSpec = {
  uid: 'apprentice-ml-infrastructure',
  title: 'apprentice / ML Infrastructure',
  description: 'Learning bus, spool, event store, projections, decision cache and learner workers.',
  tags: ['infrastructure'],
  agentVariable: false,
  panels: [
    timeseries({
      title: 'Bus Throughput',
      description: 'Events published per second and failed publishes (which spill to the spool).',
      queries: [
        { expr: `sum by (stream) (rate(${M.busPublishedTotal}[${RATE}]))`, legend: '{{stream}} published' },
        { expr: `sum by (stream) (rate(${M.busPublishErrorsTotal}[${RATE}]))`, legend: '{{stream}} errors' },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Consumer Lag and Pending',
      description: 'Entries not yet delivered (lag) and delivered but unacknowledged (pending).',
      queries: [
        { expr: `sum by (stream, group) (${M.busConsumerLag})`, legend: '{{group}} lag' },
        { expr: `sum by (stream, group) (${M.busPending})`, legend: '{{group}} pending' },
      ],
    }),
    timeseries({
      title: 'Dead Letters and Spool',
      description: 'Entries dead-lettered, and events waiting in the local spool.',
      queries: [
        {
          expr: `sum by (stream) (increase(${M.busDeadLettersTotal}[${RATE}]))`,
          legend: '{{stream}} dead letters',
        },
        { expr: `sum by (instance) (${M.busSpoolEvents})`, legend: '{{instance}} spooled' },
      ],
    }),
    timeseries({
      title: 'Event Store Appends',
      description: 'Events appended per second and failed batch appends.',
      queries: [
        { expr: `sum(rate(${M.eventStoreAppendsTotal}[${RATE}]))`, legend: 'appended' },
        {
          expr: `sum by (store) (rate(${M.eventStoreAppendErrorsTotal}[${RATE}]))`,
          legend: '{{store}} errors',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Append and Flush Latency p95',
      description: 'Batch append to the event store and writer flush.',
      queries: [
        {
          expr: quantile(0.95, M.eventStoreAppendBatchDurationSeconds, 'store', ''),
          legend: '{{store}} append',
        },
        {
          expr: `histogram_quantile(0.95, sum by (le) (rate(${M.writerFlushDurationSeconds}_bucket[${RATE}])))`,
          legend: 'writer flush',
        },
      ],
      unit: 's',
    }),
    timeseries({
      title: 'Projector Lag',
      description: 'Per instance: age of the oldest event it published that the event store does not hold yet (0 when caught up).',
      queries: [{ expr: `max by (instance) (${M.projectorLagSeconds})`, legend: '{{instance}}' }],
      unit: 's',
    }),
    timeseries({
      title: 'Decision Cache Hit Ratio',
      // A read that misses memory falls through to Redis and the store, so misses carry only
      // `level="redis"`: a per-level ratio would divide memory hits by nothing.
      description: 'Share of decision reads answered by a cache (memory or Redis): hits / (hits + misses).',
      queries: [
        {
          expr: `sum(rate(${M.cacheHitsTotal}[${RATE}])) / (sum(rate(${M.cacheHitsTotal}[${RATE}])) + sum(rate(${M.cacheMissesTotal}[${RATE}])))`,
          legend: 'hit ratio',
        },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Learner Worker Heap',
      description: 'Heap used by each learner worker thread.',
      queries: [{ expr: `max by (worker) (${M.learnerWorkerHeapBytes})`, legend: '{{worker}}' }],
      unit: 'bytes',
    }),
    timeseries({
      title: 'Learner Worker CPU',
      description: 'CPU seconds per second used by each learner worker, and throttling.',
      queries: [
        {
          expr: `sum by (worker) (rate(${M.learnerWorkerCpuSecondsTotal}[${RATE}]))`,
          legend: '{{worker}} cpu',
        },
        { expr: `max by (worker) (${M.learnerThrottled})`, legend: '{{worker}} throttled' },
      ],
    }),
    timeseries({
      title: 'Writer Buffer and Drops',
      description: 'Events buffered in the writer and events dropped.',
      queries: [
        { expr: `sum by (instance) (${M.writerBufferEvents})`, legend: '{{instance}} buffered' },
        { expr: `sum by (reason) (rate(${M.writerDroppedTotal}[${RATE}]))`, legend: 'dropped {{reason}}' },
      ],
    }),
  ],
};
