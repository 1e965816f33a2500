import { describe, expect, it } from 'vitest';
import { runBanditSimulation } from './run-bandit.js';
import { delayedDeploymentWorld, pisarzAudienceWorld } from './worlds/index.js';

describe('runBanditSimulation (seeded)', () => {
  it('beats the rules by ≥ 15% over the last 1,000 decisions in a context-dependent reward world, within a 5% exploration budget', () => {
    const r = runBanditSimulation(pisarzAudienceWorld, { seed: 1, decisions: 4000 });
    expect(r.window.improvement).toBeGreaterThanOrEqual(15);
    expect(r.exploration.share).toBeLessThanOrEqual(0.05);
    expect(r.exploration.explored).toBeGreaterThan(0);
    // Every logged propensity is a probability, and a greedy decision's is at least 1 − budget.
    for (const l of r.log) {
      expect(l.propensity).toBeGreaterThan(0);
      expect(l.propensity).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic for a seed and learns under action-dependent label delays', () => {
    const a = runBanditSimulation(delayedDeploymentWorld, { seed: 3, decisions: 1500 });
    const b = runBanditSimulation(delayedDeploymentWorld, { seed: 3, decisions: 1500 });
    expect(a.window).toEqual(b.window);
    expect(a.exploration.share).toBeLessThanOrEqual(0.05);
  });

  it('rejects a label agent', async () => {
    const { DETEKTOR_WORLDS } = await import('./worlds/index.js');
    expect(() => runBanditSimulation(DETEKTOR_WORLDS['code-reviewer'])).toThrow(/not a reward agent/);
  });
});
