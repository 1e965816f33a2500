import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { AsyncLearningWriter } from '../../decisions/async-learning-writer.js';
import { FeatureEncoder } from '../learners/feature-encoder.js';
import { createLinearRegression } from '../learners/linear-regression.js';
import { createLogisticRegression } from '../learners/logistic-regression.js';
import { modelFromArtifact } from '../registry/model-artifact.js';
import type { ModelVersion } from '../registry/model-registry.js';
import type { ShadowResultData } from './shadow-result.js';
import { ShadowRunner } from './shadow-runner.js';
import { VersionAuc } from './version-auc.js';

// The shadow path carries a built-in classifier's class probabilities to the ROC AUC:
// artifact → LoadedModel.scoresSync → ShadowPredicted.modelScores → VersionAuc.

describe('shadow results of a built-in classifier carry its class probabilities', () => {
  it('scores that sum to 1, whose argmax is the answer, ranking the outcomes (AUC)', async () => {
    const encoder = new FeatureEncoder([{ name: 'size', type: 'numeric', standardize: false }]);
    const learner = createLogisticRegression({ featureCount: encoder.dimension, learningRate: 0.5 });
    const x = new Float64Array(encoder.dimension);
    const truth = (size: number): string => (size > 0.5 ? 'high' : 'low');
    for (let i = 0; i < 2000; i++) {
      const size = (i * 0.618) % 1;
      learner.partialFit(encoder.encode({ size }, x), truth(size));
    }
    const loaded = modelFromArtifact({ format: 'learner', task: 'classification', encoder: encoder.toJSON(), learner: learner.toJSON() });
    expect(loaded.scoresSync).toBeDefined();
    const model = { ...loaded, version: { agent: 'triage', version: 4 } as ModelVersion };

    const results: ShadowResultData[] = [];
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    const runner = new ShadowRunner({ models: { shadow: () => model }, sink: writer, onResult: (r) => results.push(r) });
    const sizes = Array.from({ length: 60 }, (_, i) => ((i * 0.377) % 1) + 0.001);
    sizes.forEach((size, i) => runner.submit({ decisionId: `d-${i}`, agent: 'triage', unitId: `u-${i}`, features: { size }, served: 'low' }));
    await runner.idle();
    expect(results).toHaveLength(60);

    const auc = new VersionAuc();
    results.forEach((r, i) => {
      const scores = r.modelScores!;
      expect(Object.keys(scores).sort()).toEqual(['high', 'low']);
      expect(scores.high! + scores.low!).toBeCloseTo(1, 12);
      expect(r.modelValue).toBe(scores.high! > scores.low! ? 'high' : 'low');
      auc.addShadow(r);
      auc.addOutcome({ decisionId: r.decisionId, agent: 'triage', label: truth(sizes[i]!), kind: 'explicit' });
    });
    // P(high) rises with size and the truth is size > 0.5: every pair ranked right.
    expect(auc.models()).toEqual([{ agent: 'triage', version: 4, auc: 1, count: 60 }]);
    await writer.close();
  });

  it('a regression learner gives no scores', () => {
    const encoder = new FeatureEncoder([{ name: 'files', type: 'numeric' }]);
    const loaded = modelFromArtifact({
      format: 'learner',
      task: 'regression',
      encoder: encoder.toJSON(),
      learner: createLinearRegression({ featureCount: encoder.dimension }).toJSON(),
    });
    expect(loaded.scoresSync).toBeUndefined();
  });
});
