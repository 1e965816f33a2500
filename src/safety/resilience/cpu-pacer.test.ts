import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuPacer } from './cpu-pacer.js';

describe('CpuPacer', () => {
  it('allows a burst, then makes dispatch wait until the CPU debt is repaid', () => {
    const p = new CpuPacer({ budget: 0.2, cores: 2, burstMs: 1_000, now: 0 });
    expect(p.rate).toBeCloseTo(0.4);
    expect(new CpuPacer({ budget: 0.2, cores: 1, burstMs: 0, now: 0 }).canDispatch(0)).toBe(true);
    expect(p.canDispatch(0)).toBe(true);
    p.charge(600, 0); // credit 400 - 600 = -200
    expect(p.canDispatch(0)).toBe(false);
    const wait = p.waitMs(0); // 200 / 0.4, rounded up
    expect(wait).toBeGreaterThanOrEqual(500);
    expect(wait).toBeLessThanOrEqual(501);
    expect(p.canDispatch(499)).toBe(false);
    expect(p.canDispatch(501)).toBe(true);
  });

  it('never holds more than burstMs of refill', () => {
    const p = new CpuPacer({ budget: 0.5, cores: 1, burstMs: 100, now: 0 });
    expect(p.canDispatch(1_000_000)).toBe(true);
    expect(p.balance).toBe(50);
  });

  it('property: CPU charged over a run never exceeds budget × cores × elapsed + burst + one task', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 200 }),
        (budget, cores, tasks) => {
          const burstMs = 1_000;
          const p = new CpuPacer({ budget, cores, burstMs, now: 0 });
          let now = 0;
          let used = 0;
          for (const cpu of tasks) {
            now += p.waitMs(now);
            expect(p.canDispatch(now)).toBe(true);
            p.charge(cpu, now);
            used += cpu;
          }
          const maxTask = Math.max(...tasks);
          expect(used).toBeLessThanOrEqual(p.rate * (now + burstMs) + maxTask + 1e-6);
        },
      ),
    );
  });
});
