import { HoeffdingTree, type HoeffdingTreeJSON, type HoeffdingTreeOptions } from './hoeffding-tree.js';
import { LabelEncoder } from './label-encoder.js';
import type { ClassifierLearner, Features, Label } from './learner.js';
import { ModelInvalidError } from './model-invalid-error.js';
import { argmax, checkFeatures, checkLabel, checkPositiveInt, checkWeight } from './internal/check.js';
import { SeededRandom } from './internal/random.js';

export interface OzaBaggingOptions extends HoeffdingTreeOptions {
  /** Number of trees; default 10. */
  readonly size?: number;
  /** Seed of the Poisson(1) resampling; default 1. */
  readonly seed?: number;
}

export interface OzaBaggingJSON {
  readonly kind: 'oza-bagging';
  readonly version: 1;
  readonly featureCount: number;
  readonly classes: readonly Label[];
  readonly rngState: number;
  readonly trees: readonly HoeffdingTreeJSON[];
  readonly samplesSeen: number;
}

/**
 * Online bagging (Oza & Russell 2001) of Hoeffding trees: each tree learns each sample
 * k ~ Poisson(1) times, from a seeded generator stored in the model file so training is
 * reproducible. Probabilities are the trees' average.
 */
export class OzaBagging implements ClassifierLearner<OzaBaggingJSON> {
  readonly task = 'classification';
  readonly kind = 'oza-bagging';
  readonly featureCount: number;
  private readonly labels: LabelEncoder;
  private readonly trees: HoeffdingTree[];
  private readonly rng: SeededRandom;
  private seen = 0;

  constructor(options: OzaBaggingOptions, trees?: HoeffdingTree[]) {
    checkPositiveInt(options.featureCount, 'featureCount');
    const size = options.size ?? 10;
    checkPositiveInt(size, 'size');
    this.featureCount = options.featureCount;
    this.labels = new LabelEncoder(options.classes);
    this.rng = new SeededRandom(options.seed ?? 1);
    this.trees = trees ?? Array.from({ length: size }, () => new HoeffdingTree(options));
  }

  get classes(): readonly Label[] {
    return this.labels.classes;
  }

  get samplesSeen(): number {
    return this.seen;
  }

  get size(): number {
    return this.trees.length;
  }

  partialFit(x: Features, y: Label, weight = 1): void {
    checkFeatures(x, this.featureCount);
    checkWeight(weight);
    checkLabel(y);
    if (this.labels.indexOf(y) < 0) {
      this.labels.add(y);
      for (const t of this.trees) t.addClass(y);
    }
    if (weight === 0) return;
    for (const t of this.trees) {
      const k = this.rng.poisson(1);
      if (k > 0) t.partialFit(x, y, k * weight);
    }
    this.seen += weight;
  }

  predictProba(x: Features): Float64Array {
    checkFeatures(x, this.featureCount);
    const k = this.labels.size;
    if (k === 0) throw new ModelInvalidError('online bagging has not seen any class yet');
    const out = new Float64Array(k);
    for (const t of this.trees) {
      const p = t.predictProba(x);
      for (let c = 0; c < k; c++) out[c]! += p[c]! / this.trees.length;
    }
    return out;
  }

  predict(x: Features): Label {
    return this.labels.labelAt(argmax(this.predictProba(x)));
  }

  toJSON(): OzaBaggingJSON {
    return {
      kind: this.kind,
      version: 1,
      featureCount: this.featureCount,
      classes: [...this.labels.classes],
      rngState: this.rng.state,
      trees: this.trees.map((t) => t.toJSON()),
      samplesSeen: this.seen,
    };
  }

  static fromJSON(json: OzaBaggingJSON): OzaBagging {
    const trees = json.trees.map((t) => HoeffdingTree.fromJSON(t));
    trees.forEach((t, i) => {
      if (
        t.featureCount !== json.featureCount ||
        t.classes.some((c, j) => json.classes[j] !== c) ||
        t.classes.length !== json.classes.length
      ) {
        throw new ModelInvalidError(`tree ${i} disagrees with the ensemble's features or classes`, [
          { path: `trees.${i}`, message: 'mismatch' },
        ]);
      }
    });
    const m = new OzaBagging(
      { featureCount: json.featureCount, classes: json.classes, seed: json.rngState, size: trees.length },
      trees,
    );
    m.seen = json.samplesSeen;
    return m;
  }
}

/**
 * @example
 * const forest = createOzaBagging({ featureCount: 8, size: 5, seed: 7 });
 * forest.partialFit(x, 'merge');
 */
export const createOzaBagging = (options: OzaBaggingOptions): OzaBagging => new OzaBagging(options);
