import { describe, expect, it } from 'vitest';
import { expectClose, reference, type Encoded } from '../testing/reference.js';
import { chiSquareSf } from './chi-square.js';
import { normalCdf, normalIsf, normalPpf, normalSf } from './normal.js';
import { studentTCdf, studentTPpf } from './student-t.js';

type Row = [number, number, Encoded, Encoded];
const d = reference.distributions;

describe('normal distribution', () => {
  it.each(d.normalCdf as [number, Encoded, Encoded][])('Φ(%d) equals scipy within 1e-6 and mpmath within 1e-12', (z, scipy, exact) => {
    expectClose(normalCdf(z), scipy, `cdf(${z}) vs scipy`);
    expectClose(normalCdf(z), exact, `cdf(${z}) vs mpmath`, 1e-12, 1e-300);
  });

  it.each(d.normalPpf as [number, Encoded][])('Φ⁻¹(%d) equals scipy within 1e-12', (p, scipy) => {
    expectClose(normalPpf(p), scipy, `ppf(${p})`, 1e-12, 1e-15);
  });

  it('has symmetric tails and exact endpoints', () => {
    expect(normalSf(1.3)).toBe(normalCdf(-1.3));
    expect(normalIsf(0.025)).toBeCloseTo(1.959963984540054, 14);
    expect(normalPpf(0)).toBe(-Infinity);
    expect(normalPpf(1)).toBe(Infinity);
    expect(normalPpf(1.5)).toBeNaN();
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('Student t distribution', () => {
  it.each(d.studentTCdf as Row[])('cdf(t=%d, df=%d) equals scipy within 1e-6 and mpmath within 1e-9', (t, df, scipy, exact) => {
    expectClose(studentTCdf(t, df), scipy, `cdf(${t}, ${df}) vs scipy`);
    expectClose(studentTCdf(t, df), exact, `cdf(${t}, ${df}) vs mpmath`, 1e-9, 1e-300);
  });

  it.each(d.studentTPpf as Row[])('ppf(p=%d, df=%d) equals scipy within 1e-6 and mpmath within 1e-9', (p, df, scipy, exact) => {
    expectClose(studentTPpf(p, df), scipy, `ppf(${p}, ${df}) vs scipy`);
    expectClose(studentTPpf(p, df), exact, `ppf(${p}, ${df}) vs mpmath`, 1e-9, 1e-15);
  });

  it('tends to the normal as df grows and handles the endpoints', () => {
    expect(studentTCdf(1.5, Infinity)).toBe(normalCdf(1.5));
    expect(studentTPpf(0.5, 7)).toBe(0);
    expect(studentTPpf(0, 7)).toBe(-Infinity);
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(1, 0)).toBeNaN();
  });
});

describe('chi-square distribution', () => {
  it.each(d.chiSquareSf as Row[])('sf(x=%d, df=%d) equals scipy within 1e-6 and mpmath within 1e-9', (x, df, scipy, exact) => {
    expectClose(chiSquareSf(x, df), scipy, `sf(${x}, ${df}) vs scipy`);
    expectClose(chiSquareSf(x, df), exact, `sf(${x}, ${df}) vs mpmath`, 1e-9, 1e-300);
  });
});
