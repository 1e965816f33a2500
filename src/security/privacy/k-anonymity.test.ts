import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anonymize, type QuasiIdentifier } from './k-anonymity.js';

const zipHierarchy: Record<string, string[]> = {};
for (const z of ['02138', '02139', '02141', '02142', '10001', '10002'])
  zipHierarchy[z] = [`${z.slice(0, 4)}*`, `${z.slice(0, 3)}**`, `${z.slice(0, 1)}****`];

const qis: QuasiIdentifier[] = [
  { field: 'age', type: 'numeric' },
  { field: 'zip', type: 'categorical', hierarchy: zipHierarchy },
  { field: 'gender', type: 'categorical' },
];

/** Every released row's quasi-identifier tuple occurs at least k times among released rows. */
function classSizes(rows: readonly Record<string, unknown>[], fields: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = JSON.stringify(fields.map((f) => r[f] ?? null));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return rows.map((r) => counts.get(JSON.stringify(fields.map((f) => r[f] ?? null)))!);
}

function inRange(original: unknown, released: unknown): boolean {
  if (released === '*' || released === original) return true;
  const m = /^\[(-?[\d.e+-]+), (-?[\d.e+-]+)\)$/.exec(String(released));
  return (
    m !== null &&
    typeof original === 'number' &&
    original >= Number(m[1]) - 1e-9 &&
    original < Number(m[2]) + 1e-9
  );
}

describe('anonymize (k-anonymity)', () => {
  it('generalises ages into ranges and zips up the hierarchy, keeping other fields', () => {
    const rows = [
      { age: 31, zip: '02138', gender: 'f', outcome: 'ok' },
      { age: 34, zip: '02139', gender: 'f', outcome: 'fail' },
      { age: 36, zip: '02139', gender: 'f', outcome: 'ok' },
      { age: 52, zip: '10001', gender: 'm', outcome: 'ok' },
      { age: 55, zip: '10002', gender: 'm', outcome: 'fail' },
      { age: 58, zip: '10001', gender: 'm', outcome: 'ok' },
    ];
    const res = anonymize(rows, { quasiIdentifiers: qis, k: 3, maxSuppression: 0 });
    expect(res.suppressed).toBe(0);
    expect(classSizes(res.rows, ['age', 'zip', 'gender']).every((n) => n >= 3)).toBe(true);
    expect(res.rows.map((r) => r.outcome)).toEqual(rows.map((r) => r.outcome));
    expect(res.rows[0]).toMatchObject({ gender: 'f' });
    expect(String(res.rows[0]!.zip)).toMatch(/^021/);
    console.log(
      `k-anonymity example: levels ${JSON.stringify(res.levels)}, first row ${JSON.stringify(res.rows[0])}`,
    );
  });

  it('suppresses outliers within the budget rather than generalising everything', () => {
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => ({ age: 30 + (i % 5), zip: '02139', gender: 'f' })),
      { age: 99, zip: '10001', gender: 'm' },
    ];
    const res = anonymize(rows, { quasiIdentifiers: qis, k: 5, maxSuppression: 0.05 });
    expect(res.suppressed).toBe(1);
    expect(res.rows).toHaveLength(40);
  });

  it('suppresses everything when fewer than k rows exist', () => {
    expect(anonymize([{ age: 1, zip: '02139', gender: 'f' }], { quasiIdentifiers: qis, k: 2 })).toMatchObject(
      { rows: [], suppressed: 1 },
    );
  });

  it('rejects invalid options with field issues', () => {
    expect(() => anonymize([], { quasiIdentifiers: qis, k: 0 })).toThrowError(/invalid k-anonymity options/);
  });

  it('property: every released row shares its QI values with >= k-1 others; values only generalise', () => {
    const row = fc.record({
      age: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: -50, max: 50, noNaN: true })),
      zip: fc.constantFrom(...Object.keys(zipHierarchy), '99999'),
      gender: fc.constantFrom('f', 'm', 'x'),
      payload: fc.string(),
    });
    let totalSuppressed = 0;
    let totalRows = 0;
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 80 }),
        fc.integer({ min: 2, max: 10 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (raw, k, maxSuppression) => {
          const rows = raw.map((r, id) => ({ ...r, id }));
          const res = anonymize(rows, { quasiIdentifiers: qis, k, maxSuppression });
          totalSuppressed += res.suppressed;
          totalRows += rows.length;
          expect(res.rows.length + res.suppressed).toBe(rows.length);
          expect(classSizes(res.rows, ['age', 'zip', 'gender']).every((n) => n >= k)).toBe(true);
          // released rows keep their order, non-QI fields, and each QI only generalises
          res.rows.forEach((o, j) => {
            const r = rows[o.id]!;
            if (j > 0) expect(o.id).toBeGreaterThan(res.rows[j - 1]!.id);
            expect(o.payload).toBe(r.payload);
            expect(inRange(r.age, o.age)).toBe(true);
            expect(o.gender === r.gender || (o.gender as string) === '*').toBe(true);
            expect(
              o.zip === r.zip ||
                (o.zip as string) === '*' ||
                (zipHierarchy[r.zip] ?? []).includes(String(o.zip)),
            ).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
    console.log(`k-anonymity property runs: suppressed ${totalSuppressed} of ${totalRows} rows in total`);
  });
});
