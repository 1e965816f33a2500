import { ConsecutiveBreaker, CountBreaker, type CircuitState, type IBreaker } from 'cockatiel';

export interface SlowCallBreakerOptions {
  /** Consecutive slow calls that open the breaker. Default 3. */
  readonly consecutive: number;
  /** Slow-call rate (0..1, exclusive) over the sliding window that opens the breaker. Default 0.5. */
  readonly rateThreshold: number;
  /** Sliding window size in calls (resilience4j COUNT_BASED). Default 20. */
  readonly windowSize: number;
  /** Calls needed in the window before the rate is judged. Default 10. */
  readonly minimumCalls: number;
}

/**
 * A cockatiel `IBreaker` for slow calls, resilience4j style: here a "failure" is a
 * successful but slow prediction. Opens after `consecutive` slow calls in a row, or when
 * the slow rate over the last `windowSize` calls exceeds `rateThreshold` — composed from
 * cockatiel's own `ConsecutiveBreaker` and `CountBreaker`.
 */
export class SlowCallBreaker implements IBreaker {
  private readonly run: ConsecutiveBreaker;
  private readonly rate: CountBreaker;
  constructor(options: SlowCallBreakerOptions) {
    this.run = new ConsecutiveBreaker(options.consecutive);
    this.rate = new CountBreaker({
      threshold: options.rateThreshold,
      size: options.windowSize,
      minimumNumberOfCalls: Math.min(options.minimumCalls, options.windowSize),
    });
  }
  get state(): unknown {
    return { run: this.run.state, rate: this.rate.state };
  }
  set state(value: unknown) {
    const v = value as { run: number; rate: unknown };
    this.run.state = v.run;
    this.rate.state = v.rate;
  }
  success(state: CircuitState): void {
    this.run.success();
    this.rate.success(state);
  }
  failure(state: CircuitState): boolean {
    const byRun = this.run.failure();
    const byRate = this.rate.failure(state);
    return byRun || byRate;
  }
}
