import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../core/events.js';
import { decodeSpoolLine, encodeSpoolLine } from './spool.js';

const eventArb: fc.Arbitrary<NewEvent> = fc.record({
  id: fc.uuid(),
  type: fc.constantFrom('DecisionMade', 'OutcomeRecorded'),
  stream: fc.string(),
  data: fc.jsonValue(),
  metadata: fc.constant({}),
  time: fc.constant('2024-01-01T00:00:00.000Z'),
});

const lineOf = (events: NewEvent[]): string => encodeSpoolLine(events).slice(0, -1);

describe('spool line codec', () => {
  it('round-trips any batch on exactly one line', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 5 }), (events) => {
        const encoded = encodeSpoolLine(events);
        expect(encoded.indexOf('\n')).toBe(encoded.length - 1);
        expect(decodeSpoolLine(lineOf(events))).toEqual(JSON.parse(JSON.stringify(events)));
      }),
    );
  });

  it('rejects a line torn anywhere', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 3 }), fc.nat(), (events, cut) => {
        const line = lineOf(events);
        expect(decodeSpoolLine(line.slice(0, cut % line.length))).toBeUndefined();
      }),
    );
  });

  it('rejects a line with any one character of its payload changed', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 3 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (events, at, ch) => {
        const line = lineOf(events);
        const payloadStart = line.indexOf(' ', 9) + 1;
        const i = payloadStart + (at % (line.length - payloadStart));
        fc.pre(line[i] !== ch);
        expect(decodeSpoolLine(line.slice(0, i) + ch + line.slice(i + 1))).toBeUndefined();
      }),
    );
  });
});
