import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IntegrityError } from '../../core/index.js';
import {
  FeatureEncoder,
  ModelInvalidError,
  learnerFromJSON,
  loadOnnxModel,
  type AnyLearner,
  type FeatureEncoderJSON,
  type FeatureSpec,
  type Label,
  type LearnerJSON,
  type Task,
} from '../learners/index.js';
import { LinUcb, type LinUcbJSON } from '../bandits/lin-ucb.js';

/** How a model version is stored: a built-in learner, per-action reward models, or an ONNX file. */
export const ModelFormat = { LEARNER: 'learner', REWARD: 'reward', ONNX: 'onnx' } as const;
export type ModelFormat = (typeof ModelFormat)[keyof typeof ModelFormat];

/** The JSON artifact of a built-in model: the encoder state and the learner. */
export interface LearnerArtifact {
  readonly format: 'learner';
  readonly task: Task;
  readonly encoder: FeatureEncoderJSON;
  readonly learner: LearnerJSON;
}

/**
 * Contextual-bandit style: one reward regressor per action; the model serves the argmax. With
 * `bandit` (agents exploring by LinUCB) the LinUCB state serves instead: its means as the
 * per-action scores (argmax = the served answer) and its confidence bonuses, so the explorer
 * picks by upper confidence bound on the model arm.
 */
export interface RewardArtifact {
  readonly format: 'reward';
  readonly task: 'classification';
  readonly encoder: FeatureEncoderJSON;
  readonly actions: readonly string[];
  readonly learners: readonly LearnerJSON[];
  readonly bandit?: LinUcbJSON;
}

export type JsonArtifact = LearnerArtifact | RewardArtifact;

/** What an ONNX version needs beside its file: how to build its input and read its output. */
export interface OnnxMeta {
  readonly task: Task;
  /** Features in the model's input order (numeric fields should set `standardize: false` unless `encoder` carries statistics). */
  readonly featureSpec: FeatureSpec;
  readonly encoder?: FeatureEncoderJSON;
  readonly classes?: readonly Label[];
  readonly inputName?: string;
  readonly outputName?: string;
}

/** A model ready to answer: features (by name, as the decision recorded them) in, answer out. */
export interface LoadedModel {
  readonly format: ModelFormat;
  readonly task: Task;
  readonly specHash: string;
  /** Synchronous prediction: built-in learners only (absent for ONNX). */
  readonly predictSync?: (features: Readonly<Record<string, unknown>>) => Label | number;
  /**
   * Class probabilities by label, synchronously: built-in classification learners only (absent
   * for regression, reward and ONNX models). Shadow results carry them, for the ROC AUC.
   */
  readonly scoresSync?: (features: Readonly<Record<string, unknown>>) => Readonly<Record<string, number>>;
  predict(features: Readonly<Record<string, unknown>>): Promise<Label | number>;
  /** Reward models: the actions, in the order of `actionScores`. */
  readonly actions?: readonly string[];
  /** Reward models: predicted reward (and LinUCB bonus) per action; what the explorer and the OPE gate read. */
  readonly actionScores?: (features: Readonly<Record<string, unknown>>) => { readonly scores: readonly number[]; readonly bonuses?: readonly number[] };
  close(): Promise<void>;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Refuses bytes whose digest is not the recorded one (code `INTEGRITY_VIOLATION`). */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new IntegrityError(`${what} failed its integrity check: sha256 ${actual} does not match the registered ${expected}`);
  }
}

const artifactSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('learner'), task: z.enum(['classification', 'regression']), encoder: z.looseObject({}), learner: z.looseObject({}) }),
  z.object({
    format: z.literal('reward'),
    task: z.literal('classification'),
    encoder: z.looseObject({}),
    actions: z.array(z.string()).min(1),
    learners: z.array(z.looseObject({})).min(1),
    bandit: z
      .object({
        type: z.literal('lin-ucb'),
        actions: z.number().int().min(1),
        featureCount: z.number().int().min(0),
        alpha: z.number().min(0),
        samples: z.number().int().min(0),
        ainv: z.array(z.array(z.number())),
        b: z.array(z.array(z.number())),
      })
      .optional(),
  }),
]);

