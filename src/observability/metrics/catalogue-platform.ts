import { counter, gauge, histogram, IO_BUCKETS } from './metric-spec.js';

/**
 * Metrics of the platform: learning bus, event store, writer, cache, HTTP, alert
 * webhook, audit and build info. Keys match `MetricName`.
 */
export const platformCatalogue = {
  busPublishedTotal: counter('Events published to the learning bus.', ['stream']),
  busPublishErrorsTotal: counter('Failed publishes to the learning bus (events then go to the spool).', [
    'stream',
  ]),
  busConsumerLag: gauge('Entries of a stream not yet delivered to the consumer group.', ['stream', 'group']),
  busPending: gauge('Entries delivered to the consumer group but not acknowledged.', ['stream', 'group']),
  busDeadLettersTotal: counter('Entries moved to the dead-letter stream after too many deliveries.', [
    'stream',
    'group',
  ]),
  busDeliveriesTotal: counter(
    'Bus entries handled by the projector group (result: delivered = read the first time, claimed = taken over from a consumer that left it pending, ack = acknowledged once stored, retry = append retried while the event store was unreachable, trimmed = removed from the stream once every group had acknowledged it).',
    ['stream', 'group', 'result'],
  ),
  busSpoolEvents: gauge('Events waiting in the local spool file (bus unreachable).', []),
  busSpoolBytes: gauge('Size of the local spool file.', []),
  busSpoolReplayedTotal: counter('Spooled events replayed to the bus after recovery.', []),
  busConnected: gauge('1 while the learning bus answers, 0 while it does not (events then go to the spool).', []),
  busDeadLetters: gauge('Entries in the dead-letter stream of a topic.', ['stream']),
  busResetsTotal: counter('Times the bus was found to have forgotten its data (Redis restarted without persistence); unstored events were resent.', []),
  tierPartitionsTotal: counter('Monthly partitions of the event log handled by cold tiering (result: tiered = moved to the artifact store, failed = left whole for the next run).', ['result']),
  projectorLagSeconds: gauge('Age of the oldest event this process published that the event store does not hold yet (0 when caught up).', []),
  projectorEventsBehind: gauge('Events this process recorded that the event store does not hold yet.', []),

  eventStoreAppendsTotal: counter('Events appended to the event store (duplicates not counted).', ['type']),
  eventStoreAppendBatchDurationSeconds: histogram(
    'Time to append one batch to the event store (store: postgres, pglite), from the call to the commit.',
    ['store'],
    IO_BUCKETS,
  ),
  eventStoreAppendErrorsTotal: counter('Failed batch appends to the event store (store: postgres, pglite).', ['store', 'code']),

  writerBufferEvents: gauge('Events buffered in the asynchronous writer.', []),
  writerDroppedTotal: counter('Events the writer refused or lost (reason: closed = recorded after close, spool_error = the spool refused them while the bus was down or the buffer full).', ['reason']),
  writerSpilledTotal: counter('Events the writer spilled to the local spool.', []),
  writerFlushDurationSeconds: histogram('Time to send one writer batch to the bus (or to the spool while the bus is down).', [], IO_BUCKETS),

  cacheHitsTotal: counter('Decision cache hits (level: memory, redis).', ['level']),
  cacheMissesTotal: counter('Decision cache misses (level: memory, redis).', ['level']),
  boundedEntries: gauge('Entries held by a bounded in-process cache or waiting map (component); never above its apprentice_bounded_capacity.', ['component']),
  boundedCapacity: gauge('Bound of an in-process cache or waiting map, in entries: beyond it the oldest (or least recently used) entry is evicted.', ['component']),
  boundedEvictionsTotal: counter('Entries a bounded in-process cache or waiting map evicted to stay within its bound.', ['component']),

  httpRequestsTotal: counter('HTTP requests served.', ['method', 'route', 'status']),
  httpRequestDurationSeconds: histogram('HTTP request duration.', ['method', 'route'], IO_BUCKETS),
  alertsReceivedTotal: counter('Alerts received on the Alertmanager webhook.', ['alertname', 'status']),
  alertRemediationsTotal: counter(
    'Remediations run for received alerts (result: applied, skipped, failed).',
    ['alertname', 'action', 'result'],
  ),
  auditEventsTotal: counter('Control actions written to the audit trail.', ['action']),
  buildInfo: gauge('Always 1; labels describe the running build.', ['version', 'node_version']),
} as const;
