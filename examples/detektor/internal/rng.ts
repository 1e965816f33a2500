/**
 * A seeded generator (mulberry32) with the distributions the simulator needs. Hand-written:
 * each simulated unit gets its own stream derived from (seed, unit number), which needs a
 * plain-number seed and nothing else; a library would add a dependency for 30 lines.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator whose stream depends only on `seed` and `n` (splitmix-style mixing). */
  static derive(seed: number, n: number): Rng {
    let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n >>> 0, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return new Rng(h);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Draw an index by (unnormalised) weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal count-like value: round(exp(mu + sigma·z)). */
  logNormalInt(mu: number, sigma: number, min = 0): number {
    return Math.max(min, Math.round(Math.exp(mu + sigma * this.normal())));
  }

  /** `n` words drawn from `vocabulary`, joined by spaces. */
  text(vocabulary: readonly string[], n: number): string {
    return Array.from({ length: n }, () => this.pick(vocabulary)).join(' ');
  }
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
