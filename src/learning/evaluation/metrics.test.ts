import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import reference from './testing/reference.json' with { type: 'json' };
import {
  accuracy,
  brierScore,
  f1,
  logLoss,
  mae,
  mape,
  precision,
  r2,
  recall,
  rmse,
  rocAuc,
  rocAucOvr,
} from './index.js';

interface BinaryCase {
  kind: 'binary';
  yTrue: number[];
  yPred: number[];
  scores: number[];
  [k: string]: unknown;
}
interface MultiCase {
  kind: 'multiclass';
  labels: string[];
  yTrue: string[];
  yPred: string[];
  proba: number[][];
  [k: string]: unknown;
}
interface RegCase {
  kind: 'regression';
  yTrue: number[];
  yPred: number[];
  [k: string]: unknown;
}
type Case = BinaryCase | MultiCase | RegCase;
const cases = reference.cases as Case[];
// Absolute 1e-9, relative for large values (MAPE with a zero truth is ~1e16).
const close = (actual: number, expected: unknown): void => {
  const e = expected as number;
  expect(Math.abs(actual - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
};

describe('metrics equal scikit-learn (reference.json, 1e-9)', () => {
  it.each(cases.filter((c): c is BinaryCase => c.kind === 'binary').map((c, i) => [i, c] as const))(
    'binary case %i',
    (_i, c) => {
      close(accuracy(c.yTrue, c.yPred), c.accuracy);
      close(precision(c.yTrue, c.yPred, { average: 'binary', posLabel: 1 }), c.precisionBinary);
      close(recall(c.yTrue, c.yPred, { average: 'binary' }), c.recallBinary);
      close(f1(c.yTrue, c.yPred, { average: 'binary' }), c.f1Binary);
      close(precision(c.yTrue, c.yPred), c.precisionMacro);
      close(recall(c.yTrue, c.yPred), c.recallMacro);
      close(f1(c.yTrue, c.yPred, { average: 'macro' }), c.f1Macro);
      close(rocAuc(c.yTrue, c.scores), c.rocAuc);
      close(logLoss(c.yTrue, c.scores), c.logLoss);
      close(brierScore(c.yTrue, c.scores), c.brierScore);
    },
  );
  it.each(cases.filter((c): c is MultiCase => c.kind === 'multiclass').map((c, i) => [i, c] as const))(
    'multiclass case %i',
    (_i, c) => {
      close(accuracy(c.yTrue, c.yPred), c.accuracy);
      close(precision(c.yTrue, c.yPred), c.precisionMacro);
      close(recall(c.yTrue, c.yPred), c.recallMacro);
      close(f1(c.yTrue, c.yPred), c.f1Macro);
      close(rocAucOvr(c.yTrue, c.proba, { labels: c.labels }), c.rocAucOvr);
      close(logLoss(c.yTrue, c.proba, { labels: c.labels }), c.logLoss);
    },
  );
  it.each(cases.filter((c): c is RegCase => c.kind === 'regression').map((c, i) => [i, c] as const))(
    'regression case %i',
    (_i, c) => {
      close(mae(c.yTrue, c.yPred), c.mae);
      close(rmse(c.yTrue, c.yPred), c.rmse);
      close(mape(c.yTrue, c.yPred), c.mape);
      close(r2(c.yTrue, c.yPred), c.r2);
    },
  );
});

describe('metric properties', () => {
  const labels = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 50 });
  it('classification scores lie in [0, 1] and are 1 for perfect predictions', () => {
    fc.assert(
      fc.property(labels, labels, (t, p) => {
        const n = Math.min(t.length, p.length);
        const yt = t.slice(0, n);
        const yp = p.slice(0, n);
        for (const v of [accuracy(yt, yp), precision(yt, yp), recall(yt, yp), f1(yt, yp)]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(accuracy(yt, yt)).toBe(1);
        expect(f1(yt, yt)).toBe(1);
      }),
    );
  });
  it('ROC AUC of negated scores is 1 − AUC', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 2 }),
        (rows) => {
          const y = rows.map(([b]) => (b ? 1 : 0));
          fc.pre(y.includes(0) && y.includes(1));
          const s = rows.map(([, v]) => v);
          expect(
            rocAuc(y, s) +
              rocAuc(
                y,
                s.map((v) => -v),
              ),
          ).toBeCloseTo(1, 12);
        },
      ),
    );
  });
  it('rejects mismatched lengths, empty input and mixed label types with a ValidationError', () => {
    for (const f of [() => mae([1, 2], [1]), () => accuracy([], []), () => f1([1, 'a'], [1, 'a'])]) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(isValidationError(caught)).toBe(true);
    }
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/only one class/);
  });
});
