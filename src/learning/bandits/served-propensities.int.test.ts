/**
 * A trained LinUCB reward model through the real decide path (issue 12): trainer → artifact (with
 * its LinUCB state) → registry file → ServingModels → DecisionEngine with the BanditExplorer.
 * The model arm explores by upper confidence bound (not ε-greedy around the greedy answer), and
 * every `DecisionMade` carries the served action's exact probability under that policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionData, NewEvent } from '../../core/events.js';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import { AsyncLearningWriter } from '../../decisions/async-learning-writer.js';
import { DecisionEngine, extractFeatures } from '../../decisions/decision-engine.js';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { ServingModels } from '../registry/serving-models.js';
import { SeededRandom } from '../learners/internal/random.js';
import { AgentTrainer } from '../training/agent-trainer.js';
import { BanditExplorer } from './explorer.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ACTIONS = ['standard', 'canary', 'stage-first'];
const EPSILON = 0.1;
const def = parseAgentDefinition({
  name: 'deployer',
  kind: 'classification',
  labels: ACTIONS,
  feedback: 'reward',
  features: [{ name: 'risk', type: 'numeric' }],
  // A loaded test machine must not turn a prediction into a TIMEOUT fallback (the rules' answer).
  timeBudgetMs: 60_000,
  // Budget 1: every decision may explore, so each propensity follows from the model's scores alone.
  exploration: { strategy: 'lin-ucb', budget: 1, epsilon: EPSILON, minEpsilon: EPSILON },
});
/** Expected reward: standard is best at low risk, canary at high risk; stage-first is middling. */
const expected = (action: string, risk: number): number => (action === 'standard' ? 0.9 - 0.8 * risk : action === 'canary' ? 0.1 + 0.8 * risk : 0.5);

describe('served propensities of a trained LinUCB reward model', () => {
  it('the ml arm serves the UCB-best action and logs its exact probability', async () => {
    const r11 = new SeededRandom(11);
    const rnd = (): number => r11.next();
    const trainer = new AgentTrainer(def);
    for (let i = 0; i < 600; i++) {
      const risk = rnd();
      // stage-first was rarely tried: its confidence bonus stays wide.
      const served = i % 100 === 0 ? 'stage-first' : rnd() < 0.5 ? 'standard' : 'canary';
      trainer.learn({ features: { risk }, deterministic: 'standard', served, reward: expected(served, risk) + (rnd() - 0.5) * 0.2 });
    }
    const artifact = trainer.artifact();
    expect(artifact).toMatchObject({ format: 'reward', bandit: { type: 'lin-ucb', actions: 3, samples: 600 } });

    const dir = mkdtempSync(join(tmpdir(), 'apprentice-propensity-'));
    dirs.push(dir);
    const registry = new ModelRegistry({ dir });
    const v = await registry.register('deployer', { format: 'reward', artifact });
    registry.setAlias('deployer', 'canary', v.version, { actor: 'test' });
    const serving = new ServingModels(registry);
    await serving.refreshAll();
    const model = serving.serving('deployer')!;
    expect(model.actions).toEqual(ACTIONS);

    const recorded: NewEvent[] = [];
    const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => recorded.push(e) });
    const r12 = new SeededRandom(12);
    const draws = (): number => r12.next();
    const engine = new DecisionEngine({
      writer,
      agents: () => def,
      models: serving,
      router: () => ({ variant: 'ml', propensity: 1 }),
      explorer: new BanditExplorer({ random: draws }),
    });
    let ucbNotGreedy = 0;
    let servedUcbNotGreedy = 0;
    for (let i = 0; i < 400; i++) {
      const risk = i / 400;
      const d = engine.decide('deployer', `deploy-${i}`, { risk }, 'standard');
      // The probability recomputed from what the served model says about this context.
      const { scores, bonuses } = model.actionScores!(extractFeatures(def, { risk }));
      expect(bonuses).toHaveLength(3);
      const argmax = (v: readonly number[]): number => v.reduce((b, x, j) => (x > v[b]! ? j : b), 0);
      const greedy = ACTIONS[argmax(scores)]!;
      const ucb = ACTIONS[argmax(scores.map((s, j) => s + bonuses![j]!))]!;
      const p = d.value === ucb ? 1 - EPSILON : EPSILON / (ACTIONS.length - 1);
      expect(d).toMatchObject({ source: 'ml', modelVersion: v.version, variant: 'ml' });
      expect(d.actionPropensity).toBeCloseTo(p, 12);
      if (ucb !== greedy) {
        ucbNotGreedy++;
        if (d.value === ucb) servedUcbNotGreedy++;
      }
    }
    await writer.close();
    const made = recorded.filter((e) => e.type === 'DecisionMade').map((e) => e.data as DecisionData);
    expect(made).toHaveLength(400);
    // What was logged is what was served, with the same propensity.
    for (const m of made) expect(m.actionPropensity).toBeGreaterThan(0);
    const byUnit = new Map(made.map((m) => [m.unitId, m]));
    for (let i = 0; i < 400; i++) {
      const risk = i / 400;
      const { scores, bonuses } = model.actionScores!(extractFeatures(def, { risk }));
      const ucb = ACTIONS[scores.map((s, j) => s + bonuses![j]!).reduce((b, x, j, a) => (x > a[b]! ? j : b), 0)]!;
      const m = byUnit.get(`deploy-${i}`)!;
      expect(m.actionPropensity).toBeCloseTo(m.value === ucb ? 1 - EPSILON : EPSILON / 2, 12);
    }
    // LinUCB, not ε-greedy: where the bonus changes the answer, the model arm mostly serves the UCB-best action.
    expect(ucbNotGreedy).toBeGreaterThan(10);
    expect(servedUcbNotGreedy / ucbNotGreedy).toBeGreaterThan(0.8);
    await serving.close();
  });

  it('a checkpointed trainer resumes its LinUCB state: stop, restore, continue equals never stopping', () => {
    const rows = Array.from({ length: 300 }, (_, i) => {
      const risk = (i * 37) % 100 / 100;
      const served = ACTIONS[i % 3]!;
      return { features: { risk }, deterministic: 'standard', served, reward: expected(served, risk) };
    });
    const straight = new AgentTrainer(def);
    rows.forEach((r) => straight.learn(r));
    const first = new AgentTrainer(def);
    rows.slice(0, 150).forEach((r) => first.learn(r));
    const resumed = AgentTrainer.fromJSON(def, JSON.parse(JSON.stringify(first.toJSON())));
    rows.slice(150).forEach((r) => resumed.learn(r));
    expect(resumed.artifact().format === 'reward' && resumed.artifact()).toEqual(straight.artifact());
    expect((resumed.artifact() as { bandit?: { samples: number } }).bandit?.samples).toBe(300);
  });
});
