import { describe, expect, it } from 'vitest';
import { accuracy, f1, mae, r2, rmse } from './index.js';
import { createProgressiveEvaluator } from './progressive.js';

describe('createProgressiveEvaluator', () => {
  it('classification: cumulative equals batch metrics, window covers the last N samples', () => {
    const ev = createProgressiveEvaluator('classification', { window: 3 });
    expect(ev.snapshot().cumulative.accuracy).toBeNull();
    const truth = ['a', 'b', 'a', 'c', 'b', 'a'];
    const pred = ['a', 'a', 'a', 'c', 'c', 'a'];
    truth.forEach((t, i) => ev.update(pred[i]!, t, i === 0 ? 0.5 : undefined));
    const s = ev.snapshot();
    expect(s.cumulative.count).toBe(6);
    expect(s.cumulative.accuracy).toBeCloseTo(accuracy(truth, pred), 12);
    expect(s.cumulative.macroF1).toBeCloseTo(f1(truth, pred), 12);
    expect(s.cumulative.logLoss).toBeCloseTo(Math.log(2), 12);
    expect(s.window.count).toBe(3);
    expect(s.window.accuracy).toBeCloseTo(accuracy(truth.slice(3), pred.slice(3)), 12);
    expect(s.window.macroF1).toBeCloseTo(f1(truth.slice(3), pred.slice(3)), 12);
    expect(s.window.logLoss).toBeNull();
    ev.reset();
    expect(ev.snapshot().cumulative.count).toBe(0);
  });

  it('regression: cumulative and window match batch metrics', () => {
    const ev = createProgressiveEvaluator('regression', { window: 4 });
    const truth = [3, 5, 2.5, 7, 4, 9, 1];
    const pred = [2.5, 5, 3, 8, 4.5, 7, 1.5];
    truth.forEach((t, i) => ev.update(pred[i]!, t));
    const s = ev.snapshot();
    expect(s.cumulative.mae).toBeCloseTo(mae(truth, pred), 12);
    expect(s.cumulative.rmse).toBeCloseTo(rmse(truth, pred), 12);
    expect(s.cumulative.r2).toBeCloseTo(r2(truth, pred), 12);
    expect(s.window.mae).toBeCloseTo(mae(truth.slice(3), pred.slice(3)), 12);
    expect(s.window.r2).toBeCloseTo(r2(truth.slice(3), pred.slice(3)), 12);
  });

  it('rejects a bad window size', () => {
    expect(() => createProgressiveEvaluator('regression', { window: 0 })).toThrow(/window/);
  });
});
