import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStreamIds, formatStreamId, nextAutoId, nextStreamId, parseStreamId } from './stream-id.js';

const idArb = fc.record({ ms: fc.nat({ max: 2 ** 47 }), seq: fc.nat({ max: 1_000_000 }) });

describe('stream ids', () => {
  it('parse what they format', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        expect(parseStreamId(formatStreamId(id))).toEqual(id);
      }),
    );
    expect(parseStreamId('1700000000000')).toEqual({ ms: 1_700_000_000_000, seq: 0 });
  });

  it('reject what is not an id', () => {
    for (const bad of ['', 'x-1', '1-x', '-1-0', '1.5-0']) expect(() => parseStreamId(bad)).toThrow(RangeError);
  });

  it('order like Redis: by millisecond, then sequence', () => {
    expect(compareStreamIds(parseStreamId('5-9'), parseStreamId('6-0'))).toBeLessThan(0);
    expect(compareStreamIds(parseStreamId('6-10'), parseStreamId('6-9'))).toBeGreaterThan(0);
    fc.assert(
      fc.property(idArb, (id) => {
        expect(compareStreamIds(nextStreamId(id), id)).toBeGreaterThan(0);
      }),
    );
  });

  it('assign strictly increasing ids whatever the clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { maxLength: 50 }), (clock) => {
        let last = { ms: 0, seq: 0 };
        for (const now of clock) {
          const next = nextAutoId(last, now);
          expect(compareStreamIds(next, last)).toBeGreaterThan(0);
          if (now > last.ms) expect(next).toEqual({ ms: now, seq: 0 });
          last = next;
        }
      }),
    );
  });
});
