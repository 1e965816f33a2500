import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportTraining, trainingRow } from './training-export.js';

describe('k-anonymous training export', () => {
  it('every released row shares its quasi-identifiers with at least k−1 others', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            team: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            lines: fc.integer({ min: 0, max: 5000 }),
            y: fc.boolean(),
          }),
          { minLength: 0, maxLength: 120 },
        ),
        fc.integer({ min: 2, max: 8 }),
        (raw, k) => {
          const rows = raw.map((r) =>
            trainingRow({
              features: { team: r.team, lines: r.lines },
              value: r.y ? 'approve' : 'reject',
              outcome_reward: 1,
            }),
          );
          const out = exportTraining(rows, { k, quasi: ['team', 'lines'] });
          const classes = new Map<string, number>();
          for (const r of out.rows)
            classes.set(
              JSON.stringify([r.team, r.lines]),
              (classes.get(JSON.stringify([r.team, r.lines])) ?? 0) + 1,
            );
          for (const n of classes.values()) expect(n).toBeGreaterThanOrEqual(k);
          expect(out.rows.length + out.suppressed).toBe(rows.length);
        },
      ),
      { numRuns: 150 },
    );
  });
  it('carries features and outcome, never the context', () => {
    expect(
      trainingRow({
        features: { files: 3 },
        value: 'approve',
        context: { email: 'x@y.z' },
        outcome_label: 'ok',
      }),
    ).toEqual({ files: 3, decision: 'approve', label: 'ok', outcomeValue: null, reward: null });
  });
  it('rejects k < 2 and no quasi-identifiers', () => {
    expect(() => exportTraining([], { k: 1, quasi: ['a'] })).toThrow(/k/);
    expect(() => exportTraining([], { k: 5, quasi: [] })).toThrow(/quasi/);
  });
});
