import { describe, expect, it } from 'vitest';
import { srmCheck } from './srm-check.js';
import { expectClose, reference, type Expected } from './testing/reference.js';

describe('srmCheck', () => {
  const rows = reference.srmCheck as Array<{ observed: number[]; weights: number[] | null; expected: Expected }>;

  it.each(rows.map((r) => [JSON.stringify(r.observed), JSON.stringify(r.weights), r] as const))(
    'observed %s with weights %s matches scipy chisquare',
    (_o, _w, row) => {
      const r = srmCheck(row.observed, row.weights ?? undefined);
      expectClose(r.chi2, row.expected.chi2, 'chi2', 1e-9, 1e-12);
      expectClose(r.pValue, row.expected.pValue, 'pValue');
      expect(r.mismatch).toBe(row.expected.mismatch);
      expect(r.degreesOfFreedom).toBe(row.observed.length - 1);
    },
  );

  it('reports no mismatch without units and validates its input', () => {
    expect(srmCheck([0, 0])).toMatchObject({ chi2: 0, pValue: 1, mismatch: false });
    expect(() => srmCheck([10])).toThrowError(/at least 2 arms/);
    expect(() => srmCheck([10, 20], [1])).toThrowError(/one weight per arm/);
    expect(() => srmCheck([10, 2.5], [1, 0])).toThrowError(/observedCounts.1.*expectedWeights.1/);
  });
});