/** Parse an artifact's JSON text (after its hash was checked). Malformed: `ModelInvalidError`. */
export function parseArtifact(text: string): JsonArtifact {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelInvalidError('model artifact is not valid JSON', [{ path: '', message: (e as Error).message }], { cause: e });
  }
  const r = artifactSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ModelInvalidError(`model artifact is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const a = raw as JsonArtifact;
  if (a.format === 'reward' && a.actions.length !== a.learners.length)
    throw new ModelInvalidError('reward artifact needs one learner per action', [{ path: 'learners', message: `length must be ${a.actions.length}` }]);
  if (a.format === 'reward' && a.bandit && a.bandit.actions !== a.actions.length)
    throw new ModelInvalidError('reward artifact needs one bandit arm per action', [{ path: 'bandit.actions', message: `must be ${a.actions.length}` }]);
  return a;
}

function encoderOf(json: FeatureEncoderJSON): FeatureEncoder {
  try {
    return FeatureEncoder.fromJSON(json);
  } catch (e) {
    if (e instanceof ModelInvalidError) throw e;
    throw new ModelInvalidError(`model artifact has an invalid encoder: ${(e as Error).message}`, [{ path: 'encoder', message: 'invalid' }], { cause: e });
  }
}

const learner = (json: unknown): AnyLearner => learnerFromJSON(json);

function banditOf(json: LinUcbJSON, dimension: number): LinUcb {
  if (json.featureCount !== dimension)
    throw new ModelInvalidError(`bandit expects ${json.featureCount} features, the encoder gives ${dimension}`, [{ path: 'bandit.featureCount', message: 'mismatch' }]);
  try {
    return LinUcb.fromJSON(json);
  } catch (e) {
    throw new ModelInvalidError(`model artifact has an invalid bandit: ${(e as Error).message}`, [{ path: 'bandit', message: 'invalid' }], { cause: e });
  }
}

/** Build the serving model of a JSON artifact. */
export function modelFromArtifact(a: JsonArtifact): LoadedModel {
  const encoder = encoderOf(a.encoder);
  const x = new Float64Array(encoder.dimension);
  let predictSync: (f: Readonly<Record<string, unknown>>) => Label | number;
  let scoresSync: LoadedModel['scoresSync'];
  let actionScores: LoadedModel['actionScores'];
  if (a.format === 'learner') {
    const l = learner(a.learner);
    if (l.featureCount !== encoder.dimension)
      throw new ModelInvalidError(`learner expects ${l.featureCount} features, the encoder gives ${encoder.dimension}`, [{ path: 'learner.featureCount', message: 'mismatch' }]);
    predictSync = (f) => l.predict(encoder.encode(f, x));
    if (l.task === 'classification') {
      const c = l;
      scoresSync = (f) => {
        const p = c.predictProba(encoder.encode(f, x));
        return Object.fromEntries(c.classes.map((label, i) => [String(label), p[i] ?? 0]));
      };
    }
  } else {
    const ls = a.learners.map(learner);
    const bandit = a.bandit ? banditOf(a.bandit, encoder.dimension) : undefined;
    const score: NonNullable<LoadedModel['actionScores']> = bandit
      ? (f) => {
          const s = bandit.scores(encoder.encode(f, x));
          return { scores: s.means, bonuses: s.bonuses };
        }
      : (f) => {
          encoder.encode(f, x);
          return { scores: ls.map((l) => l.predict(x) as number) };
        };
    actionScores = score;
    predictSync = (f) => {
      const { scores } = score(f);
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
      return a.actions[best]!;
    };
  }
  return {
    format: a.format,
    task: a.format === 'reward' ? 'classification' : a.task,
    specHash: encoder.specHash,
    ...(a.format === 'reward' ? { actions: a.actions, actionScores } : {}),
    predictSync,
    ...(scoresSync ? { scoresSync } : {}),
    predict: async (f) => predictSync(f),
    close: async () => undefined,
  };
}

/** Build the serving model of an ONNX file (bytes already verified). */
export async function modelFromOnnx(bytes: Uint8Array, meta: OnnxMeta): Promise<LoadedModel> {
  const encoder = meta.encoder ? encoderOf(meta.encoder) : new FeatureEncoder(meta.featureSpec);
  const model = await loadOnnxModel(bytes, {
    task: meta.task,
    featureCount: encoder.dimension,
    ...(meta.classes ? { classes: meta.classes } : {}),
    ...(meta.inputName ? { inputName: meta.inputName } : {}),
    ...(meta.outputName ? { outputName: meta.outputName } : {}),
  });
  return {
    format: 'onnx',
    task: meta.task,
    specHash: encoder.specHash,
    predict: (f) => model.predict(encoder.encode(f)),
    close: () => model.close(),
  };
}
