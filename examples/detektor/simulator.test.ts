import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../src/core/errors.js';
import { DETEKTOR_AGENT_NAMES } from './agent-definition.js';
import { createDetektorSimulator, type DetektorSimulator } from './simulator.js';

const take = (sim: DetektorSimulator, n: number) =>
  Array.from({ length: n }, () => {
    const d = sim.next();
    return { ...d, outcome: sim.outcomeFor(d.unitId) };
  });

describe('createDetektorSimulator', () => {
  it('is reproducible by seed and differs across seeds', () => {
    const a = take(createDetektorSimulator({ seed: 42 }), 500);
    const b = take(createDetektorSimulator({ seed: 42 }), 500);
    const c = take(createDetektorSimulator({ seed: 43 }), 500);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('generates every agent by the mix and units with unique ids', () => {
    const all = take(createDetektorSimulator({ seed: 1 }), 4000);
    const byAgent = new Map<string, number>();
    for (const d of all) byAgent.set(d.agent, (byAgent.get(d.agent) ?? 0) + 1);
    expect([...byAgent.keys()].sort()).toEqual([...DETEKTOR_AGENT_NAMES].sort());
    // code-reviewer (weight 3) is far more frequent than pisarz (weight 0.5)
    expect(byAgent.get('code-reviewer')!).toBeGreaterThan(3 * byAgent.get('pisarz')!);
    expect(new Set(all.map((d) => d.unitId)).size).toBe(all.length);
  });

  it('outcomes are pure: asking again, later, or in another order gives the same answer', () => {
    const sim = createDetektorSimulator({ seed: 5 });
    const ds = Array.from({ length: 300 }, () => sim.next());
    const first = ds.map((d) => sim.outcomeFor(d.unitId));
    const reversed = [...ds].reverse().map((d) => sim.outcomeFor(d.unitId)).reverse();
    expect(reversed).toEqual(first);
  });

  it('has delays, missing outcomes, missing fields and label noise', () => {
    const sim = createDetektorSimulator({ seed: 8 });
    const ds = Array.from({ length: 3000 }, () => sim.next());
    const outcomes = ds.map((d) => sim.outcomeFor(d.unitId));
    const missing = outcomes.filter((o) => o === null).length / outcomes.length;
    expect(missing).toBeGreaterThan(0.02);
    expect(missing).toBeLessThan(0.2);
    for (const o of outcomes) if (o !== null) expect(o.delay).toBeGreaterThanOrEqual(1);
    expect(new Set(outcomes.map((o) => o?.delay)).size).toBeGreaterThan(20);
    const coder = ds.filter((d) => d.agent === 'detektor-coder');
    expect(coder.some((d) => !('assigneeLevel' in d.context))).toBe(true);
    // rules only approximate the truth: they are wrong on a good share of labelled outcomes
    const reviews = ds.flatMap((d, i) => (d.agent === 'code-reviewer' && outcomes[i] !== null ? [[d.deterministic, outcomes[i]!]] as const : []));
    const wrong = reviews.filter(([rule, o]) => 'label' in o && o.label !== rule).length / reviews.length;
    expect(wrong).toBeGreaterThan(0.1);
    expect(wrong).toBeLessThan(0.5);
  });

  it('reward depends on the served action for reward-feedback agents', () => {
    const sim = createDetektorSimulator({ seed: 11 });
    let differs = 0;
    for (let i = 0; i < 200; i++) {
      const d = sim.next('deployment-specialist');
      const outcomes = ['standard', 'canary', 'stage-first'].map((a) => sim.outcomeFor(d.unitId, a));
      if (outcomes[0] === null) continue;
      for (const o of outcomes) expect(o).toHaveProperty('reward');
      expect(sim.outcomeFor(d.unitId)).toEqual(sim.outcomeFor(d.unitId, d.deterministic));
      if (new Set(outcomes.map((o) => (o as { reward: number }).reward)).size > 1) differs++;
    }
    expect(differs).toBeGreaterThan(150);
  });

  it('refuses unknown actions, unknown units and bad options with typed errors', () => {
    const sim = createDetektorSimulator({ seed: 1, maxUnits: 2 });
    const d = sim.next('pisarz');
    expect(() => sim.outcomeFor(d.unitId, 'poem')).toThrow(/not an action/);
    sim.next('debugger');
    sim.next('debugger');
    expect(() => sim.outcomeFor(d.unitId)).toThrow(/unknown or was forgotten/); // evicted beyond maxUnits
    const e = (() => {
      try {
        createDetektorSimulator({ mix: { pisarz: 0 } });
      } catch (err) {
        return err;
      }
    })();
    expect(isApprenticeError(e)).toBe(true);
    expect(() => createDetektorSimulator({ missingFieldRate: 2 })).toThrow(/missingFieldRate/);
    expect(() => sim.next('nobody' as never)).toThrow(/unknown agent/);
  });

  it('restricts the workload to the agents of a custom mix', () => {
    const sim = createDetektorSimulator({ seed: 1, mix: { 'detektor-coder': 1 } });
    for (let i = 0; i < 50; i++) expect(sim.next().agent).toBe('detektor-coder');
    expect(sim.generated).toBe(50);
  });
});
