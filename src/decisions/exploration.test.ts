import { describe, expect, it } from 'vitest';
import type { DecisionData } from '../core/index.js';
import type { AgentDefinition } from './agents/agent-definition.js';
import { parseAgentDefinition } from './agents/agent-definition.js';
import type { AsyncLearningWriter } from './async-learning-writer.js';
import { DecisionEngine } from './decision-engine.js';
import type { DecisionExplorer, ExplorationRequest } from './model-seams.js';

const def = (exploration?: unknown): AgentDefinition =>
  parseAgentDefinition({
    name: 'deployment-specialist',
    kind: 'classification',
    labels: ['standard', 'canary', 'stage-first'],
    feedback: 'reward',
    features: [{ name: 'lines', type: 'numeric' }],
    ...(exploration ? { exploration } : {}),
  });

function harness(d: AgentDefinition, explorer: DecisionExplorer) {
  const recorded: Omit<DecisionData, 'decisionId'>[] = [];
  const writer = { recordDecision: (x: Omit<DecisionData, 'decisionId'>) => (recorded.push(x), `d-${recorded.length}`) } as unknown as AsyncLearningWriter;
  const engine = new DecisionEngine({ writer, agents: () => d, explorer });
  return { engine, recorded };
}

describe('decision path: exploration of reward agents', () => {
  it('serves the explorer\'s action with its propensity in the DecisionMade event, reason EXPLORE', () => {
    const requests: ExplorationRequest[] = [];
    const explorer: DecisionExplorer = { choose: (r) => (requests.push(r), { action: 'canary', propensity: 0.025, explored: true }) };
    const { engine, recorded } = harness(def({ strategy: 'epsilon-greedy', forbidden: ['stage-first'] }), explorer);
    const d = engine.decide('deployment-specialist', 'deploy-1', { lines: 3 }, 'standard');
    expect(d).toMatchObject({ value: 'canary', source: 'deterministic', reason: 'EXPLORE', actionPropensity: 0.025, propensity: 1 });
    expect(recorded[0]).toMatchObject({ value: 'canary', deterministic: 'standard', reason: 'EXPLORE', actionPropensity: 0.025 });
    expect(requests[0]).toMatchObject({ greedy: 'standard', allowed: ['standard', 'canary'], spec: { budget: 0.05, strategy: 'epsilon-greedy' } });
  });

  it('logs the greedy action\'s propensity when exploration does not fire', () => {
    const { engine, recorded } = harness(def({ strategy: 'epsilon-greedy' }), { choose: (r) => ({ action: r.greedy, propensity: 0.95, explored: false }) });
    expect(engine.decide('deployment-specialist', 'deploy-2', {}, 'standard')).toMatchObject({ value: 'standard', reason: 'RULES', actionPropensity: 0.95 });
    expect(recorded[0]!.actionPropensity).toBe(0.95);
  });

  it('does not explore without a spec, and a failing explorer serves the rules\' answer', () => {
    const { engine, recorded } = harness(def(), { choose: () => ({ action: 'canary', propensity: 0.5, explored: true }) });
    expect(engine.decide('deployment-specialist', 'deploy-3', {}, 'standard')).toMatchObject({ value: 'standard', reason: 'RULES' });
    expect(recorded[0]!.actionPropensity).toBeUndefined();
    const broken = harness(def({ strategy: 'softmax' }), {
      choose: () => {
        throw new Error('explorer down');
      },
    });
    expect(broken.engine.decide('deployment-specialist', 'deploy-4', {}, 'standard')).toMatchObject({ value: 'standard', reason: 'RULES' });
  });

  it('the definition refuses exploration of a label agent and a forbidden action that is no label', () => {
    const issues = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return (e as { issues?: unknown }).issues;
      }
      return undefined;
    };
    expect(issues(() => def({ strategy: 'epsilon-greedy', forbidden: ['yolo'] }))).toEqual([{ path: 'exploration.forbidden.0', message: '"yolo" is not one of the agent\'s labels' }]);
    expect(() =>
      parseAgentDefinition({ name: 'x', kind: 'classification', labels: ['a', 'b'], feedback: 'label', features: [{ name: 'f', type: 'numeric' }], exploration: { strategy: 'softmax' } }),
    ).toThrow(/invalid agent definition/);
  });
});
