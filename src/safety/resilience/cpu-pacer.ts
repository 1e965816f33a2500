/**
 * Paces work so the CPU it burns stays under a share of the machine: a token bucket whose
 * tokens are CPU milliseconds. It refills at `budget × cores` CPU-ms per wall-ms (0.2 × 2
 * cores = 0.4), holds at most `burstMs` wall-ms of refill, and is charged after each task
 * with the CPU time the task actually used. Dispatch waits while the bucket is in debt, so a
 * long task overshoots briefly and the pool then idles until the debt is paid back: the
 * long-run average stays at or under the budget. Pure (clock passed in) for unit tests.
 */
export class CpuPacer {
  /** CPU-ms per wall-ms. */
  readonly rate: number;
  private readonly capacity: number;
  private credit: number;
  private last: number;
  constructor(options: { budget: number; cores: number; burstMs: number; now: number }) {
    this.rate = options.budget * options.cores;
    this.capacity = this.rate * options.burstMs;
    this.credit = this.capacity;
    this.last = options.now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.credit = Math.min(this.capacity, this.credit + (now - this.last) * this.rate);
      this.last = now;
    }
  }

  /** True when a task may start now. */
  canDispatch(now: number): boolean {
    this.refill(now);
    return this.credit >= 0;
  }

  /** Wall-ms until `canDispatch` turns true (0 if it already is). */
  waitMs(now: number): number {
    this.refill(now);
    return this.credit >= 0 ? 0 : Math.ceil(-this.credit / this.rate);
  }

  /** Charges CPU time used by a finished (or killed) task. */
  charge(cpuMs: number, now: number): void {
    this.refill(now);
    this.credit -= Math.max(0, cpuMs);
  }

  /** Current credit in CPU-ms (negative while in debt). */
  get balance(): number {
    return this.credit;
  }
}
