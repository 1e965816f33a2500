import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStreamIds, type StreamId } from './stream-id.js';
import { trimPoint } from './trim-point.js';

const id = (ms: number, seq = 0): StreamId => ({ ms, seq });

describe('trimPoint', () => {
  it('trims nothing without groups', () => {
    expect(trimPoint([])).toBeUndefined();
  });

  it('keeps everything after the last delivered entry, and the oldest pending one', () => {
    expect(trimPoint([{ lastDelivered: id(10) }])).toEqual(id(10, 1));
    expect(trimPoint([{ lastDelivered: id(10), oldestPending: id(4) }])).toEqual(id(4));
    expect(trimPoint([{ lastDelivered: id(10) }, { lastDelivered: id(3, 2) }])).toEqual(id(3, 3));
    expect(trimPoint([{ lastDelivered: id(0) }])).toEqual(id(0, 1));
  });

  it('never passes any group’s oldest pending or first undelivered entry', () => {
    const group = fc
      .record({ last: fc.nat(1000), pendingBack: fc.option(fc.nat(1000)) })
      .map(({ last, pendingBack }) => ({
        lastDelivered: id(last),
        oldestPending: pendingBack === null ? undefined : id(Math.max(0, last - pendingBack)),
      }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 5 }), (groups) => {
        const min = trimPoint(groups)!;
        for (const g of groups) {
          if (g.oldestPending) expect(compareStreamIds(min, g.oldestPending)).toBeLessThanOrEqual(0);
          expect(compareStreamIds(min, { ms: g.lastDelivered.ms, seq: g.lastDelivered.seq + 1 })).toBeLessThanOrEqual(0);
        }
      }),
    );
  });
});
