import { assertNever } from '../../../core/index.js';
import type { Issues } from './validate.js';
import type { ProportionArm, SampleSummary } from '../types.js';

/** Two arms of one metric: proportions (successes/total) or means (summaries). */
export type TwoArms =
  | { readonly metric: 'proportion'; readonly a: ProportionArm; readonly b: ProportionArm }
  | { readonly metric: 'mean'; readonly a: SampleSummary; readonly b: SampleSummary };

/** Estimates and per-unit variances of each arm (unpooled; Bernoulli p(1−p) for proportions). */
export interface ArmEstimates {
  readonly meanA: number;
  readonly meanB: number;
  /** Variance of the estimated mean of A, i.e. σ²_A / n_A. */
  readonly varMeanA: number;
  readonly varMeanB: number;
  readonly countA: number;
  readonly countB: number;
}

export function checkArms(arms: TwoArms, issues: Issues, minCount: number): void {
  switch (arms.metric) {
    case 'proportion':
      issues.proportionArm('a', arms.a).proportionArm('b', arms.b);
      return;
    case 'mean':
      issues.sampleSummary('a', arms.a, minCount).sampleSummary('b', arms.b, minCount);
      return;
    default:
      issues.add('metric', "must be 'proportion' or 'mean'");
  }
}

export function estimates(arms: TwoArms): ArmEstimates {
  switch (arms.metric) {
    case 'proportion': {
      const pa = arms.a.successes / arms.a.total;
      const pb = arms.b.successes / arms.b.total;
      return {
        meanA: pa,
        meanB: pb,
        varMeanA: (pa * (1 - pa)) / arms.a.total,
        varMeanB: (pb * (1 - pb)) / arms.b.total,
        countA: arms.a.total,
        countB: arms.b.total,
      };
    }
    case 'mean':
      return {
        meanA: arms.a.mean,
        meanB: arms.b.mean,
        varMeanA: arms.a.variance / arms.a.count,
        varMeanB: arms.b.variance / arms.b.count,
        countA: arms.a.count,
        countB: arms.b.count,
      };
    default:
      return assertNever(arms, 'arms');
  }
}
