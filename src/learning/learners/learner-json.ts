import { z } from 'zod';
import { HoeffdingTree, type HoeffdingTreeJSON, type NodeJSON } from './hoeffding-tree.js';
import type { ClassifierLearner, RegressorLearner } from './learner.js';
import { LinearRegression, type LinearRegressionJSON } from './linear-regression.js';
import { LogisticRegression, type LogisticRegressionJSON } from './logistic-regression.js';
import { ModelInvalidError } from './model-invalid-error.js';
import { OzaBagging, type OzaBaggingJSON } from './oza-bagging.js';

/** Every model file `learnerFromJSON` reads, discriminated by `kind`. */
export type LearnerJSON = LogisticRegressionJSON | LinearRegressionJSON | HoeffdingTreeJSON | OzaBaggingJSON;
/** Any learner of this package. */
export type AnyLearner = LogisticRegression | LinearRegression | HoeffdingTree | OzaBagging;

const count = z.number().int().positive();
const nonNeg = z.number().nonnegative();
const label = z.union([z.string(), z.number()]);
const labels = z.array(label).refine((l) => new Set(l).size === l.length, 'classes must be distinct');

const logistic = z.object({
  kind: z.literal('logistic-regression'),
  version: z.literal(1),
  featureCount: count,
  learningRate: z.number().positive(),
  l2: nonNeg,
  classes: labels,
  weights: z.array(z.number()),
  gradSq: z.array(nonNeg),
  samplesSeen: nonNeg,
});

const linear = z
  .object({
    kind: z.literal('linear-regression'),
    version: z.literal(1),
    featureCount: count,
    loss: z.enum(['squared', 'huber']),
    huberDelta: z.number().positive(),
    optimizer: z.enum(['adagrad', 'adam']),
    learningRate: z.number().positive(),
    l2: nonNeg,
    weights: z.array(z.number()),
    moments: z.array(z.number()),
    steps: z.number().int().nonnegative(),
    target: z.object({ n: nonNeg, mean: z.number(), m2: nonNeg }),
    samplesSeen: nonNeg,
  })
  .superRefine((m, ctx) => {
    const n = m.featureCount + 1;
    if (m.weights.length !== n)
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `length must be ${n}` });
    const mn = m.optimizer === 'adam' ? 2 * n : n;
    if (m.moments.length !== mn)
      ctx.addIssue({ code: 'custom', path: ['moments'], message: `length must be ${mn}` });
  });

const leaf = z.object({
  type: z.literal('leaf'),
  depth: z.number().int().nonnegative(),
  counts: z.array(nonNeg),
  classCount: z.number().int().nonnegative(),
  stats: z.array(z.number()),
  min: z.array(z.number().nullable()),
  max: z.array(z.number().nullable()),
  lastEval: nonNeg,
  mcCorrect: nonNeg,
  nbCorrect: nonNeg,
});
const node: z.ZodType<NodeJSON> = z.lazy(() =>
  z.discriminatedUnion('type', [
    leaf,
    z.object({
      type: z.literal('split'),
      depth: z.number().int().nonnegative(),
      feature: z.number().int().nonnegative(),
      threshold: z.number(),
      left: node,
      right: node,
    }),
  ]),
);
const tree = z.object({
  kind: z.literal('hoeffding-tree'),
  version: z.literal(1),
  options: z.object({
    featureCount: count,
    gracePeriod: count,
    delta: z.number().gt(0).lt(1),
    tieThreshold: nonNeg,
    maxDepth: z.number().int().nonnegative(),
    splitCandidates: count,
    leafPrediction: z.enum(['majority', 'naive-bayes', 'adaptive']),
  }),
  classes: labels,
  root: node,
  samplesSeen: nonNeg,
});
const bagging = z.object({
  kind: z.literal('oza-bagging'),
  version: z.literal(1),
  featureCount: count,
  classes: labels,
  rngState: z.number().int().nonnegative(),
  trees: z.array(tree).min(1),
  samplesSeen: nonNeg,
});

const learnerSchema = z.discriminatedUnion('kind', [logistic, linear, tree, bagging]);

/**
 * Rebuild a learner from its model file (the object from `toJSON()`, or its JSON text).
 * Anything malformed — wrong kind, version, shapes, non-finite numbers — is a
 * `ModelInvalidError` (code `MODEL_INVALID`) listing each offending field.
 * @example
 * const copy = learnerFromJSON(JSON.parse(JSON.stringify(model.toJSON())));
 */
export function learnerFromJSON(json: unknown): AnyLearner {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new ModelInvalidError(
        'model file is not valid JSON',
        [{ path: '', message: (e as Error).message }],
        { cause: e },
      );
    }
  }
  const parsed = learnerSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new ModelInvalidError(
      `model file is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      issues,
      { cause: parsed.error },
    );
  }
  const m = parsed.data;
  switch (m.kind) {
    case 'logistic-regression':
      return LogisticRegression.fromJSON(m);
    case 'linear-regression':
      return LinearRegression.fromJSON(m);
    case 'hoeffding-tree':
      return HoeffdingTree.fromJSON(m);
    case 'oza-bagging':
      return OzaBagging.fromJSON(m);
  }
}

/** Narrowing helpers for callers that know the task they expect. */
export const isClassifierLearner = (l: AnyLearner): l is AnyLearner & ClassifierLearner =>
  l.task === 'classification';
export const isRegressorLearner = (l: AnyLearner): l is LinearRegression & RegressorLearner =>
  l.task === 'regression';
