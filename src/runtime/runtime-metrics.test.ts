import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError } from '../core/index.js';
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
