import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustPValues, type PValueAdjustment } from './adjust-p-values.js';
import { expectClose, reference } from './testing/reference.js';

describe('adjustPValues', () => {
  const rows = reference.adjustPValues as Array<{ pValues: number[]; method: PValueAdjustment; expected: never[] }>;

  it.each(rows.map((r) => [r.method, JSON.stringify(r.pValues), r] as const))('%s of %s matches statsmodels multipletests', (_m, _p, row) => {
    const adjusted = adjustPValues(row.pValues, row.method);
    expect(adjusted).toHaveLength(row.expected.length);
    adjusted.forEach((p, i) => expectClose(p, row.expected[i] ?? null, `p[${i}]`, 1e-12, 1e-15));
  });

  it('rejects p-values outside [0, 1] and unknown methods', () => {
    expect(() => adjustPValues([0.2, 1.2], 'holm')).toThrowError(/pValues.1/);
    expect(() => adjustPValues([0.2], 'sidak' as PValueAdjustment)).toThrowError(/method/);
  });

  const methods: PValueAdjustment[] = ['holm', 'bonferroni', 'benjamini-hochberg'];
  it.each(methods)('%s: adjusted ≥ raw, ≤ 1, and order-preserving (property)', (method) => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), (ps) => {
        const adjusted = adjustPValues(ps, method);
        ps.forEach((p, i) => {
          const q = adjusted[i] as number;
          expect(q).toBeGreaterThanOrEqual(p);
          expect(q).toBeLessThanOrEqual(1);
          ps.forEach((p2, j) => {
            if (p < p2) expect(q).toBeLessThanOrEqual(adjusted[j] as number);
          });
        });
      }),
    );
  });
});
