import type { AgentDefinition } from '../../decisions/index.js';
import {
  createProgressiveEvaluator,
  type ClassificationEvaluator,
  type ProgressiveState,
  type RegressionEvaluator,
} from '../evaluation/index.js';
import {
  FeatureEncoder,
  learnerFromJSON,
  type FeatureEncoderJSON,
  createHoeffdingTree,
  createLinearRegression,
  createLogisticRegression,
  createOzaBagging,
  type AnyLearner,
  type ClassifierLearner,
  type LearnerJSON,
  type RegressorLearner,
} from '../learners/index.js';
import type { JsonArtifact } from '../registry/model-artifact.js';
import { LinUcb, type LinUcbJSON } from '../bandits/lin-ucb.js';

/** One joined training row: the decision's features and rules' answer, and its outcome. */
export interface TrainingRow {
  readonly features: Readonly<Record<string, unknown>>;
  /** The rules' answer (always logged with the decision). */
  readonly deterministic: unknown;
  /** The answer that was served (for reward feedback: the action whose reward we learn). */
  readonly served: unknown;
  readonly label?: string | undefined;
  readonly value?: number | undefined;
  readonly reward?: number | undefined;
}

/** Progressive-validation figures (recent window) used as version metrics. */
export type TrainingMetrics = Readonly<Record<string, number | null>>;

type Fit = { kind: 'classification'; learner: ClassifierLearner & AnyLearner; model: ClassificationEvaluator; rules: ClassificationEvaluator }
  | { kind: 'regression'; learner: RegressorLearner & AnyLearner; model: RegressionEvaluator; rules: RegressionEvaluator }
  | { kind: 'reward'; actions: readonly string[]; learners: (RegressorLearner & AnyLearner)[]; bandit: LinUcb | undefined; served: number; rulesReward: number; matches: number; modelReward: number };

/**
 * The whole training state of an agent (a checkpoint): learner(s), encoder statistics and the
 * progressive evaluators. `AgentTrainer.fromJSON` resumes exactly where `toJSON` left off.
 */
export interface AgentTrainerState {
  readonly samples: number;
  readonly encoder: FeatureEncoderJSON;
  readonly learners: readonly LearnerJSON[];
  readonly evaluators?: readonly [model: ProgressiveState, rules: ProgressiveState];
  /** Reward agents: served, rulesReward, matches, modelReward. */
  readonly reward?: readonly [number, number, number, number];
  /** Reward agents exploring by LinUCB: its state. */
  readonly bandit?: LinUcbJSON;
}

const params = (def: AgentDefinition): Record<string, unknown> => ({ ...(def.learner?.params ?? {}) });

/**
 * Incremental training of one agent's model with progressive validation: each row is first
 * predicted by the model (and judged against the rules' logged answer on the same outcome),
 * then learned. Reward agents learn one reward regressor per action and serve the argmax.
 */
export class AgentTrainer {
  readonly def: AgentDefinition;
  readonly encoder: FeatureEncoder;
  #fit: Fit;
  #samples = 0;
  #x: Float64Array;

  constructor(def: AgentDefinition, window = 500, state?: AgentTrainerState) {
    this.def = def;
    this.encoder = state ? FeatureEncoder.fromJSON(state.encoder) : new FeatureEncoder(def.features);
    this.#x = new Float64Array(this.encoder.dimension);
    const featureCount = this.encoder.dimension;
    const p = params(def);
    if (def.feedback === 'reward') {
      const actions = def.labels ?? [];
      // Agents exploring by LinUCB also keep its state, so the served model gives confidence bonuses.
      const bandit = def.exploration?.strategy === 'lin-ucb' && actions.length > 0 ? new LinUcb({ actions: actions.length, featureCount, ...(typeof p.alpha === 'number' ? { alpha: p.alpha } : {}) }) : undefined;
      this.#fit = { kind: 'reward', actions, learners: actions.map(() => createLinearRegression({ ...p, featureCount }) as RegressorLearner & AnyLearner), bandit, served: 0, rulesReward: 0, matches: 0, modelReward: 0 };
    } else if (def.kind === 'regression') {
      this.#fit = { kind: 'regression', learner: createLinearRegression({ ...p, featureCount }) as RegressorLearner & AnyLearner, model: createProgressiveEvaluator('regression', { window }), rules: createProgressiveEvaluator('regression', { window }) };
    } else {
      const classes = def.labels ?? [];
      const type = def.learner?.type ?? 'logistic-regression';
      const learner =
        type === 'hoeffding-tree' ? createHoeffdingTree({ ...p, featureCount }) : type === 'oza-bagging' ? createOzaBagging({ ...p, featureCount }) : createLogisticRegression({ ...p, featureCount, classes });
      this.#fit = { kind: 'classification', learner: learner as ClassifierLearner & AnyLearner, model: createProgressiveEvaluator('classification', { window }), rules: createProgressiveEvaluator('classification', { window }) };
    }
    if (state) this.#restore(state, window);
  }

