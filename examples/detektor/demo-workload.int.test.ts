import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApprentice, type Apprentice } from '../../src/runtime/create-apprentice.js';
import { startDemoWorkload, type DecisionTarget } from './demo-workload.js';

// Compile-time check: the library object is a DecisionTarget as it is.
const asTarget = (a: Apprentice): DecisionTarget => a;

describe('startDemoWorkload against an embedded apprentice', () => {
  let dir: string;
  let a: Apprentice;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-demo-'));
    a = await createApprentice({ config: { dataDir: dir } });
  });
  afterAll(async () => {
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records decisions and their delayed outcomes through decide/recordOutcome', async () => {
    // Only the driver's interval is faked; the apprentice's own timeouts run for real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const errors: unknown[] = [];
    const stop = startDemoWorkload(asTarget(a), { seed: 2, ratePerSecond: 100, maxDecisions: 200, onError: (e) => errors.push(e) });
    try {
      await vi.advanceTimersByTimeAsync(10_000);
      for (let i = 0; i < 1000 && stop.stats().outcomesSent < 150; i++) await new Promise((r) => setImmediate(r));
    } finally {
      stop();
      vi.useRealTimers();
    }
    expect(errors).toEqual([]);
    const stats = stop.stats();
    expect(stats.decisions).toBe(200);
    expect(stats.outcomesSent).toBeGreaterThan(150);
    expect(stats.outcomesSent).toBeLessThan(200);
  });
});
