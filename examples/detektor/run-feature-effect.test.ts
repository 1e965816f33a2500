import { describe, expect, it } from 'vitest';
import { FEATURE_EFFECT_SCENARIO, runFeatureEffect } from './run-feature-effect.js';

describe('feature-view learning effect (author-reliability world)', () => {
  it('the model with the author view beats the same model without it by at least 10% macro F1', () => {
    const r = runFeatureEffect(FEATURE_EFFECT_SCENARIO);
    expect(r.withView.count).toBe(2000);
    expect(r.improvement).toBeGreaterThanOrEqual(10);
    // Deterministic: the same seed gives the same report.
    expect(runFeatureEffect(FEATURE_EFFECT_SCENARIO).improvement).toBe(r.improvement);
  });

  it('the gain comes from the authors\' history: without a reliability signal the view adds nothing', () => {
    const r = runFeatureEffect({ ...FEATURE_EFFECT_SCENARIO, reliabilitySpread: 0 });
    expect(Math.abs(r.improvement)).toBeLessThan(3);
  });
});
