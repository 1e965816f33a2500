import { CircuitState, ConsecutiveBreaker } from 'cockatiel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BreakerStateChange } from './breaker-types.js';
import { Circuit } from './circuit.js';
import { SlowCallBreaker } from './slow-call-breaker.js';

function circuit(threshold: number, clock: { t: number }, trials = 2) {
  const changes: BreakerStateChange[] = [];
  const c = new Circuit({
    agent: 'a',
    kind: 'failure',
    counter: () => new ConsecutiveBreaker(threshold),
    cooldownMs: 100,
    halfOpenTrials: trials,
    gateTrials: true,
    now: () => clock.t,
    emit: (x) => changes.push(x),
  });
  return { c, changes };
}

describe('Circuit (property)', () => {
  it('closed opens exactly at the first run of `threshold` consecutive failures', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (threshold, outcomes) => {
          const { c } = circuit(threshold, { t: 0 });
          let run = 0;
          let shouldBeOpen = false;
          for (const ok of outcomes) {
            if (c.state !== 'closed') break;
            expect(c.tryAcquire()).toBe(true);
            if (ok) c.success();
            else c.failure('x');
            run = ok ? 0 : run + 1;
            shouldBeOpen = run >= threshold;
            expect(c.state).toBe(shouldBeOpen ? 'open' : 'closed');
          }
        },
      ),
    );
  });

  it('every emitted change links to the previous one (from = last to) and never repeats a state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ok', 'fail', 'wait', 'isolate', 'reset', 'trip'), { maxLength: 80 }),
        (ops) => {
          const clock = { t: 0 };
          const { c, changes } = circuit(2, clock);
          for (const op of ops) {
            if (op === 'wait') clock.t += 60;
            else if (op === 'isolate') c.isolate();
            else if (op === 'reset') c.reset();
            else if (op === 'trip') c.trip('quality');
            else if (c.tryAcquire()) {
              if (op === 'ok') c.success();
              else c.failure('x');
            }
          }
          let prev = 'closed';
          for (const ch of changes) {
            expect(ch.from).toBe(prev);
            expect(ch.to).not.toBe(ch.from);
            prev = ch.to;
          }
        },
      ),
    );
  });

  it('release() returns a half-open trial permit', () => {
    const clock = { t: 0 };
    const { c } = circuit(1, clock, 1);
    c.tryAcquire();
    c.failure('x');
    clock.t = 100;
    expect(c.tryAcquire()).toBe(true);
    expect(c.tryAcquire()).toBe(false);
    c.release();
    expect(c.tryAcquire()).toBe(true);
  });
});

describe('SlowCallBreaker', () => {
  it('opens on consecutive slow calls or on the window rate, and round-trips its state', () => {
    const b = new SlowCallBreaker({ consecutive: 2, rateThreshold: 0.5, windowSize: 4, minimumCalls: 4 });
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(true);
    const copy = new SlowCallBreaker({ consecutive: 2, rateThreshold: 0.5, windowSize: 4, minimumCalls: 4 });
    copy.state = b.state;
    expect(copy.state).toEqual(b.state);
    const r = new SlowCallBreaker({ consecutive: 99, rateThreshold: 0.5, windowSize: 4, minimumCalls: 4 });
    r.failure(CircuitState.Closed);
    r.success(CircuitState.Closed);
    r.failure(CircuitState.Closed);
    expect(r.failure(CircuitState.Closed)).toBe(true); // 3 of 4 slow > 50 %
  });
});
