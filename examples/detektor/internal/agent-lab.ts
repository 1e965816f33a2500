import { ValidationError } from '../../../src/core/errors.js';
import {
  createProgressiveEvaluator,
  type ClassificationEvaluator,
  type RegressionEvaluator,
} from '../../../src/learning/evaluation/index.js';
import { FeatureEncoder, type ClassifierLearner, type RegressorLearner } from '../../../src/learning/learners/index.js';
import type { DetektorAgent } from '../agent-definition.js';
import type { LearnerFactory } from '../learner-factory.js';
import { createRewardEvaluator, type RewardEvaluator } from './reward-evaluator.js';

/** What the model and the rules answered for one unit (kept until its outcome arrives). */
export interface Answers {
  readonly model: string | number;
  /** P(model's answer is the truth) is computed at outcome time from these class probabilities. */
  readonly proba: Float64Array | null;
  readonly rules: string | number;
}

export type Evaluators =
  | { readonly metric: 'mae'; readonly model: RegressionEvaluator; readonly rules: RegressionEvaluator }
  | { readonly metric: 'macroF1'; readonly model: ClassificationEvaluator; readonly rules: ClassificationEvaluator }
  | { readonly metric: 'meanReward'; readonly model: RewardEvaluator; readonly rules: RewardEvaluator };

/**
 * One agent's learning state inside `runSimulation`: feature encoder, learner(s) and the
 * progressive evaluators of model and rules. Label agents get one learner; reward agents a
 * reward regressor per action, the model's answer being the action of highest predicted reward.
 */
export class AgentLab {
  readonly encoder: FeatureEncoder;
  readonly evaluators: Evaluators;
  private readonly classifier: ClassifierLearner | null = null;
  private readonly regressor: RegressorLearner | null = null;
  private readonly perAction: ReadonlyMap<string, RegressorLearner> | null = null;

  constructor(
    readonly agent: DetektorAgent,
    factory: LearnerFactory,
    window: number,
    private readonly warmup: number,
  ) {
    const def = agent.definition;
    this.encoder = new FeatureEncoder(def.features);
    const featureCount = this.encoder.dimension;
    const labels = def.labels ?? [];
    if (def.feedback === 'reward') {
      this.perAction = new Map(labels.map((action) => [action, asRegressor(factory({ agent: def, task: 'regression', featureCount, action }), def.name)]));
      this.evaluators = { metric: 'meanReward', model: createRewardEvaluator(window), rules: createRewardEvaluator(window) };
    } else if (def.kind === 'classification') {
      const learner = factory({ agent: def, task: 'classification', featureCount, classes: labels });
      if (learner.task !== 'classification') throw new ValidationError(`learner for ${def.name} must be a classifier`, [{ path: 'learner', message: 'task must be classification' }]);
      this.classifier = learner;
      this.evaluators = { metric: 'macroF1', model: createProgressiveEvaluator('classification', { window }), rules: createProgressiveEvaluator('classification', { window }) };
    } else {
      this.regressor = asRegressor(factory({ agent: def, task: 'regression', featureCount }), def.name);
      this.evaluators = { metric: 'mae', model: createProgressiveEvaluator('regression', { window }), rules: createProgressiveEvaluator('regression', { window }) };
    }
  }

  /** The model's answer for a context, or the rules' while the model is still warming up. */
  answer(context: Readonly<Record<string, unknown>>, rules: string | number): Answers {
    this.encoder.observe(context);
    const x = this.encoder.encode(context);
    if (this.classifier !== null) {
      if (this.classifier.samplesSeen < this.warmup) return { model: rules, proba: null, rules };
      return { model: this.classifier.predict(x), proba: this.classifier.predictProba(x), rules };
    }
    if (this.regressor !== null) {
      return { model: this.regressor.samplesSeen < this.warmup ? rules : this.regressor.predict(x), proba: null, rules };
    }
    let best: string | number = rules;
    let bestReward = -Infinity;
    for (const [action, learner] of this.perAction!) {
      if (learner.samplesSeen < this.warmup) return { model: rules, proba: null, rules };
      const r = learner.predict(x);
      if (r > bestReward) [best, bestReward] = [action, r];
    }
    return { model: best, proba: null, rules };
  }

  /** Learn a label or value outcome (after the answers were judged against it). */
  learn(context: Readonly<Record<string, unknown>>, truth: string | number): void {
    const x = this.encoder.encode(context);
    if (this.classifier !== null) this.classifier.partialFit(x, String(truth));
    else this.regressor?.partialFit(x, Number(truth));
  }

  /** Learn the reward observed for the action that was served. */
  learnReward(context: Readonly<Record<string, unknown>>, served: string, reward: number): void {
    this.perAction?.get(served)?.partialFit(this.encoder.encode(context), reward);
  }

  /** P(truth) under the model's class probabilities, for log loss. */
  probaOf(proba: Float64Array | null, truth: string): number | undefined {
    if (proba === null || this.classifier === null) return undefined;
    const i = this.classifier.classes.indexOf(truth);
    return i < 0 ? 0 : proba[i];
  }
}

function asRegressor(learner: ClassifierLearner | RegressorLearner, agent: string): RegressorLearner {
  if (learner.task !== 'regression') throw new ValidationError(`learner for ${agent} must be a regressor`, [{ path: 'learner', message: 'task must be regression' }]);
  return learner;
}
