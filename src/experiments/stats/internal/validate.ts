import { ValidationError, type FieldIssue } from '../../../core/index.js';
import type { Alternative, ProportionArm, SampleSummary } from '../types.js';

/** Collects field issues and throws one `ValidationError` naming all of them. */
export class Issues {
  readonly #issues: FieldIssue[] = [];

  add(path: string, message: string): this {
    this.#issues.push({ path, message });
    return this;
  }

  finite(path: string, value: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.add(path, 'must be a finite number');
    return this;
  }

  nonNegative(path: string, value: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.add(path, 'must be a finite number ≥ 0');
    }
    return this;
  }

  positive(path: string, value: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.add(path, 'must be a finite number > 0');
    }
    return this;
  }

  nonNegativeInteger(path: string, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) this.add(path, 'must be an integer ≥ 0');
    return this;
  }

  /** A probability strictly inside (0, 1), such as alpha or power. */
  openUnit(path: string, value: number): this {
    if (typeof value !== 'number' || !(value > 0 && value < 1)) this.add(path, 'must be in the open interval (0, 1)');
    return this;
  }

  alternative(path: string, value: Alternative): this {
    if (value !== 'two-sided' && value !== 'greater' && value !== 'less') {
      this.add(path, "must be 'two-sided', 'greater' or 'less'");
    }
    return this;
  }

  proportionArm(path: string, arm: ProportionArm): this {
    this.nonNegativeInteger(`${path}.successes`, arm.successes).nonNegativeInteger(`${path}.total`, arm.total);
    if (arm.total === 0) this.add(`${path}.total`, 'must be > 0');
    if (arm.successes > arm.total) this.add(`${path}.successes`, 'must not exceed total');
    return this;
  }

  sampleSummary(path: string, s: SampleSummary, minCount: number): this {
    this.finite(`${path}.mean`, s.mean).nonNegative(`${path}.variance`, s.variance);
    if (!Number.isFinite(s.count) || s.count < minCount) this.add(`${path}.count`, `must be ≥ ${minCount}`);
    return this;
  }

  throwIfAny(what: string): void {
    if (this.#issues.length > 0) {
      const list = this.#issues.map((i) => `${i.path} ${i.message}`).join('; ');
      throw new ValidationError(`invalid ${what}: ${list}`, this.#issues);
    }
  }
}
