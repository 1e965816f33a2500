import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { FeatureEncoder, isModelInvalidError, specHash, type FeatureSpec } from './index.js';

const spec: FeatureSpec = [
  { name: 'lines', type: 'numeric' },
  { name: 'risk', type: 'numeric', default: 0.5, standardize: false },
  { name: 'hotfix', type: 'boolean' },
  { name: 'lang', type: 'categorical', vocabulary: ['ts', 'py'] },
  { name: 'author', type: 'categorical', buckets: 8 },
  { name: 'title', type: 'text', buckets: 16 },
];

describe('FeatureEncoder', () => {
  it('lays out columns by the spec and names them', () => {
    const enc = new FeatureEncoder(spec);
    expect(enc.dimension).toBe(1 + 1 + 1 + 3 + 8 + 16);
    const names = enc.featureNames;
    expect(names).toHaveLength(enc.dimension);
    expect(names.slice(0, 6)).toEqual(['lines', 'risk', 'hotfix', 'lang=ts', 'lang=py', 'lang=<other>']);
    expect(names[6]).toBe('author#0');
  });

  it('standardises numerics with running (Welford) statistics equal to the batch ones', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -1e8, max: 1e8 }).map((i) => i / 100),
          { minLength: 2, maxLength: 200 },
        ),
        (values) => {
          const enc = new FeatureEncoder([{ name: 'v', type: 'numeric' }]);
          for (const v of values) enc.observe({ v });
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
          const x = values[0]!;
          const expected = sd > 0 ? (x - mean) / sd : x - mean;
          expect(enc.encode({ v: x })[0]).toBeCloseTo(expected, 6);
        },
      ),
    );
  });

  it('uses defaults for missing or mistyped values and never throws', () => {
    const enc = new FeatureEncoder(spec);
    for (const lines of [10, 20, 30]) enc.observe({ lines });
    const x = enc.encode({ lines: 'many', hotfix: 'yes', lang: 42, author: null, title: 7 });
    expect(x[0]).toBe(0); // missing numeric: the running mean, standardised
    expect(x[1]).toBe(0.5); // explicit default, not standardised
    expect(x[2]).toBe(0); // boolean default false
    expect(Array.from(x.subarray(3, 6))).toEqual([0, 0, 1]); // 42 → '42' → <other>
    expect(x.subarray(6).every((v) => v === 0)).toBe(true);
  });

  it('one-hot, signed hashing and token counts', () => {
    const enc = new FeatureEncoder(spec);
    const a = enc.encode({ lang: 'py', author: 'ada', title: 'Fix the fix' });
    expect(Array.from(a.subarray(3, 6))).toEqual([0, 1, 0]);
    const author = a.subarray(6, 14);
    expect(author.reduce((s, v) => s + Math.abs(v), 0)).toBe(1);
    const title = a.subarray(14);
    expect(title.reduce((s, v) => s + Math.abs(v), 0)).toBe(3); // 'fix' twice + 'the' (no collision in 16 buckets for these two)
    // Case-folded, punctuation-split tokens hash the same.
    const b = enc.encode({ lang: 'py', author: 'ada', title: 'FIX: the  fix!' });
    expect(Array.from(b)).toEqual(Array.from(a));
    // Same value under a different field name lands elsewhere (field-seeded hashes).
    const c = new FeatureEncoder([
      { name: 'x', type: 'categorical', buckets: 1024 },
      { name: 'y', type: 'categorical', buckets: 1024 },
    ]);
    const v = c.encode({ x: 'same', y: 'same' });
    expect(v.subarray(0, 1024).findIndex((t) => t !== 0)).not.toBe(
      v.subarray(1024).findIndex((t) => t !== 0),
    );
  });

  it('reuses a caller buffer and rejects a wrong-size one', () => {
    const enc = new FeatureEncoder(spec);
    const out = new Float64Array(enc.dimension).fill(9);
    expect(enc.encode({ hotfix: true }, out)).toBe(out);
    expect(out[2]).toBe(1);
    expect(out[5]).toBe(0);
    expect(() => enc.encode({}, new Float64Array(3))).toThrow(RangeError);
  });

  it('saves and restores its state; a state for another spec is MODEL_INVALID', () => {
    const enc = new FeatureEncoder(spec);
    for (const lines of [1, 5, 9]) enc.observe({ lines });
    const copy = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(Array.from(copy.encode({ lines: 7, title: 'a b' }))).toEqual(
      Array.from(enc.encode({ lines: 7, title: 'a b' })),
    );
    let err: unknown;
    try {
      FeatureEncoder.fromJSON({ ...enc.toJSON(), specHash: 'f'.repeat(64) });
    } catch (e) {
      err = e;
    }
    expect(isModelInvalidError(err)).toBe(true);
  });
});

describe('feature spec', () => {
  it('specHash is stable under key order and spelled-out defaults, and changes with the layout', () => {
    const h = specHash([
      { name: 'a', type: 'numeric' },
      { name: 't', type: 'text' },
    ]);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(
      specHash([
        { type: 'numeric', name: 'a', standardize: true },
        { buckets: 64, type: 'text', name: 't' },
      ]),
    ).toBe(h);
    expect(
      specHash([
        { name: 'a', type: 'numeric' },
        { name: 't', type: 'text', buckets: 32 },
      ]),
    ).not.toBe(h);
    expect(
      specHash([
        { name: 't', type: 'text' },
        { name: 'a', type: 'numeric' },
      ]),
    ).not.toBe(h);
  });

  it('rejects an invalid spec naming each bad field', () => {
    let err: unknown;
    try {
      new FeatureEncoder([
        { name: 'a', type: 'numeric', default: 'x' },
        { name: 'a', type: 'boolean' },
        { name: 'c', type: 'text', vocabulary: ['q'] },
      ] as unknown as FeatureSpec);
    } catch (e) {
      err = e;
    }
    expect(isValidationError(err)).toBe(true);
    const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['0.default', '1.name', '2.vocabulary']));
  });
});
