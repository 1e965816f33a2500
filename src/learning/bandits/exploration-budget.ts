/**
 * A per-agent exploration budget: at most `share` of the decisions may serve an action other
 * than the greedy one. `mayExplore()` is decided from past decisions only, before the draw, so
 * the logged propensities stay exact; the realised share never exceeds the budget.
 */
export class ExplorationBudget {
  #decisions = 0;
  #explored = 0;

  constructor(readonly share: number) {
    if (!(share >= 0 && share <= 1)) throw new RangeError(`exploration budget must be in [0, 1], got ${share}`);
  }

  get decisions(): number {
    return this.#decisions;
  }

  get explored(): number {
    return this.#explored;
  }

  /** Share of decisions that explored so far (0 before the first). */
  get used(): number {
    return this.#decisions === 0 ? 0 : this.#explored / this.#decisions;
  }

  /** Whether this decision may explore: one more exploring decision would keep the share within budget. */
  mayExplore(): boolean {
    return this.#explored + 1 <= this.share * (this.#decisions + 1);
  }

  record(explored: boolean): void {
    this.#decisions++;
    if (explored) this.#explored++;
  }
}
