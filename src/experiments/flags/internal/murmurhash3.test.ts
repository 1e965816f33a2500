import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf } from './json-logic/fractional.js';
import { murmur3, murmur3Bytes, murmur3Prefix, murmur3Prefixed } from './murmurhash3.js';

describe('murmur3 (x86 32, seed 0)', () => {
  it('matches the published reference vectors', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('hello')).toBe(0x248bfa47);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b);
  });

  it('hashes the UTF-8 bytes of any string (the ASCII fast path agrees with the byte path)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(murmur3(s)).toBe(murmur3Bytes(new TextEncoder().encode(s)));
      }),
    );
  });

  it('hashes prefix + key without concatenating, for every split point and alphabet', () => {
    const text = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(murmur3Prefixed(murmur3Prefix(a), b)).toBe(murmur3Bytes(new TextEncoder().encode(a + b)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('bucketOf', () => {
  it('equals floor(hash * total / 2^32) computed exactly with BigInt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 2147483647 }), (hash, total) => {
        expect(bucketOf(hash, total)).toBe(Number((BigInt(hash) * BigInt(total)) >> 32n));
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact at the boundaries', () => {
    for (const total of [1, 100, 0x1fffff, 0x200000, 2147483647]) {
      expect(bucketOf(0, total)).toBe(0);
      expect(bucketOf(0xffffffff, total)).toBe(total - 1);
    }
  });
});
