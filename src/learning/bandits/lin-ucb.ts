import type { Features } from '../learners/learner.js';

/** The state of a LinUcb (a reward artifact's `bandit`): A⁻¹ and b per action, row-major. */
export interface LinUcbJSON {
  readonly type: 'lin-ucb';
  readonly actions: number;
  readonly featureCount: number;
  readonly alpha: number;
  readonly samples: number;
  readonly ainv: readonly (readonly number[])[];
  readonly b: readonly (readonly number[])[];
}

export interface LinUcbOptions {
  /** Number of actions. Required. */
  readonly actions: number;
  /** Length of the feature vector (an intercept is added). Required. */
  readonly featureCount: number;
  /** Width of the confidence bound: score = θₐᵀx + α·√(xᵀAₐ⁻¹x). Default 0.5. */
  readonly alpha?: number;
  /** Ridge penalty λ (Aₐ starts at λI). Default 1. */
  readonly ridge?: number;
}

/**
 * Disjoint LinUCB (Li, Chu, Langford & Schapire 2010): one ridge regression of the reward per
 * action, plus an upper-confidence bonus α·√(xᵀAₐ⁻¹x) that shrinks as the action is tried in
 * similar contexts. Aₐ⁻¹ is kept directly by Sherman–Morrison rank-one updates (O(d²) per
 * update, no inversion); hand-written because no maintained JS library offers an online
 * contextual bandit and this is the decision path's inner loop.
 *
 * @example
 * const ucb = new LinUcb({ actions: 3, featureCount: 4 });
 * const { means, bonuses } = ucb.scores([1, 0, 0.5, 2]);
 * ucb.partialFit([1, 0, 0.5, 2], 1, 0.8); // action 1 earned 0.8
 */
export class LinUcb {
  readonly actions: number;
  readonly featureCount: number;
  readonly alpha: number;
  readonly #d: number;
  /** Per action: A⁻¹ (d×d, row-major) and b (d). */
  readonly #ainv: Float64Array[];
  readonly #b: Float64Array[];
  readonly #theta: Float64Array[];
  readonly #x: Float64Array;
  readonly #tmp: Float64Array;
  #samples = 0;

  constructor(options: LinUcbOptions) {
    const { actions, featureCount, alpha = 0.5, ridge = 1 } = options;
    if (!Number.isInteger(actions) || actions < 1) throw new RangeError(`LinUcb: actions must be a positive integer, got ${actions}`);
    if (!Number.isInteger(featureCount) || featureCount < 0) throw new RangeError(`LinUcb: featureCount must be a non-negative integer, got ${featureCount}`);
    if (!(alpha >= 0)) throw new RangeError(`LinUcb: alpha must be ≥ 0, got ${alpha}`);
    if (!(ridge > 0)) throw new RangeError(`LinUcb: ridge must be > 0, got ${ridge}`);
    this.actions = actions;
    this.featureCount = featureCount;
    this.alpha = alpha;
    const d = (this.#d = featureCount + 1);
    this.#ainv = Array.from({ length: actions }, () => {
      const m = new Float64Array(d * d);
      for (let i = 0; i < d; i++) m[i * d + i] = 1 / ridge;
      return m;
    });
    this.#b = Array.from({ length: actions }, () => new Float64Array(d));
    this.#theta = Array.from({ length: actions }, () => new Float64Array(d));
    this.#x = new Float64Array(d);
    this.#tmp = new Float64Array(d);
  }

  /** Rewards learned. */
  get samplesSeen(): number {
    return this.#samples;
  }

  #load(x: Features): Float64Array {
    if (x.length !== this.featureCount) throw new RangeError(`LinUcb: expected ${this.featureCount} features, got ${x.length}`);
    for (let i = 0; i < x.length; i++) this.#x[i] = x[i] as number;
    this.#x[this.featureCount] = 1;
    return this.#x;
  }

  /** Predicted reward θₐᵀx and confidence bonus α·√(xᵀAₐ⁻¹x) of every action. */
  scores(x: Features): { means: number[]; bonuses: number[] } {
    const v = this.#load(x);
    const d = this.#d;
    const means: number[] = [];
    const bonuses: number[] = [];
    for (let a = 0; a < this.actions; a++) {
      const ainv = this.#ainv[a] as Float64Array;
      const theta = this.#theta[a] as Float64Array;
      let mean = 0;
      let quad = 0;
      for (let i = 0; i < d; i++) {
        mean += (theta[i] as number) * (v[i] as number);
        let row = 0;
        for (let j = 0; j < d; j++) row += (ainv[i * d + j] as number) * (v[j] as number);
        quad += (v[i] as number) * row;
      }
      means.push(mean);
      bonuses.push(this.alpha * Math.sqrt(Math.max(0, quad)));
    }
    return { means, bonuses };
  }

  toJSON(): LinUcbJSON {
    return { type: 'lin-ucb', actions: this.actions, featureCount: this.featureCount, alpha: this.alpha, samples: this.#samples, ainv: this.#ainv.map((m) => [...m]), b: this.#b.map((v) => [...v]) };
  }

  /** Restore a saved state; throws `RangeError` naming what does not fit. */
  static fromJSON(json: LinUcbJSON): LinUcb {
    const u = new LinUcb({ actions: json.actions, featureCount: json.featureCount, alpha: json.alpha });
    const d = u.#d;
    if (json.ainv.length !== json.actions || json.b.length !== json.actions) throw new RangeError(`LinUcb: expected ${json.actions} actions of state`);
    for (let a = 0; a < json.actions; a++) {
      const ainv = json.ainv[a]!;
      const b = json.b[a]!;
      if (ainv.length !== d * d || b.length !== d || ![...ainv, ...b].every(Number.isFinite)) throw new RangeError(`LinUcb: action ${a} needs a finite ${d}×${d} A⁻¹ and ${d} b`);
      u.#ainv[a]!.set(ainv);
      u.#b[a]!.set(b);
      const theta = u.#theta[a]!;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += ainv[i * d + j]! * b[j]!;
        theta[i] = s;
      }
    }
    u.#samples = json.samples;
    return u;
  }

  /** Learn the reward of `action` in context x: A ← A + xxᵀ (by Sherman–Morrison on A⁻¹), b ← b + r·x, θ = A⁻¹b. */
  partialFit(x: Features, action: number, reward: number): void {
    if (!Number.isInteger(action) || action < 0 || action >= this.actions) throw new RangeError(`LinUcb: action ${action} outside [0, ${this.actions})`);
    if (!Number.isFinite(reward)) throw new RangeError(`LinUcb: reward must be finite, got ${reward}`);
    const v = this.#load(x);
    const d = this.#d;
    const ainv = this.#ainv[action] as Float64Array;
    const u = this.#tmp;
    let denom = 1;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (ainv[i * d + j] as number) * (v[j] as number);
      u[i] = s;
      denom += (v[i] as number) * s;
    }
    // A⁻¹ is symmetric, so (A⁻¹x)(xᵀA⁻¹) = u uᵀ.
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) ainv[i * d + j] = (ainv[i * d + j] as number) - ((u[i] as number) * (u[j] as number)) / denom;
    const b = this.#b[action] as Float64Array;
    for (let i = 0; i < d; i++) b[i] = (b[i] as number) + reward * (v[i] as number);
    const theta = this.#theta[action] as Float64Array;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (ainv[i * d + j] as number) * (b[j] as number);
      theta[i] = s;
    }
    this.#samples++;
  }
}
