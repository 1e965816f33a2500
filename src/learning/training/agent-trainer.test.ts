import { describe, expect, it } from 'vitest';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import { modelFromArtifact } from '../registry/model-artifact.js';
import { AgentTrainer } from './agent-trainer.js';

describe('AgentTrainer', () => {
  it('reward feedback: learns a reward model per action and serves the best action', () => {
    const def = parseAgentDefinition({
      name: 'deployment-specialist',
      kind: 'classification',
      labels: ['standard', 'canary'],
      feedback: 'reward',
      features: [{ name: 'risky', type: 'boolean' }],
    });
    const t = new AgentTrainer(def);
    // Ground truth: canary pays off on risky changes, standard on safe ones. Actions were explored evenly.
    for (let i = 0; i < 800; i++) {
      const risky = i % 2 === 0;
      const action = i % 4 < 2 ? 'standard' : 'canary';
      const reward = (risky ? action === 'canary' : action === 'standard') ? 1 : 0;
      expect(t.learn({ features: { risky }, deterministic: 'standard', served: action, reward })).toBe(true);
    }
    expect(t.learn({ features: { risky: true }, deterministic: 'standard', served: 'standard', label: 'x' })).toBe(false);
    const m = modelFromArtifact(t.artifact());
    expect(m.predictSync!({ risky: true })).toBe('canary');
    expect(m.predictSync!({ risky: false })).toBe('standard');
    expect(t.metrics()['model.replayMeanReward']!).toBeGreaterThan(t.metrics()['rules.meanReward']!);
  });

  it('label feedback: predict-then-learn scores the model and the rules on the same outcomes', () => {
    const def = parseAgentDefinition({
      name: 'code-reviewer',
      kind: 'classification',
      labels: ['approve', 'reject'],
      features: [{ name: 'coverageDelta', type: 'numeric' }],
    });
    const t = new AgentTrainer(def, 200);
    for (let i = 0; i < 600; i++) {
      const coverageDelta = ((i * 7919) % 200) / 10 - 10;
      t.learn({ features: { coverageDelta }, deterministic: 'approve', served: 'approve', label: coverageDelta < 0 ? 'reject' : 'approve' });
    }
    const m = t.metrics();
    expect(m['rules.accuracy']).toBeCloseTo(0.5, 1);
    expect(m['model.accuracy']!).toBeGreaterThan(0.9);
    expect(t.score()).toBe(m['model.accuracy']);
    expect(t.quality()).toEqual({ model: m['model.accuracy'], rules: m['rules.accuracy'] });
  });
});
