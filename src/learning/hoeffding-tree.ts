import { assertNever } from '../core/assert-never.js';
import { LabelEncoder } from './label-encoder.js';
import type { ClassifierLearner, Features, Label } from './learner.js';
import { ModelInvalidError } from './model-invalid-error.js';
import { argmax, checkFeatures, checkPositiveInt, checkWeight, softmaxInto } from './internal/check.js';
import { entropy, LeafGaussians } from './internal/gaussian.js';

export const LeafPrediction = { MAJORITY: 'majority', NAIVE_BAYES: 'naive-bayes', ADAPTIVE: 'adaptive' } as const;
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

export interface LeafJSON {
  readonly type: 'leaf';
  readonly depth: number;
  readonly counts: readonly number[];
  readonly classCount: number;
  readonly stats: readonly number[];
  /** `null` for a feature not seen yet. */
  readonly min: readonly (number | null)[];
  readonly max: readonly (number | null)[];
  readonly lastEval: number;
  readonly mcCorrect: number;
  readonly nbCorrect: number;
}
export interface SplitJSON {
  readonly type: 'split';
  readonly depth: number;
  readonly feature: number;
  readonly threshold: number;
  readonly left: NodeJSON;
  readonly right: NodeJSON;
}
export type NodeJSON = LeafJSON | SplitJSON;

export interface HoeffdingTreeJSON {
  readonly kind: 'hoeffding-tree';
  readonly version: 1;
  readonly options: Resolved;
  readonly classes: readonly Label[];
  readonly root: NodeJSON;
  readonly samplesSeen: number;
}

