import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDemoWorkload, type DecisionTarget, type DemoOutcome } from './demo-workload.js';

interface Call {
  readonly agent: string;
  readonly unitId: string;
  readonly deterministic: unknown;
}

function fakeTarget(options: { async?: boolean; failEvery?: number } = {}) {
  const decisions: Call[] = [];
  const outcomes: [string, DemoOutcome][] = [];
  const target: DecisionTarget = {
    decide(agent, unitId, _context, deterministic) {
      decisions.push({ agent, unitId, deterministic });
      if (options.failEvery !== undefined && decisions.length % options.failEvery === 0) throw new Error('boom');
      const d = { decisionId: `d${decisions.length}`, value: deterministic };
      return options.async ? Promise.resolve(d) : d;
    },
    async recordOutcome(id, outcome) {
      outcomes.push([id, outcome]);
    },
  };
  return { target, decisions, outcomes };
}

describe('startDemoWorkload', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('decides at the configured rate across the agents and stops', async () => {
    const { target, decisions } = fakeTarget();
    const stop = startDemoWorkload(target, { seed: 1, ratePerSecond: 20 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(decisions).toHaveLength(200);
    expect(new Set(decisions.map((d) => d.agent)).size).toBe(8);
    stop();
    stop(); // idempotent
    await vi.advanceTimersByTimeAsync(5_000);
    expect(decisions).toHaveLength(200);
    expect(stop.stats().decisions).toBe(200);
  });

  it('sends each outcome later, for the decision it belongs to, with exactly one of label/value/reward', async () => {
    const { target, decisions, outcomes } = fakeTarget({ async: true });
    const stop = startDemoWorkload(target, { seed: 3, ratePerSecond: 100, maxDecisions: 500 });
    await vi.advanceTimersByTimeAsync(100);
    expect(outcomes).toHaveLength(0); // nothing is known right after deciding
    await vi.advanceTimersByTimeAsync(60_000);
    expect(decisions).toHaveLength(500);
    expect(outcomes.length).toBeGreaterThan(400); // some outcomes never arrive
    expect(outcomes.length).toBeLessThan(500);
    const agentOf = new Map(decisions.map((d, i) => [`d${i + 1}`, d.agent]));
    for (const [id, o] of outcomes) {
      expect(Object.keys(o)).toHaveLength(1);
      const agent = agentOf.get(id)!;
      if (agent === 'detektor-coder') expect(o).toHaveProperty('value');
      else if (agent === 'deployment-specialist' || agent === 'pisarz') expect(o).toHaveProperty('reward');
      else expect(o).toHaveProperty('label');
    }
    expect(stop.stats()).toMatchObject({ decisions: 500, outcomesSent: outcomes.length, outcomesPending: 0, errors: 0 });
  });

  it('is reproducible by seed and can be restricted to some agents', async () => {
    const a = fakeTarget();
    const b = fakeTarget();
    startDemoWorkload(a.target, { seed: 9, agents: ['pr-manager', 'debugger'], maxDecisions: 50 });
    startDemoWorkload(b.target, { seed: 9, agents: ['pr-manager', 'debugger'], maxDecisions: 50 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(a.decisions).toEqual(b.decisions);
    expect(new Set(a.decisions.map((d) => d.agent))).toEqual(new Set(['pr-manager', 'debugger']));
    expect(a.outcomes).toEqual(b.outcomes);
  });

  it('keeps going when the target fails, counting errors', async () => {
    const { target, decisions } = fakeTarget({ failEvery: 5 });
    const errors: string[] = [];
    const stop = startDemoWorkload(target, { seed: 1, ratePerSecond: 50, onError: (_e, phase) => errors.push(phase) });
    await vi.advanceTimersByTimeAsync(2_000);
    stop();
    expect(decisions).toHaveLength(100);
    expect(errors).toHaveLength(20);
    expect(errors.every((p) => p === 'decide')).toBe(true);
    expect(stop.stats().errors).toBe(20);
  });

  it('rejects a bad rate', () => {
    const { target } = fakeTarget();
    expect(() => startDemoWorkload(target, { ratePerSecond: 0 })).toThrow(/ratePerSecond/);
  });
});
