import { CircuitState as CockatielState, type IBreaker } from 'cockatiel';
import { assertNever } from '../../core/index.js';
import type { BreakerKind, BreakerStateChange, BreakerStateName } from './breaker-types.js';

/**
 * One breaker's state machine (closed → open → half_open → closed | open; manual isolated).
 *
 * Counting in the closed state is delegated to a cockatiel `IBreaker` strategy
 * (`ConsecutiveBreaker`, `CountBreaker`, or our own `SlowCallBreaker`). The state machine
 * itself is ours rather than cockatiel's `CircuitBreakerPolicy` because that policy:
 * closes after exactly one half-open trial (we need N), makes every concurrent caller
 * await the trial (the decision path must fall back at once instead), can only be opened
 * by a failing call (the accuracy breaker is opened by quality reports), throws instead of
 * returning data. Measured (bench/breakers.bench.ts `guard-overhead`, 2-core VM, warmed):
 * the whole closed-path `ModelGuard.execute` is p50/p99 0.20/0.31 µs against 0.26/0.82 µs
 * for cockatiel's `CircuitBreakerPolicy.execute` around the same synchronous model, so the
 * choice costs nothing on the hot path; it was made for the behaviour above.
 */
export type CircuitState =
  | { readonly name: 'closed' }
  | { readonly name: 'open'; readonly openedAt: number }
  | { readonly name: 'half_open'; admitted: number; succeeded: number }
  | { readonly name: 'isolated' };

export interface CircuitOptions {
  readonly agent: string;
  readonly kind: BreakerKind;
  /** Makes a fresh closed-state counter (a cockatiel `IBreaker`); called on every close. */
  readonly counter: () => IBreaker;
  /** Time spent open before trial calls are let through (ms). */
  readonly cooldownMs: number;
  /** Successful trials needed in half_open to close again. */
  readonly halfOpenTrials: number;
  /**
   * When true, half_open admits at most `halfOpenTrials` calls; when false every call is
   * admitted and trials are reported by someone else (the accuracy breaker's quality reports).
   */
  readonly gateTrials: boolean;
  /** Epoch-ms clock; `Date.now` by default (so `vi.useFakeTimers` drives it). */
  readonly now: () => number;
  readonly emit: (change: BreakerStateChange) => void;
}

const CLOSED: CircuitState = { name: 'closed' };
const ISOLATED: CircuitState = { name: 'isolated' };

export class Circuit {
  private s: CircuitState = CLOSED;
  private counter: IBreaker;
  constructor(private readonly o: CircuitOptions) {
    this.counter = o.counter();
  }

  /** Current state; an open breaker whose cooldown has passed moves to half_open here. */
  get state(): BreakerStateName {
    if (this.s.name === 'open') this.maybeHalfOpen();
    return this.s.name;
  }

  /** True when closed; the one check the hot path makes. */
  get isClosed(): boolean {
    return this.s.name === 'closed';
  }

  /** Asks to let one call through. In half_open this takes a trial permit (see `release`). */
  tryAcquire(): boolean {
    const s = this.s;
    switch (s.name) {
      case 'closed':
        return true;
      case 'open':
        if (!this.maybeHalfOpen()) return false;
        return this.tryAcquire();
      case 'half_open':
        if (!this.o.gateTrials) return true;
        if (s.admitted >= this.o.halfOpenTrials) return false;
        s.admitted++;
        return true;
      case 'isolated':
        return false;
      default:
        return assertNever(s, 'circuit state');
    }
  }

  /** Gives back a trial permit taken by `tryAcquire` for a call whose outcome does not count here. */
  release(): void {
    const s = this.s;
    if (s.name === 'half_open' && this.o.gateTrials && s.admitted > 0) s.admitted--;
  }

  success(): void {
    const s = this.s;
    if (s.name === 'closed') {
      this.counter.success(CockatielState.Closed);
    } else if (s.name === 'half_open') {
      s.succeeded++;
      if (s.succeeded >= this.o.halfOpenTrials) this.to(CLOSED, `${s.succeeded} trial calls succeeded`);
    }
    // open / isolated: a late result of a call admitted earlier; ignored.
  }

  failure(reason: string): void {
    const s = this.s;
    if (s.name === 'closed') {
      if (this.counter.failure(CockatielState.Closed)) this.open(reason);
    } else if (s.name === 'half_open') {
      this.open(`trial failed: ${reason}`);
    }
  }

  /** Opens from closed or half_open regardless of the counter (accuracy reports use this). */
  trip(reason: string): void {
    if (this.s.name === 'closed' || this.s.name === 'half_open') this.open(reason);
  }

  /** Manual override: hold open until `reset()`. */
  isolate(reason = 'manual isolate'): void {
    if (this.s.name !== 'isolated') this.to(ISOLATED, reason);
  }

  /** Manual override: close now and forget the counts. */
  reset(reason = 'manual reset'): void {
    if (this.s.name !== 'closed') this.to(CLOSED, reason);
    else this.counter = this.o.counter();
  }

  private open(reason: string): void {
    this.to({ name: 'open', openedAt: this.o.now() }, reason);
  }

  private maybeHalfOpen(): boolean {
    const s = this.s;
    if (s.name !== 'open') return s.name === 'half_open';
    if (this.o.now() - s.openedAt < this.o.cooldownMs) return false;
    this.to({ name: 'half_open', admitted: 0, succeeded: 0 }, `cooldown of ${this.o.cooldownMs} ms elapsed`);
    return true;
  }

  private to(next: CircuitState, reason: string): void {
    const from = this.s.name;
    this.s = next;
    if (next.name === 'closed') this.counter = this.o.counter();
    this.o.emit({ agent: this.o.agent, kind: this.o.kind, from, to: next.name, reason, at: this.o.now() });
  }
}
