import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError } from '../core/index.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import { createSpool } from '../log/bus/spool.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// What the writer reports for apprentice_writer_dropped_total and
// apprentice_writer_flush_duration_seconds (issue 17): drops are counted only where events are
// really refused or lost, with a spool that really fails (its directory is a regular file).

const decision = (i: number) =>
  ({ agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 }) as const;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A spool under a path that is a file: every append fails (ENOTDIR), like a disk that refuses. */
function brokenSpool() {
  dir = mkdtempSync(join(tmpdir(), 'apprentice-writer-metrics-'));
  writeFileSync(join(dir, 'not-a-dir'), '');
  return createSpool({ dir: join(dir, 'not-a-dir', 'spool') });
}

describe('writer drops and flush timing', () => {
  it('times every batch it sends, with its size', async () => {
    const flushed: { events: number; seconds: number }[] = [];
    const writer = new AsyncLearningWriter({ bus: createMemoryBus(), batchSize: 4, onFlushed: (b) => flushed.push(b) });
    for (let i = 0; i < 10; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(flushed.map((b) => b.events)).toEqual([4, 4, 2]);
    for (const b of flushed) expect(b.seconds).toBeGreaterThanOrEqual(0);
    expect(writer.stats()).toMatchObject({ published: 10, droppedClosed: 0, droppedSpoolError: 0 });
    await writer.close();
  });

  it('counts an event recorded after close as dropped (closed), and the caller gets ClosedError', async () => {
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    await writer.close();
    expect(() => writer.recordDecision(decision(1))).toThrow(ClosedError);
    expect(() => writer.recordDecision(decision(2))).toThrow(ClosedError);
    expect(writer.stats().droppedClosed).toBe(2);
  });

  it('counts a batch the spool refuses while the bus is down as dropped (spool_error)', async () => {
    const bus = createMemoryBus();
    await bus.close(); // publishing now fails
    const writer = new AsyncLearningWriter({ bus, spool: brokenSpool(), recoveryIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush(); // resolves: the loss is counted, not thrown out of a background flush
    expect(writer.stats()).toMatchObject({ published: 0, spooled: 0, droppedSpoolError: 3, publishErrors: 1 });
    await writer.close();
  });

  it('counts an overflow the spool refuses as dropped, without an unhandled rejection', async () => {
    const writer = new AsyncLearningWriter({ bus: createMemoryBus(), spool: brokenSpool(), maxBuffer: 5, batchSize: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) writer.recordDecision(decision(i)); // the fifth fills the buffer: spilled
    await pollUntil(() => (writer.stats().droppedSpoolError === 5 ? true : undefined), { timeoutMs: 5000, message: 'the refused spill counted' });
    expect(writer.stats()).toMatchObject({ buffered: 0, spooled: 0, droppedSpoolError: 5 });
    await writer.close();
  });
});
