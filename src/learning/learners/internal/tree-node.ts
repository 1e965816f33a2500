import { assertNever } from '../../../core/index.js';
import { ModelInvalidError } from '../model-invalid-error.js';
import { LeafGaussians } from './gaussian.js';

// Hoeffding-tree nodes in memory and in the model file.

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

export interface Leaf {
  readonly type: 'leaf';
  readonly depth: number;
  counts: number[];
  readonly gauss: LeafGaussians;
  lastEval: number;
  mcCorrect: number;
  nbCorrect: number;
}
export interface Split {
  readonly type: 'split';
  readonly depth: number;
  readonly feature: number;
  readonly threshold: number;
  readonly left: TreeNode;
  readonly right: TreeNode;
}
export type TreeNode = Leaf | Split;

export function leafWeight(leaf: Leaf): number {
  let s = 0;
  for (let c = 0; c < leaf.gauss.classCount; c++) s += leaf.gauss.weight(0, c);
  return s;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function nodeToJSON(node: TreeNode): NodeJSON {
  if (node.type === 'split') {
    return {
      type: 'split',
      depth: node.depth,
      feature: node.feature,
      threshold: node.threshold,
      left: nodeToJSON(node.left),
      right: nodeToJSON(node.right),
    };
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

export function nodeFromJSON(n: NodeJSON, featureCount: number, path: string, onLeaf: () => void): TreeNode {
  switch (n.type) {
    case 'split': {
      if (n.feature >= featureCount) {
        throw new ModelInvalidError(`split on feature ${n.feature} of ${featureCount}`, [
          { path: `${path}.feature`, message: 'out of range' },
        ]);
      }
      return {
        ...n,
        left: nodeFromJSON(n.left, featureCount, `${path}.left`, onLeaf),
        right: nodeFromJSON(n.right, featureCount, `${path}.right`, onLeaf),
      };
    }
    case 'leaf': {
      const gauss = new LeafGaussians(featureCount, n.classCount);
      if (
        n.stats.length !== gauss.stats.length ||
        n.min.length !== featureCount ||
        n.max.length !== featureCount
      ) {
        throw new ModelInvalidError('leaf statistics do not match the feature and class counts', [
          { path: `${path}.stats`, message: `length must be ${gauss.stats.length}` },
        ]);
      }
      gauss.stats.set(n.stats);
      gauss.min.set(n.min.map((v) => v ?? Infinity));
      gauss.max.set(n.max.map((v) => v ?? -Infinity));
      onLeaf();
      return {
        type: 'leaf',
        depth: n.depth,
        counts: [...n.counts],
        gauss,
        lastEval: n.lastEval,
        mcCorrect: n.mcCorrect,
        nbCorrect: n.nbCorrect,
      };
    }
    default:
      return assertNever(n);
  }
}
