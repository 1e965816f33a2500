import { describe, expect, it } from 'vitest';
import type { OutcomeData } from '../../core/index.js';
import type { ShadowResultData } from './shadow-result.js';
import reference from './testing/version-auc.reference.json' with { type: 'json' };
import { VersionAuc, windowAuc, type ScoredAnswer } from './version-auc.js';

interface Case {
  readonly name: string;
  readonly window: number;
  readonly samples: readonly (readonly [string, Record<string, number>])[];
  readonly checks: readonly { readonly after: number; readonly auc: number | null }[];
}
const cases = reference.cases as unknown as readonly Case[];

const shadow = (i: number, scores: Record<string, number> | undefined, version = 3): ShadowResultData => ({
  decisionId: `d-${i}`,
  agent: 'triage',
  unitId: `u-${i}`,
  modelVersion: version,
  rulesValue: 'low',
  modelValue: 'x',
  ...(scores ? { modelScores: scores } : {}),
  agree: false,
  latencyMs: 0.1,
});
const outcome = (i: number, label: string): OutcomeData => ({ decisionId: `d-${i}`, agent: 'triage', label, kind: 'explicit' });

describe('VersionAuc equals sklearn roc_auc_score over the window (version-auc.reference.json)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const auc = new VersionAuc({ window: c.window });
      let fed = 0;
      for (const check of c.checks) {
        for (; fed < check.after; fed++) {
          const [truth, scores] = c.samples[fed]!;
          // Both orders occur live: the outcome stored before the shadow result, or after it.
          if (fed % 2 === 0) {
            auc.addShadow(shadow(fed, scores));
            auc.addOutcome(outcome(fed, truth));
          } else {
            auc.addOutcome(outcome(fed, truth));
            auc.addShadow(shadow(fed, scores));
          }
        }
        const got = auc.model('triage', 3);
        if (check.auc === null) expect(got, `after ${check.after}`).toBeUndefined();
        else expect(Math.abs(got! - check.auc), `after ${check.after}: ${got} vs ${check.auc}`).toBeLessThan(1e-12);
      }
      // The stateless form agrees with the feed on the last window.
      const last = c.checks.at(-1)!;
      const window = c.samples.slice(Math.max(0, last.after - c.window), last.after) as unknown as ScoredAnswer[];
      expect(windowAuc(window)).toBeCloseTo(last.auc!, 12);
    });
  }

  it('scores only labelled outcomes of shadow answers with probabilities; the first outcome counts', () => {
    const auc = new VersionAuc();
    auc.addShadow(shadow(1, undefined)); // a model without probabilities (regression, ONNX)
    auc.addOutcome(outcome(1, 'high'));
    auc.addShadow(shadow(2, { high: 0.9, low: 0.1 }));
    auc.addOutcome({ decisionId: 'd-2', agent: 'triage', value: 3, kind: 'explicit' }); // not a label
    expect(auc.models()).toEqual([]);
    auc.addShadow(shadow(3, { high: 0.8, low: 0.2 }));
    auc.addOutcome(outcome(3, 'high'));
    auc.addShadow(shadow(4, { high: 0.3, low: 0.7 }));
    auc.addOutcome(outcome(4, 'low'));
    auc.addOutcome(outcome(4, 'high')); // a later correction does not re-score
    expect(auc.models()).toEqual([{ agent: 'triage', version: 3, auc: 1, count: 2 }]);
    auc.addShadow(shadow(5, { high: 0.9, low: 0.1 }));
    auc.addOutcome(outcome(5, 'low'));
    expect(auc.model('triage', 3)).toBeCloseTo(0.5, 12); // (1 + 0) / 2 pairs ranked right
  });

  it('a restored checkpoint gives the same AUC as the uninterrupted feed', () => {
    const c = cases[0]!;
    const whole = new VersionAuc({ window: c.window });
    const first = new VersionAuc({ window: c.window });
    c.samples.forEach(([truth, scores], i) => {
      whole.addShadow(shadow(i, scores));
      whole.addOutcome(outcome(i, truth));
      if (i < 60) first.addShadow(shadow(i, scores));
      if (i < 55) first.addOutcome(outcome(i, truth));
    });
    const resumed = new VersionAuc({ window: c.window });
    resumed.restore(JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<VersionAuc['snapshot']>);
    c.samples.forEach(([truth, scores], i) => {
      if (i >= 60) resumed.addShadow(shadow(i, scores));
      if (i >= 55) resumed.addOutcome(outcome(i, truth));
    });
    expect(resumed.model('triage', 3)).toBe(whole.model('triage', 3));
    expect(resumed.model('triage', 3)).toBeCloseTo(c.checks.at(-1)!.auc!, 12);
  });
});
