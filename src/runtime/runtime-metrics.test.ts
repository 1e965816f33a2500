import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError } from '../core/index.js';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';

// The write path's counters reach /metrics through `wireRuntimeMetrics` at scrape time. The
// live scenario (live-metrics.test.ts) covers the families that have samples there; this covers
// a drop, which that scenario never causes: a decision recorded after the writer closed.

describe('runtime metrics at scrape', () => {
  let dir: string;
  let a: Apprentice;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-runtime-metrics-'));
    a = await createApprentice({ config: { dataDir: dir } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a decision refused after the writer closed is apprentice_writer_dropped_total{reason="closed"}; flushes and appends are timed', async () => {
    a.decide('triage', 'u-1', { size: 1 }, 'low');
    await a.writer.flush();
    await a.projector?.drainOnce();
    const before = await a.registry.metrics();
    expect(before).not.toMatch(/^apprentice_writer_dropped_total\{/m);
    expect(before).toMatch(/^apprentice_writer_flush_duration_seconds_count [1-9]/m);
    expect(before).toMatch(/^apprentice_event_store_append_batch_duration_seconds_count\{store="pglite"\} [1-9]/m);
    expect(before).toMatch(/^apprentice_bus_deliveries_total\{stream="events",group="projector",result="ack"\} [1-9]/m);
    await a.writer.close();
    expect(() => a.decide('triage', 'u-2', { size: 1 }, 'low')).toThrow(ClosedError);
    expect(await a.registry.metrics()).toMatch(/^apprentice_writer_dropped_total\{reason="closed"\} 1$/m);
  });
});

describe('bus trimming at scrape', () => {
  let dir: string;
  let a: Apprentice;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-trim-metrics-'));
    a = await createApprentice({ config: { dataDir: dir }, projectorOptions: { blockMs: 20, trimIntervalMs: 20 } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every entry the projector acknowledged is trimmed from the stream: result="trimmed" reaches result="ack"', async () => {
    for (let i = 0; i < 5; i++) {
      a.decide('triage', `u-${i}`, { size: i }, 'low');
      await a.writer.flush();
    }
    const labels = (result: string) => ({ stream: 'events', group: 'projector', result });
    const text = await pollUntil(
      async () => {
        const t = await a.registry.metrics();
        const acked = sample(t, 'apprentice_bus_deliveries_total', labels('ack')) ?? 0;
        return acked >= 5 && sample(t, 'apprentice_bus_deliveries_total', labels('trimmed')) === acked ? t : undefined;
      },
      { timeoutMs: 20_000, message: 'the acknowledged entries to be trimmed and counted' },
    );
    expect(sample(text, 'apprentice_bus_deliveries_total', labels('trimmed'))).toBe(sample(text, 'apprentice_bus_deliveries_total', labels('delivered')));
  });
});
