import breastCancer from './datasets/breast_cancer.json' with { type: 'json' };
import diabetes from './datasets/diabetes.json' with { type: 'json' };
import digits from './datasets/digits.json' with { type: 'json' };
import { FeatureEncoder } from '../feature-encoder.js';
import type { FeatureSpec } from '../../../decisions/feature-spec.js';

/** A public data set exported by scripts/reference/learning_reference.py with sklearn's split. */
export interface Dataset {
  readonly name: string;
  readonly task: 'classification' | 'regression';
  readonly featureNames: readonly string[];
  readonly x: readonly (readonly number[])[];
  readonly y: readonly number[];
  readonly trainIndex: readonly number[];
  readonly testIndex: readonly number[];
}

export const DATASETS = {
  breast_cancer: breastCancer as Dataset,
  digits: digits as Dataset,
  diabetes: diabetes as Dataset,
} as const;

export interface EncodedSplit {
  readonly encoder: FeatureEncoder;
  readonly trainX: Float64Array[];
  readonly trainY: number[];
  readonly testX: Float64Array[];
  readonly testY: number[];
}

/** Encode a data set through a numeric `FeatureEncoder` whose statistics come from the train split only. */
export function encodeSplit(ds: Dataset): EncodedSplit {
  const spec: FeatureSpec = ds.featureNames.map((name) => ({ name, type: 'numeric' as const }));
  const encoder = new FeatureEncoder(spec);
  const record = (row: readonly number[]): Record<string, number> =>
    Object.fromEntries(ds.featureNames.map((n, i) => [n, row[i]!]));
  const train = ds.trainIndex.map((i) => record(ds.x[i]!));
  for (const r of train) encoder.observe(r);
  return {
    encoder,
    trainX: train.map((r) => encoder.encode(r)),
    trainY: ds.trainIndex.map((i) => ds.y[i]!),
    testX: ds.testIndex.map((i) => encoder.encode(record(ds.x[i]!))),
    testY: ds.testIndex.map((i) => ds.y[i]!),
  };
}
