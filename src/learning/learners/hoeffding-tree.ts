import { LabelEncoder } from './label-encoder.js';
import type { ClassifierLearner, Features, Label } from './learner.js';
import { ModelInvalidError } from './model-invalid-error.js';
import {
  argmax,
  checkFeatures,
  checkLabel,
  checkPositiveInt,
  checkWeight,
  softmaxInto,
} from './internal/check.js';
import { LeafGaussians } from './internal/gaussian.js';
import { findSplit } from './internal/split-search.js';
import {
  leafWeight,
  nodeFromJSON,
  nodeToJSON,
  type Leaf,
  type NodeJSON,
  type Split,
  type TreeNode,
} from './internal/tree-node.js';

export type { LeafJSON, NodeJSON, SplitJSON } from './internal/tree-node.js';

export const LeafPrediction = {
  MAJORITY: 'majority',
  NAIVE_BAYES: 'naive-bayes',
  ADAPTIVE: 'adaptive',
} as const;
export type LeafPrediction = (typeof LeafPrediction)[keyof typeof LeafPrediction];

export interface HoeffdingTreeOptions {
  /** Length of the feature vector. Required. */
  readonly featureCount: number;
  /** Weight a leaf must see between split attempts; default 200. */
  readonly gracePeriod?: number;
  /** Allowed probability of choosing the wrong split (δ of the Hoeffding bound); default 1e-7. */
  readonly delta?: number;
  /** Tie threshold: split anyway once the bound is below it; default 0.05. */
  readonly tieThreshold?: number;
  /** Maximum depth (root = 0); default 20. */
  readonly maxDepth?: number;
  /** Candidate thresholds tried per feature; default 10. */
  readonly splitCandidates?: number;
  /** Leaf answer: majority class, Gaussian naive Bayes, or whichever was right more often (default `'adaptive'`). */
  readonly leafPrediction?: LeafPrediction;
  /** Classes known in advance; default none. */
  readonly classes?: readonly Label[];
}

type Resolved = Required<Omit<HoeffdingTreeOptions, 'classes'>>;

export interface HoeffdingTreeJSON {
  readonly kind: 'hoeffding-tree';
  readonly version: 1;
  readonly options: Resolved;
  readonly classes: readonly Label[];
  readonly root: NodeJSON;
  readonly samplesSeen: number;
}

const DEFAULTS: Omit<Resolved, 'featureCount'> = {
  gracePeriod: 200,
  delta: 1e-7,
  tieThreshold: 0.05,
  maxDepth: 20,
  splitCandidates: 10,
  leafPrediction: 'adaptive',
};
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Hoeffding tree (VFDT, Domingos & Hulten 2000) for classification over numeric features:
 * each leaf keeps per-class Gaussian estimates of every feature, tries candidate thresholds
 * every `gracePeriod` samples and splits once the Hoeffding bound says the best information
 * gain beats the runner-up. Leaves answer by majority, Gaussian naive Bayes, or adaptively.
 * It is the non-linear learner of this package; `OzaBagging` ensembles it.
 */
export class HoeffdingTree implements ClassifierLearner<HoeffdingTreeJSON> {
  readonly task = 'classification';
  readonly kind = 'hoeffding-tree';
  readonly featureCount: number;
  private readonly o: Resolved;
  private readonly labels: LabelEncoder;
  private root: TreeNode;
  private seen = 0;
  private leaves = 1;

  constructor(options: HoeffdingTreeOptions) {
    checkPositiveInt(options.featureCount, 'featureCount');
    const o: Resolved = { featureCount: options.featureCount, ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      if (options[key] !== undefined) (o as Record<string, unknown>)[key] = options[key];
    }
    checkPositiveInt(o.gracePeriod, 'gracePeriod');
    checkPositiveInt(o.splitCandidates, 'splitCandidates');
    this.o = o;
    this.featureCount = o.featureCount;
    this.labels = new LabelEncoder(options.classes);
    this.root = this.newLeaf(0, []);
  }

  get classes(): readonly Label[] {
    return this.labels.classes;
  }

  get samplesSeen(): number {
    return this.seen;
  }

  /** Number of leaves (1 until the first split). */
  get leafCount(): number {
    return this.leaves;
  }

  /** Registers a class without learning a sample (keeps class order aligned across an ensemble). */
  addClass(label: Label): number {
    return this.labels.add(label);
  }

  partialFit(x: Features, y: Label, weight = 1): void {
    checkFeatures(x, this.featureCount);
    checkWeight(weight);
    checkLabel(y);
    const c = this.labels.add(y);
    if (weight === 0) return;
    const leaf = this.leafFor(x);
    if (this.o.leafPrediction === 'adaptive' && leafWeight(leaf) > 0) {
      if (argmax(leaf.counts) === c) leaf.mcCorrect += weight;
      if (argmax(this.naiveBayes(leaf, x, this.labels.size)) === c) leaf.nbCorrect += weight;
    }
    while (leaf.counts.length <= c) leaf.counts.push(0);
    leaf.counts[c]! += weight;
    leaf.gauss.ensureClasses(this.labels.size);
    leaf.gauss.update(x, c, weight);
    this.seen += weight;
    const seenAtLeaf = leafWeight(leaf);
    if (seenAtLeaf - leaf.lastEval >= this.o.gracePeriod && leaf.depth < this.o.maxDepth) {
      leaf.lastEval = seenAtLeaf;
      this.attemptSplit(leaf);
    }
  }

