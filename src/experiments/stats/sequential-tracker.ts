import type { TwoArms } from './internal/arms.js';
import { sequentialTest, type SequentialState, type SequentialTestOptions, type SequentialTestResult } from './sequential-test.js';

export type SequentialTrackerOptions = Omit<SequentialTestOptions, 'previous'>;

export interface SequentialTracker {
  /** Feed the cumulative arm statistics at a look; returns that look's result. */
  update(arms: TwoArms): SequentialTestResult;
  /** Running state (p-value minimum and interval intersection); undefined before the first look. */
  readonly state: SequentialState | undefined;
  /** Number of looks so far. */
  readonly looks: number;
}

/**
 * Incremental mSPRT over the looks of one experiment: keeps the running minimum p-value and
 * the intersected confidence sequence between calls (see `sequentialTest`).
 *
 * @example
 * const tracker = createSequentialTracker({ tau: 0.02 });
 * const r = tracker.update({ metric: 'proportion', a: { successes: 50, total: 500 }, b: { successes: 80, total: 500 } });
 * r.pValue; // always valid, never increases over looks
 */
export function createSequentialTracker(options: SequentialTrackerOptions): SequentialTracker {
  let state: SequentialState | undefined;
  let looks = 0;
  return {
    update(arms) {
      const result = sequentialTest(arms, state ? { ...options, previous: state } : options);
      state = { pValue: result.pValue, ci: result.ci };
      looks += 1;
      return result;
    },
    get state() {
      return state;
    },
    get looks() {
      return looks;
    },
  };
}
