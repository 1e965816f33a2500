import { describe, expect, it } from 'vitest';
import type { ClassificationScores } from '../../src/learning/evaluation/index.js';
import { createLinearRegression, createLogisticRegression } from '../../src/learning/learners/index.js';
import { DETEKTOR_AGENT_NAMES } from './agent-definition.js';
import type { LearnerRequest } from './learner-factory.js';
import { LEARNING_EFFECT_SCENARIO as LEARNING_EFFECT_RUN, runSimulation } from './run-simulation.js';

describe('runSimulation', () => {
  const report = runSimulation(LEARNING_EFFECT_RUN);

  it('learns a task estimator with MAE at least 20% below the rules (detektor-coder)', () => {
    const coder = report.agents['detektor-coder']!;
    expect(coder.metric).toBe('mae');
    expect(coder.outcomes).toBeGreaterThan(5000);
    expect(coder.improvement.window!).toBeGreaterThanOrEqual(20);
    expect(coder.improvement.cumulative!).toBeGreaterThanOrEqual(20);
  });

  it('predicts first-pass review success at least 15% better than the rules (code-reviewer macro F1)', () => {
    const review = report.agents['code-reviewer']!;
    expect(review.metric).toBe('macroF1');
    expect(review.improvement.window!).toBeGreaterThanOrEqual(15);
    expect(review.improvement.cumulative!).toBeGreaterThanOrEqual(15);
    const model = review.model.window as ClassificationScores;
    const rules = review.rules.window as ClassificationScores;
    expect(model.accuracy! / rules.accuracy!).toBeGreaterThanOrEqual(1.15);
  });

  it('reports every agent with consistent counts and finite scores', () => {
    expect(Object.keys(report.agents).sort()).toEqual([...DETEKTOR_AGENT_NAMES].sort());
    let total = 0;
    for (const a of Object.values(report.agents)) {
      total += a.decisions;
      expect(a.outcomes + a.missingOutcomes + a.pendingOutcomes).toBe(a.decisions);
      expect(a.missingOutcomes).toBeGreaterThan(0);
      expect(Number.isFinite(a.improvement.cumulative)).toBe(true);
    }
    expect(total).toBe(LEARNING_EFFECT_RUN.decisions);
    expect(report.agents.pisarz!.metric).toBe('meanReward');
  });

  it('is a deterministic function of its options', () => {
    const a = runSimulation({ seed: 4, decisions: 1500, agents: ['pr-manager', 'deployment-specialist'] });
    const b = runSimulation({ seed: 4, decisions: 1500, agents: ['pr-manager', 'deployment-specialist'] });
    expect(b).toEqual(a);
    expect(Object.keys(a.agents).sort()).toEqual(['deployment-specialist', 'pr-manager']);
  });

  it('trains the learners the factory builds: one per label agent, one per action for reward agents', () => {
    const requests: LearnerRequest[] = [];
    runSimulation({
      seed: 2,
      decisions: 400,
      agents: ['debugger', 'pisarz', 'detektor-coder'],
      learner: (r) => {
        requests.push(r);
        return r.task === 'classification' ? createLogisticRegression({ featureCount: r.featureCount, classes: r.classes }) : createLinearRegression({ featureCount: r.featureCount });
      },
    });
    expect(requests.map((r) => `${r.agent.name}:${r.task}:${'action' in r ? r.action : ''}`).sort()).toEqual([
      'debugger:classification:',
      'detektor-coder:regression:',
      'pisarz:regression:full-guide',
      'pisarz:regression:how-to',
      'pisarz:regression:short-note',
    ]);
  });

  it('refuses bad options and learners of the wrong task', () => {
    expect(() => runSimulation({ decisions: -1 })).toThrow(/decisions/);
    expect(() => runSimulation({ agents: [] })).toThrow(/at least one agent/);
    expect(() => runSimulation({ exploration: 2 })).toThrow(/exploration/);
    expect(() => runSimulation({ decisions: 10, agents: ['debugger'], learner: (r) => createLinearRegression({ featureCount: r.featureCount }) })).toThrow(/must be a classifier/);
  });
});