  predictProba(x: Features): Float64Array {
    checkFeatures(x, this.featureCount);
    const k = this.labels.size;
    if (k === 0) throw new ModelInvalidError('hoeffding tree has not seen any class yet');
    const leaf = this.leafFor(x);
    const useNb =
      leafWeight(leaf) > 0 &&
      (this.o.leafPrediction === 'naive-bayes' ||
        (this.o.leafPrediction === 'adaptive' && leaf.nbCorrect >= leaf.mcCorrect));
    if (useNb) return this.naiveBayes(leaf, x, k);
    const out = new Float64Array(k);
    let total = 0;
    for (let c = 0; c < leaf.counts.length; c++) total += leaf.counts[c]!;
    if (total === 0) return out.fill(1 / k);
    for (let c = 0; c < leaf.counts.length; c++) out[c] = leaf.counts[c]! / total;
    return out;
  }

  predict(x: Features): Label {
    return this.labels.labelAt(argmax(this.predictProba(x)));
  }

  toJSON(): HoeffdingTreeJSON {
    return {
      kind: this.kind,
      version: 1,
      options: { ...this.o },
      classes: [...this.labels.classes],
      root: nodeToJSON(this.root),
      samplesSeen: this.seen,
    };
  }

  static fromJSON(json: HoeffdingTreeJSON): HoeffdingTree {
    const t = new HoeffdingTree({ ...json.options, classes: json.classes });
    t.leaves = 0;
    t.root = nodeFromJSON(json.root, t.featureCount, 'root', () => t.leaves++);
    t.seen = json.samplesSeen;
    return t;
  }

  private leafFor(x: Features): Leaf {
    let node = this.root;
    while (node.type === 'split') node = x[node.feature]! <= node.threshold ? node.left : node.right;
    return node;
  }

  private newLeaf(depth: number, counts: number[]): Leaf {
    return {
      type: 'leaf',
      depth,
      counts,
      gauss: new LeafGaussians(this.featureCount, this.labels.size),
      lastEval: 0,
      mcCorrect: 0,
      nbCorrect: 0,
    };
  }

  /** Gaussian naive Bayes posterior at a leaf (variance smoothed as sklearn's GaussianNB). */
  private naiveBayes(leaf: Leaf, x: Features, k: number): Float64Array {
    const g = leaf.gauss;
    const logp = new Float64Array(k).fill(-Infinity);
    let total = 0;
    for (let c = 0; c < leaf.counts.length; c++) total += leaf.counts[c]!;
    let maxVar = 0;
    for (let j = 0; j < this.featureCount; j++) maxVar = Math.max(maxVar, g.pooledVariance(j));
    const smoothing = 1e-9 * maxVar + 1e-12; // sklearn's var_smoothing, plus a floor for constant data
    for (let c = 0; c < Math.min(k, leaf.counts.length); c++) {
      if (leaf.counts[c]! <= 0) continue;
      let s = Math.log(leaf.counts[c]! / total);
      if (c < g.classCount) {
        for (let j = 0; j < this.featureCount; j++) {
          if (g.weight(j, c) === 0) continue;
          const v = g.variance(j, c) + smoothing;
          const d = x[j]! - g.mean(j, c);
          s -= 0.5 * (LOG_2PI + Math.log(v)) + (d * d) / (2 * v);
        }
      }
      logp[c] = s;
    }
    return softmaxInto(logp, logp);
  }

  private attemptSplit(leaf: Leaf): void {
    const s = findSplit(leaf.gauss, this.o.splitCandidates);
    if (s === undefined) return;
    // Hoeffding bound on the information gain, whose range is log2(classes present).
    const range = Math.log2(Math.max(s.classesPresent, 2));
    const bound = Math.sqrt((range * range * Math.log(1 / this.o.delta)) / (2 * s.weight));
    if (s.gain - s.runnerUp <= bound && bound >= this.o.tieThreshold) return;
    const split: Split = {
      type: 'split',
      depth: leaf.depth,
      feature: s.feature,
      threshold: s.threshold,
      left: this.newLeaf(leaf.depth + 1, s.leftCounts),
      right: this.newLeaf(leaf.depth + 1, s.rightCounts),
    };
    this.replace(leaf, split);
    this.leaves++;
  }

  private replace(leaf: Leaf, split: Split): void {
    if (this.root === leaf) {
      this.root = split;
      return;
    }
    const walk = (node: TreeNode): boolean => {
      if (node.type === 'leaf') return false;
      if (node.left === leaf) (node as { left: TreeNode }).left = split;
      else if (node.right === leaf) (node as { right: TreeNode }).right = split;
      else return walk(node.left) || walk(node.right);
      return true;
    };
    walk(this.root);
  }
}

/**
 * @example
 * const tree = createHoeffdingTree({ featureCount: 4, gracePeriod: 100 });
 * for (const [x, y] of stream) tree.partialFit(x, y);
 * tree.predictProba(x); // one probability per tree.classes entry
 */
export const createHoeffdingTree = (options: HoeffdingTreeOptions): HoeffdingTree =>
  new HoeffdingTree(options);