interface Leaf {
  readonly type: 'leaf';
  readonly depth: number;
  counts: number[];
  readonly gauss: LeafGaussians;
  lastEval: number;
  mcCorrect: number;
  nbCorrect: number;
}
interface Split {
  readonly type: 'split';
  readonly depth: number;
  readonly feature: number;
  readonly threshold: number;
  readonly left: TreeNode;
  readonly right: TreeNode;
}
type TreeNode = Leaf | Split;

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
      this.attemptSplit(leaf, x);
    }
  }

  predictProba(x: Features): Float64Array {
    checkFeatures(x, this.featureCount);
    const k = this.labels.size;
    if (k === 0) throw new ModelInvalidError('hoeffding tree has not seen any class yet');
    const leaf = this.leafFor(x);
    const useNb =
      leafWeight(leaf) > 0 &&
      (this.o.leafPrediction === 'naive-bayes' || (this.o.leafPrediction === 'adaptive' && leaf.nbCorrect >= leaf.mcCorrect));
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
    return { kind: this.kind, version: 1, options: { ...this.o }, classes: [...this.labels.classes], root: nodeToJSON(this.root), samplesSeen: this.seen };
  }

  static fromJSON(json: HoeffdingTreeJSON): HoeffdingTree {
    const t = new HoeffdingTree({ ...json.options, classes: json.classes });
    t.leaves = 0;
    t.root = t.nodeFromJSON(json.root, 'root');
    t.seen = json.samplesSeen;
    return t;
  }

  private leafFor(x: Features): Leaf {
    let node = this.root;
    while (node.type === 'split') node = x[node.feature]! <= node.threshold ? node.left : node.right;
    return node;
  }

  private newLeaf(depth: number, counts: number[]): Leaf {
    return { type: 'leaf', depth, counts, gauss: new LeafGaussians(this.featureCount, this.labels.size), lastEval: 0, mcCorrect: 0, nbCorrect: 0 };
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

  private attemptSplit(leaf: Leaf, _x: Features): void {
    const g = leaf.gauss;
    const k = g.classCount;
    const dist = new Float64Array(k);
    for (let c = 0; c < k; c++) dist[c] = g.weight(0, c);
    let present = 0;
    for (let c = 0; c < k; c++) if (dist[c]! > 0) present++;
    if (present < 2) return;
    const n = dist.reduce((a, b) => a + b, 0);
    const parentH = entropy(dist);
    let best: { gain: number; feature: number; threshold: number; left: Float64Array } = { gain: 0, feature: -1, threshold: 0, left: new Float64Array(k) };
    let second = 0;
    const left = new Float64Array(k);
    const right = new Float64Array(k);
    for (let j = 0; j < this.featureCount; j++) {
      const lo = g.min[j]!;
      const hi = g.max[j]!;
      if (!(hi > lo)) continue;
      let featureBest = 0;
      let featureThreshold = 0;
      let featureLeft: Float64Array | undefined;
      for (let b = 1; b <= this.o.splitCandidates; b++) {
        const t = lo + ((hi - lo) * b) / (this.o.splitCandidates + 1);
        let nl = 0;
        for (let c = 0; c < k; c++) {
          left[c] = g.weightBelow(j, c, t);
          right[c] = dist[c]! - left[c]!;
          nl += left[c]!;
        }
        const gain = parentH - (nl / n) * entropy(left) - ((n - nl) / n) * entropy(right);
        if (gain > featureBest) {
          featureBest = gain;
          featureThreshold = t;
          featureLeft = Float64Array.from(left);
        }
      }
      if (featureLeft === undefined) continue;
      if (featureBest > best.gain) {
        second = best.gain;
        best = { gain: featureBest, feature: j, threshold: featureThreshold, left: featureLeft };
      } else if (featureBest > second) {
        second = featureBest;
      }
    }
    if (best.feature < 0) return;
    const range = Math.log2(Math.max(present, 2));
    const bound = Math.sqrt((range * range * Math.log(1 / this.o.delta)) / (2 * n));
    if (best.gain - second <= bound && bound >= this.o.tieThreshold) return;
    const leftCounts = Array.from(best.left);
    const rightCounts = leftCounts.map((l, c) => Math.max(0, dist[c]! - l));
    const split: Split = {
      type: 'split',
      depth: leaf.depth,
      feature: best.feature,
      threshold: best.threshold,
      left: this.newLeaf(leaf.depth + 1, leftCounts),
      right: this.newLeaf(leaf.depth + 1, rightCounts),
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

  private nodeFromJSON(n: NodeJSON, path: string): TreeNode {
    switch (n.type) {
      case 'split': {
        if (n.feature >= this.featureCount) {
          throw new ModelInvalidError(`split on feature ${n.feature} of ${this.featureCount}`, [{ path: `${path}.feature`, message: 'out of range' }]);
        }
        return { ...n, left: this.nodeFromJSON(n.left, `${path}.left`), right: this.nodeFromJSON(n.right, `${path}.right`) };
      }
      case 'leaf': {
        const gauss = new LeafGaussians(this.featureCount, n.classCount);
        if (n.stats.length !== gauss.stats.length || n.min.length !== this.featureCount || n.max.length !== this.featureCount) {
          throw new ModelInvalidError('leaf statistics do not match the feature and class counts', [{ path: `${path}.stats`, message: `length must be ${gauss.stats.length}` }]);
        }
        gauss.stats.set(n.stats);
        gauss.min.set(n.min.map((v) => v ?? Infinity));
        gauss.max.set(n.max.map((v) => v ?? -Infinity));
        this.leaves++;
        return { type: 'leaf', depth: n.depth, counts: [...n.counts], gauss, lastEval: n.lastEval, mcCorrect: n.mcCorrect, nbCorrect: n.nbCorrect };
      }
      default:
        return assertNever(n);
    }
  }
}

function leafWeight(leaf: Leaf): number {
  let s = 0;
  for (let c = 0; c < leaf.gauss.classCount; c++) s += leaf.gauss.weight(0, c);
  return s;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function nodeToJSON(node: TreeNode): NodeJSON {
  if (node.type === 'split') {
    return { type: 'split', depth: node.depth, feature: node.feature, threshold: node.threshold, left: nodeToJSON(node.left), right: nodeToJSON(node.right) };
  }
  return {
    type: 'leaf',
    depth: node.depth,
    counts: [...node.counts],
    classCount: node.gauss.classCount,
    stats: Array.from(node.gauss.stats),
    min: Array.from(node.gauss.min, finiteOrNull),
    max: Array.from(node.gauss.max, finiteOrNull),
    lastEval: node.lastEval,
    mcCorrect: node.mcCorrect,
    nbCorrect: node.nbCorrect,
  };
}

/**
 * @example
 * const tree = createHoeffdingTree({ featureCount: 4, gracePeriod: 100 });
 * for (const [x, y] of stream) tree.partialFit(x, y);
 * tree.predictProba(x); // one probability per tree.classes entry
 */
export const createHoeffdingTree = (options: HoeffdingTreeOptions): HoeffdingTree => new HoeffdingTree(options);
