import { describe, expect, it } from 'vitest';
import { chiSquare } from './chi-square.js';
import { chiSquareSf, normalTwoSided } from './internal/special.js';
import { kolmogorovSf } from './internal/kolmogorov.js';
import { smirnovSf } from './internal/smirnov.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { ks } from './ks.js';
import { psi } from './psi.js';
import { loadReference, samples } from './testing/reference.js';
import { normedWasserstein, wassersteinDistance } from './wasserstein.js';
import { zTestProportions } from './z-test.js';
import { xorshift32 } from './internal/xorshift.js';

const ref = loadReference();
const TOL = 1e-6;
const close = (actual: number, expected: number, label: string): void => {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
};

describe('distribution functions match scipy', () => {
  it('kstwo.sf across every kolmogn branch', () => {
    for (const c of ref.kstwo) close(kolmogorovSf(c.n, c.x), c.sf, `kstwo n=${c.n} x=${c.x}`);
  });
  it('smirnov', () => {
    for (const c of ref.smirnov) close(smirnovSf(c.n, c.x), c.sf, `smirnov n=${c.n} x=${c.x}`);
  });
  it('chi2.sf', () => {
    for (const c of ref.chi2sf) close(chiSquareSf(c.x, c.df), c.sf, `chi2 x=${c.x} df=${c.df}`);
  });
  it('two-sided normal tail', () => {
    for (const c of ref.normal) close(normalTwoSided(c.z), c.p, `z=${c.z}`);
  });
});

describe('numeric measures match scipy / Evidently', () => {
  ref.ks.forEach((c, i) => {
    const { reference, current } = samples(c);
    const label = `case ${i} (${reference.length} vs ${current.length})`;
    it(`ks_2samp ${label}`, () => {
      const r = ks(reference, current);
      close(r.statistic, c.statistic, `${label} D`);
      close(r.pValue, c.pValue, `${label} p`);
    });
    it(`wasserstein, psi, jensen-shannon ${label}`, () => {
      close(wassersteinDistance(reference, current), c.wasserstein, `${label} W`);
      close(normedWasserstein(reference, current), c.normedWasserstein, `${label} W/std`);
      close(psi(reference, current), c.psi, `${label} psi`);
      close(jensenShannonDistance(reference, current), c.jensenShannon, `${label} js`);
    });
  });
  // The survival function is computed directly (not as 1 − P(inside)), so the far tail keeps
  // its relative precision where scipy's does.
  ref.ksTail.forEach((c, i) => {
    const { reference, current } = samples(c);
    it(`ks_2samp far tail, case ${i} (${reference.length} vs ${current.length}, p ${c.pValue.toExponential(1)})`, () => {
      const r = ks(reference, current);
      close(r.statistic, c.statistic, `tail ${i} D`);
      expect(Math.abs(r.pValue - c.pValue) / c.pValue, `tail ${i} p: ${r.pValue} vs ${c.pValue}`).toBeLessThanOrEqual(1e-6);
    });
  });
  it('numeric features with few unique values use value counts', () => {
    for (const c of ref.fewUnique) {
      close(psi(c.reference, c.current), c.psi, 'psi');
      close(jensenShannonDistance(c.reference, c.current), c.jensenShannon, 'js');
    }
  });
});

describe('categorical measures match scipy / Evidently', () => {
  it('chi-square, psi and jensen-shannon', () => {
    ref.categorical.forEach((c, i) => {
      const r = chiSquare(c.reference, c.current);
      close(r.statistic, c.chi2, `case ${i} chi2`);
      close(r.pValue, c.pValue, `case ${i} p`);
      close(psi(c.reference, c.current), c.psi, `case ${i} psi`);
      close(jensenShannonDistance(c.reference, c.current), c.jensenShannon, `case ${i} js`);
    });
  });
  it('z-test for proportions', () => {
    ref.zTest.forEach((c, i) => {
      const r = zTestProportions(c.reference, c.current);
      close(r.statistic, c.statistic, `case ${i} z`);
      close(r.pValue, c.pValue, `case ${i} p`);
    });
  });
  it('a category never seen in reference is evidence, not an infinite statistic', () => {
    const r = chiSquare(['a', 'a', 'b', 'c'], ['a', 'd', 'b', 'c']);
    expect(Number.isFinite(r.statistic)).toBe(true);
    expect(r.pValue).toBeGreaterThan(0.05);
    // Half the window in a new category is drift.
    const many = chiSquare([...Array(200)].map((_, i) => ['a', 'b', 'c'][i % 3]!), [...Array(200)].map((_, i) => (i % 2 ? 'new' : ['a', 'b', 'c'][i % 3]!)));
    expect(many.pValue).toBeLessThan(1e-6);
  });
  it('holds its 5 % false-alarm rate when the reference is a small sample (the goodness-of-fit test flagged 95 %)', () => {
    // Reference and window from one uniform 4-category distribution, reference 50 and window
    // 1000 (a model registered early): the two-sample test alarms in ≈ 5 % of windows.
    const next = xorshift32(7);
    const draw = (n: number): string[] => Array.from({ length: n }, () => ['w', 'x', 'y', 'z'][next() % 4]!);
    let alarms = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) if (chiSquare(draw(50), draw(1000)).pValue <= 0.05) alarms++;
    expect(alarms / trials).toBeGreaterThan(0.02);
    expect(alarms / trials).toBeLessThan(0.09);
  });
});