  /** Resume from a checkpoint; its shape must match this definition (else `ModelInvalidError`/`ValidationError`). */
  static fromJSON(def: AgentDefinition, state: AgentTrainerState, window = 500): AgentTrainer {
    return new AgentTrainer(def, window, state);
  }

  #restore(state: AgentTrainerState, window: number): void {
    const f = this.#fit;
    const learners = state.learners.map((l) => learnerFromJSON(l));
    if (f.kind === 'reward') {
      if (learners.length !== f.actions.length || !state.reward) throw new Error('trainer state does not match the reward agent');
      f.learners = learners as (RegressorLearner & AnyLearner)[];
      if (f.bandit && state.bandit) f.bandit = LinUcb.fromJSON(state.bandit);
      [f.served, f.rulesReward, f.matches, f.modelReward] = state.reward;
    } else {
      if (learners.length !== 1 || !state.evaluators) throw new Error('trainer state does not match the agent');
      f.learner = learners[0] as never;
      const [model, rules] = state.evaluators;
      f.model = createProgressiveEvaluator(f.kind as 'classification', { window, state: model }) as never;
      f.rules = createProgressiveEvaluator(f.kind as 'classification', { window, state: rules }) as never;
    }
    this.#samples = state.samples;
  }

  /** The whole training state (see `AgentTrainerState`). */
  toJSON(): AgentTrainerState {
    const f = this.#fit;
    const encoder = this.encoder.toJSON();
    if (f.kind === 'reward')
      return {
        samples: this.#samples,
        encoder,
        learners: f.learners.map((l) => l.toJSON() as LearnerJSON),
        reward: [f.served, f.rulesReward, f.matches, f.modelReward],
        ...(f.bandit ? { bandit: f.bandit.toJSON() } : {}),
      };
    return { samples: this.#samples, encoder, learners: [f.learner.toJSON() as LearnerJSON], evaluators: [f.model.toJSON(), f.rules.toJSON()] };
  }

  get samples(): number {
    return this.#samples;
  }

  /** Predict-then-learn one row. Rows without the feedback this agent expects are ignored (false). */
  learn(row: TrainingRow): boolean {
    const f = this.#fit;
    const x = this.encoder.encode(row.features, this.#x);
    switch (f.kind) {
      case 'classification': {
        if (row.label === undefined) return false;
        if (f.learner.samplesSeen > 0) {
          const proba = f.learner.predictProba(x);
          const i = f.learner.classes.indexOf(row.label);
          f.model.update(f.learner.predict(x), row.label, i >= 0 ? proba[i] : 0);
        }
        f.rules.update(String(row.deterministic), row.label);
        this.encoder.observe(row.features);
        f.learner.partialFit(this.encoder.encode(row.features, this.#x), row.label);
        break;
      }
      case 'regression': {
        if (row.value === undefined) return false;
        if (f.learner.samplesSeen > 0) f.model.update(f.learner.predict(x), row.value);
        if (typeof row.deterministic === 'number') f.rules.update(row.deterministic, row.value);
        this.encoder.observe(row.features);
        f.learner.partialFit(this.encoder.encode(row.features, this.#x), row.value);
        break;
      }
      case 'reward': {
        const a = f.actions.indexOf(String(row.served));
        if (row.reward === undefined || a < 0) return false;
        f.served++;
        f.rulesReward += row.reward;
        if (f.learners.some((l) => l.samplesSeen > 0) && this.#best(x) === a) {
          f.matches++;
          f.modelReward += row.reward;
        }
        this.encoder.observe(row.features);
        const fit = this.encoder.encode(row.features, this.#x);
        f.learners[a]!.partialFit(fit, row.reward);
        f.bandit?.partialFit(fit, a, row.reward);
        break;
      }
    }
    this.#samples++;
    return true;
  }

  #best(x: Float64Array): number {
    const f = this.#fit as Extract<Fit, { kind: 'reward' }>;
    if (f.bandit) {
      // The served answer of a LinUCB artifact: the argmax of its means.
      const { means } = f.bandit.scores(x);
      return means.reduce((b, v, i) => (v > means[b]! ? i : b), 0);
    }
    let best = 0;
    let bestValue = -Infinity;
    f.learners.forEach((l, i) => {
      const v = l.predict(x);
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    });
    return best;
  }

  /** Progressive figures for the model and the rules on the same outcomes. */
  metrics(): TrainingMetrics {
    const f = this.#fit;
    if (f.kind === 'classification') {
      const m = f.model.snapshot().window;
      const r = f.rules.snapshot().window;
      return { samples: this.#samples, 'model.accuracy': m.accuracy, 'model.macroF1': m.macroF1, 'model.logLoss': m.logLoss, 'rules.accuracy': r.accuracy, 'rules.macroF1': r.macroF1 };
    }
    if (f.kind === 'regression') {
      const m = f.model.snapshot().window;
      const r = f.rules.snapshot().window;
      return { samples: this.#samples, 'model.mae': m.mae, 'model.rmse': m.rmse, 'model.r2': m.r2, 'rules.mae': r.mae, 'rules.rmse': r.rmse };
    }
    return {
      samples: this.#samples,
      'rules.meanReward': f.served > 0 ? f.rulesReward / f.served : null,
      'model.replayMeanReward': f.matches > 0 ? f.modelReward / f.matches : null,
      'model.replayMatches': f.matches,
    };
  }

  /** One number, higher is better, to compare versions: accuracy, −MAE, or replay reward. */
  score(): number | null {
    const m = this.metrics();
    const f = this.#fit;
    if (f.kind === 'classification') return m['model.accuracy'] ?? null;
    if (f.kind === 'regression') {
      const mae = m['model.mae'];
      return mae === null || mae === undefined ? null : -mae;
    }
    return m['model.replayMeanReward'] ?? null;
  }

  /** Quality pair for the accuracy breaker (higher is better for both). */
  quality(): { model: number; rules: number } | null {
    const m = this.metrics();
    const f = this.#fit;
    const pair = (a: number | null | undefined, b: number | null | undefined): { model: number; rules: number } | null => (a === null || a === undefined || b === null || b === undefined ? null : { model: a, rules: b });
    if (f.kind === 'classification') return pair(m['model.accuracy'], m['rules.accuracy']);
    if (f.kind === 'regression') {
      const a = m['model.mae'];
      const b = m['rules.mae'];
      return a === null || a === undefined || b === null || b === undefined ? null : { model: 1 / (1 + a), rules: 1 / (1 + b) };
    }
    return pair(m['model.replayMeanReward'], m['rules.meanReward']);
  }

  /** The model file of the current state. */
  artifact(): JsonArtifact {
    const f = this.#fit;
    const encoder = this.encoder.toJSON();
    if (f.kind === 'reward')
      return { format: 'reward', task: 'classification', encoder, actions: f.actions, learners: f.learners.map((l) => l.toJSON() as LearnerJSON), ...(f.bandit ? { bandit: f.bandit.toJSON() } : {}) };
    return { format: 'learner', task: f.kind, encoder, learner: f.learner.toJSON() as LearnerJSON };
  }
}
