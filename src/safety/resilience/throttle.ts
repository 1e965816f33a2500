import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Disposer } from './breaker-types.js';
import { check, isNonNegative, isPositiveInt, withDefaults } from './internal/options.js';

/** Event-loop pressure over ONE interval (a delta, not a cumulative figure). */
export interface LoopSample {
  /** p99 event-loop delay over the interval, ms. */
  readonly p99DelayMs: number;
  /** Event-loop utilisation over the interval, 0..1. */
  readonly elu: number;
}

export type LoopSampler = { sample(): LoopSample; close(): void };

/**
 * Samples the main event loop per interval with `monitorEventLoopDelay` (reset after each
 * read) and `performance.eventLoopUtilization(previous)` (the delta since the last read).
 */
export function createLoopSampler(resolutionMs = 10): LoopSampler {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    sample() {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      // No delay samples yet (interval shorter than the resolution) reads as no delay.
      const p99 = h.count > 0 ? h.percentile(99) / 1e6 : 0;
      h.reset();
      return { p99DelayMs: p99, elu: delta.utilization };
    },
    close() {
      h.disable();
    },
  };
}

export type ThrottleState = 'normal' | 'throttled';

export interface ThrottleChange {
  readonly from: ThrottleState;
  readonly to: ThrottleState;
  readonly sample: LoopSample;
  readonly at: number;
}

export interface ThrottleOptions {
  /** Sampling interval, ms. Default 1000. */
  readonly intervalMs?: number;
  /** Throttle when the interval's p99 delay exceeds this (ms). Default 50. */
  readonly highDelayMs?: number;
  /** Throttle when the interval's ELU exceeds this. Default 0.9. */
  readonly highElu?: number;
  /** Calm means p99 delay at or below this (ms). Default 20. */
  readonly lowDelayMs?: number;
  /** Calm means ELU at or below this. Default 0.7. */
  readonly lowElu?: number;
  /** Calm intervals in a row needed to return to normal (hysteresis). Default 3. */
  readonly recoverIntervals?: number;
  /** Where samples come from. Default `createLoopSampler()` on the main loop. */
  readonly sampler?: LoopSampler;
  /** Log sink for the state-change lines. Default `console.warn`. */
  readonly log?: (line: string) => void;
  /** Epoch-ms clock. Default `Date.now`. */
  readonly now?: () => number;
}

type Resolved = Required<Omit<ThrottleOptions, 'sampler'>>;

const defaults: Resolved = {
  intervalMs: 1000,
  highDelayMs: 50,
  highElu: 0.9,
  lowDelayMs: 20,
  lowElu: 0.7,
  recoverIntervals: 3,
  log: (line) => console.warn(line),
  now: () => Date.now(),
};

export interface ThrottleStep {
  readonly state: ThrottleState;
  /** Calm intervals in a row while throttled. */
  readonly calm: number;
}

/** The pure hysteresis rule: one interval's sample moves `(state, calm)` on. */
export function nextThrottleStep(
  step: ThrottleStep,
  s: LoopSample,
  o: Omit<Resolved, 'log' | 'now' | 'intervalMs'>,
): ThrottleStep {
  const hot = s.p99DelayMs > o.highDelayMs || s.elu > o.highElu;
  if (hot) return { state: 'throttled', calm: 0 };
  if (step.state === 'normal') return step;
  const calm = s.p99DelayMs <= o.lowDelayMs && s.elu <= o.lowElu ? step.calm + 1 : 0;
  return calm >= o.recoverIntervals ? { state: 'normal', calm: 0 } : { state: 'throttled', calm };
}

/**
 * Watches the main event loop and says when learning should back off: `throttled` as soon
 * as one interval runs hot (p99 delay > 50 ms or ELU > 0.9), `normal` only after
 * `recoverIntervals` calm intervals in a row below the lower thresholds.
 *
 * @example
 * const throttle = createEventLoopThrottle();
 * throttle.onChange((c) => (c.to === 'throttled' ? learner.pause() : learner.resume()));
 * throttle.start();
 */
export class EventLoopThrottle {
  private readonly o: Resolved;
  private readonly sampler: LoopSampler;
  private step: ThrottleStep = { state: 'normal', calm: 0 };
  private listeners: ((c: ThrottleChange) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSample: LoopSample | undefined;

  constructor(options: ThrottleOptions = {}) {
    const o = withDefaults(defaults, options as Partial<Resolved>);
    check('throttle options', [
      ['intervalMs', isNonNegative(o.intervalMs) && o.intervalMs > 0, 'must be a positive number'],
      ['highDelayMs', isNonNegative(o.highDelayMs), 'must be a non-negative number'],
      [
        'lowDelayMs',
        isNonNegative(o.lowDelayMs) && o.lowDelayMs <= o.highDelayMs,
        'must be in [0, highDelayMs]',
      ],
      ['highElu', o.highElu > 0 && o.highElu <= 1, 'must be in (0, 1]'],
      ['lowElu', o.lowElu >= 0 && o.lowElu <= o.highElu, 'must be in [0, highElu]'],
      ['recoverIntervals', isPositiveInt(o.recoverIntervals), 'must be a positive integer'],
    ]);
    this.o = o;
    this.sampler = options.sampler ?? createLoopSampler();
  }

  get state(): ThrottleState {
    return this.step.state;
  }
  get isThrottled(): boolean {
    return this.step.state === 'throttled';
  }
  /** The last interval's sample, for gauges. */
  get sample(): LoopSample | undefined {
    return this.lastSample;
  }

  onChange(listener: (c: ThrottleChange) => void): Disposer {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Samples every `intervalMs` (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Takes one interval's sample now and applies it. */
  tick(): void {
    const s = this.sampler.sample();
    this.lastSample = s;
    const from = this.step.state;
    this.step = nextThrottleStep(this.step, s, this.o);
    const to = this.step.state;
    if (from === to) return;
    const figures = `p99 delay ${s.p99DelayMs.toFixed(1)} ms, ELU ${s.elu.toFixed(2)}`;
    this.o.log(to === 'throttled' ? `learning throttled: ${figures}` : `learning resumed: ${figures}`);
    const change: ThrottleChange = { from, to, sample: s, at: this.o.now() };
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // a listener's bug must not stop the monitor
      }
    }
  }

  /** Stops sampling. Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sampler.close();
  }
}

export const createEventLoopThrottle = (options?: ThrottleOptions): EventLoopThrottle =>
  new EventLoopThrottle(options);
