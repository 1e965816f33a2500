/**
 * Learning effect on the Detektor simulator (issue 3 "done when"): after a fixed seed and
 * number of decisions, how much better the online-learned model is than the agents' rules,
 * by progressive validation (predict, then learn when the delayed outcome arrives), over the
 * last 1000 outcomes. A deterministic computation, not a timing.
 */
import { LEARNING_EFFECT_SCENARIO, runSimulation, type AgentSimulationReport } from '../examples/detektor/index.js';
import { runBanditSimulation } from '../examples/detektor/run-bandit.js';
import { DETEKTOR_WORLDS, pisarzAudienceWorld } from '../examples/detektor/worlds/index.js';
import type { ClassificationScores, RegressionScores } from '../src/learning/evaluation/index.js';
import { fig, type BenchSuite, type Figure } from './harness.js';

const pct = (v: number | null): number => v ?? NaN;

const suite: BenchSuite = {
  name: 'learning-effect',
  figures: ['task-estimation-mae-improvement', 'review-first-pass-improvement', 'bandit-reward-improvement'],
  async run(only) {
    const report = runSimulation(LEARNING_EFFECT_SCENARIO);
    const scenario = `seed ${report.seed}, ${report.decisions} decisions across 8 agents`;
    const figures: Figure[] = [];
    const coder = report.agents['detektor-coder'] as AgentSimulationReport;
    const review = report.agents['code-reviewer'] as AgentSimulationReport;
    if (!only || only === 'task-estimation-mae-improvement') {
      const m = coder.model.window as RegressionScores;
      const r = coder.rules.window as RegressionScores;
      const value = pct(coder.improvement.window);
      figures.push(
        fig({
          name: 'task-estimation-mae-improvement',
          value,
          unit: '%',
          target: '>= 20',
          ok: value >= 20,
          note: `MAE model ${m.mae?.toFixed(2)} h vs rules ${r.mae?.toFixed(2)} h (last ${m.count} outcomes); cumulative ${pct(coder.improvement.cumulative).toFixed(1)}%; ${scenario}`,
        }),
      );
    }
    if (!only || only === 'review-first-pass-improvement') {
      const m = review.model.window as ClassificationScores;
      const r = review.rules.window as ClassificationScores;
      const value = pct(review.improvement.window);
      figures.push(
        fig({
          name: 'review-first-pass-improvement',
          value,
          unit: '%',
          target: '>= 15',
          ok: value >= 15,
          note: `macro F1 model ${m.macroF1?.toFixed(3)} vs rules ${r.macroF1?.toFixed(3)}, accuracy ${m.accuracy?.toFixed(3)} vs ${r.accuracy?.toFixed(3)} (last ${m.count} outcomes); cumulative F1 gain ${pct(review.improvement.cumulative).toFixed(1)}%; ${scenario}`,
        }),
      );
    }
    if (!only || only === 'bandit-reward-improvement') {
      // Issue 12: a contextual bandit (LinUCB + 5% exploration budget) serving the reward agent
      // instead of its rules; the rules judged on the same units by the world's counterfactual.
      const r = runBanditSimulation(pisarzAudienceWorld, { seed: 1 });
      const others = (['deployment-specialist', 'pisarz'] as const).map((a) => {
        const o = runBanditSimulation(DETEKTOR_WORLDS[a], { seed: 1 });
        return `${a} world ${o.window.improvement.toFixed(1)}% (budget used ${(o.exploration.share * 100).toFixed(1)}%)`;
      });
      figures.push(
        fig({
          name: 'bandit-reward-improvement',
          value: r.window.improvement,
          unit: '%',
          target: '>= 15',
          ok: r.window.improvement >= 15 && r.exploration.share <= r.exploration.budget,
          note: `pisarz audience world: mean reward bandit ${r.window.bandit.toFixed(3)} vs rules ${r.window.rules.toFixed(3)} (last ${r.window.count} of ${r.decisions} decisions, seed 1), exploration ${(r.exploration.share * 100).toFixed(2)}% of decisions ≤ budget ${r.exploration.budget * 100}%; also ${others.join(', ')}`,
        }),
      );
    }
    return figures;
  },
};

export default suite;
