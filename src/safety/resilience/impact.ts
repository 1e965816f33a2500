import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { check, isFraction, isNonNegative, isPositiveInt, withDefaults } from './internal/options.js';

export interface ImpactOptions {
  /** Pauses learning and shadow work for a probe. Required. */
  readonly pause: () => void;
  /** Resumes them after the probe. Required. */
  readonly resume: () => void;
  /** Time between probe starts, ms. Default 60000. */
  readonly probeEveryMs?: number;
  /** Length of a probe (learning paused), ms. Default 5000. */
  readonly probeMs?: number;
  /** Samples after each switch that are ignored, in ms. Default 250. */
  readonly settleMs?: number;
  /** Samples needed in each phase for a cycle to count. Default 200. */
  readonly minSamples?: number;
  /** EWMA weight of the newest cycle. Default 0.3. */
  readonly alpha?: number;
  /** Monotonic ms clock. Default `performance.now`. */
  readonly now?: () => number;
}

export interface ImpactSnapshot {
  /** EWMA of cycle ratios; NaN before the first complete cycle. */
  readonly ratio: number;
  /** The last complete cycle's ratio; NaN before it. */
  readonly lastCycleRatio: number;
  readonly cycles: number;
  readonly on: { readonly p99Ms: number; readonly n: number };
  readonly off: { readonly p99Ms: number; readonly n: number };
}

type Resolved = Required<Omit<ImpactOptions, 'pause' | 'resume'>>;
const defaults: Resolved = {
  probeEveryMs: 60_000,
  probeMs: 5_000,
  settleMs: 250,
  minSamples: 200,
  alpha: 0.3,
  now: () => performance.now(),
};

/** p99 in ms of a histogram of nanoseconds; NaN when empty. */
const p99Ms = (h: RecordableHistogram): number => (h.count === 0 ? NaN : h.percentile(99) / 1e6);

/**
 * Online estimate of `ml_performance_impact_ratio`: how much slower decisions are because
 * learning and shadow work run beside them.
 *
 * Method (an on/off A/B over time, with periodic pause probes):
 * - Every decision's latency is recorded into one of two HDR histograms
 *   (`perf_hooks.createHistogram`, ~1 % precision, constant memory): `on` while learning and
 *   shadow work are active, `off` while they are paused.
 * - Every `probeEveryMs` the estimator pauses learning (the caller's `pause` callback) for
 *   `probeMs`, then resumes it. Samples in the first `settleMs` after each switch are
 *   discarded (work already in flight would blur the phases).
 * - At the end of each probe, if both histograms hold `minSamples`, the cycle's ratio is
 *   `p99(on) / p99(off)`; the published ratio is an EWMA of cycle ratios (weight `alpha`),
 *   which smooths noise while following real changes within a few cycles. Histograms are
 *   then reset, so each cycle compares neighbouring time windows under similar load.
 * A ratio of 1.0 means learning costs nothing at p99; DESIGN.md §6 asks for ≤ 1.05.
 * Pauses also happen outside probes (the event-loop throttle): `setLearningActive(false)`
 * routes samples to `off` for as long as learning is really paused.
 *
 * @example
 * const impact = createImpactEstimator({ pause: () => learner.pause(), resume: () => learner.resume() });
 * impact.start();
 * // on the decision path:
 * impact.record(latencyMs);
 * // in a gauge collector:
 * gauge.set(impact.ratio);
 */
export class ImpactEstimator {
  private readonly o: Resolved;
  private readonly on = createHistogram();
  private readonly off = createHistogram();
  private active = true;
  private probing = false;
  private settleUntil = 0;
  private ewma = NaN;
  private last = NaN;
  private cycles = 0;
  private timer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly hooks: ImpactOptions) {
    const o = withDefaults(defaults, hooks as Partial<Resolved>);
    check('impact estimator options', [
      [
        'probeEveryMs',
        isNonNegative(o.probeEveryMs) && o.probeEveryMs > o.probeMs,
        'must be greater than probeMs',
      ],
      ['probeMs', isNonNegative(o.probeMs) && o.probeMs > o.settleMs, 'must be greater than settleMs'],
      ['settleMs', isNonNegative(o.settleMs), 'must be a non-negative number'],
      ['minSamples', isPositiveInt(o.minSamples), 'must be a positive integer'],
      ['alpha', isFraction(o.alpha) || o.alpha === 1, 'must be in (0, 1]'],
    ]);
    this.o = o;
  }

  /** Records one decision's latency (ms). Hot path: one clock read and one histogram insert. */
  record(latencyMs: number): void {
    if (!(latencyMs >= 0)) return;
    if (this.settleUntil > 0 && this.o.now() < this.settleUntil) return;
    (this.active ? this.on : this.off).record(Math.max(1, Math.round(latencyMs * 1e6)));
  }

  /** Tells the estimator whether learning is running right now (e.g. from the throttle). */
  setLearningActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    this.settleUntil = this.o.now() + this.o.settleMs;
  }

  /** Latest smoothed ratio p99(on)/p99(off); NaN until a cycle completes. */
  get ratio(): number {
    return this.ewma;
  }

  snapshot(): ImpactSnapshot {
    return {
      ratio: this.ewma,
      lastCycleRatio: this.last,
      cycles: this.cycles,
      on: { p99Ms: p99Ms(this.on), n: this.on.count },
      off: { p99Ms: p99Ms(this.off), n: this.off.count },
    };
  }

  /** Starts periodic pause probes (timers do not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.probe(), this.o.probeEveryMs);
    this.timer.unref();
  }

  /** Runs one probe now: pause, wait `probeMs`, resume, close the cycle. */
  probe(): void {
    if (this.probing) return;
    this.probing = true;
    this.hooks.pause();
    this.setLearningActive(false);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.probing = false;
      this.hooks.resume();
      this.setLearningActive(true);
      this.closeCycle();
    }, this.o.probeMs);
    this.probeTimer.unref();
  }

  /** Ends the current cycle: folds its ratio into the EWMA when both phases have enough samples. */
  closeCycle(): void {
    if (this.on.count >= this.o.minSamples && this.off.count >= this.o.minSamples) {
      this.last = p99Ms(this.on) / p99Ms(this.off);
      this.ewma = Number.isNaN(this.ewma)
        ? this.last
        : this.o.alpha * this.last + (1 - this.o.alpha) * this.ewma;
      this.cycles++;
      this.on.reset();
      this.off.reset();
    }
  }

  /** Stops probing; resumes learning if a probe was in progress. Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.probeTimer) {
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      this.probing = false;
      this.hooks.resume();
      this.setLearningActive(true);
    }
  }
}

export const createImpactEstimator = (options: ImpactOptions): ImpactEstimator =>
  new ImpactEstimator(options);
