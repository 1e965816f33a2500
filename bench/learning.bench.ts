/**
 * Learning bench: the hot-path cost of turning a context into features and of a learned
 * model's answer (decide() has a 20 µs budget for all of its overhead, DESIGN.md §6), plus
 * the training cost per sample that bounds a learner worker's throughput.
 */
import {
  FeatureEncoder,
  LogisticRegression,
  HoeffdingTree,
  type FeatureSpec,
} from '../src/learning/learners/index.js';
import { SeededRandom } from '../src/learning/learners/internal/random.js';
import { fig, measureSync, type BenchSuite, type Figure } from './harness.js';

// A realistic agent spec: 8 numerics, 2 booleans, 2 categoricals (one fixed vocabulary), 1 short text.
const SPEC: FeatureSpec = [
  ...Array.from({ length: 8 }, (_, i) => ({ name: `n${i}`, type: 'numeric' as const })),
  { name: 'hotfix', type: 'boolean' },
  { name: 'draft', type: 'boolean' },
  { name: 'lang', type: 'categorical', vocabulary: ['ts', 'py', 'go', 'rs'] },
  { name: 'author', type: 'categorical', buckets: 32 },
  { name: 'title', type: 'text', buckets: 64 },
];

function contexts(n: number): Record<string, unknown>[] {
  const rng = new SeededRandom(1);
  const words = ['fix', 'add', 'detector', 'yolo', 'refactor', 'tests', 'camera', 'pipeline', 'bump', 'docs'];
  return Array.from({ length: n }, (_, i) => {
    const c: Record<string, unknown> = {
      hotfix: i % 7 === 0,
      draft: i % 3 === 0,
      lang: ['ts', 'py', 'go', 'cpp'][i % 4],
      author: `dev${i % 25}`,
    };
    for (let k = 0; k < 8; k++) c[`n${k}`] = rng.next() * 100;
    c.title = Array.from({ length: 6 }, () => words[Math.floor(rng.next() * words.length)]).join(' ');
    return c;
  });
}

const suite: BenchSuite = {
  name: 'learning',
  figures: ['feature-encode', 'model-predict', 'model-partial-fit'],
  async run(only) {
    const ctx = contexts(1024);
    const enc = new FeatureEncoder(SPEC);
    for (const c of ctx) enc.observe(c);
    const out = new Float64Array(enc.dimension);
    const xs = ctx.map((c) => enc.encode(c));
    const labels = ctx.map((c, i) => ((c.n0 as number) > 50 === (i % 2 === 0) ? 'approve' : 'reject'));
    const lr = new LogisticRegression({ featureCount: enc.dimension });
    const tree = new HoeffdingTree({ featureCount: enc.dimension });
    for (let i = 0; i < 4096; i++) {
      lr.partialFit(xs[i & 1023]!, labels[i & 1023]!);
      tree.partialFit(xs[i & 1023]!, labels[i & 1023]!);
    }
    const figures: Figure[] = [];
    if (!only || only === 'feature-encode') {
      const s = measureSync((i) => enc.encode(ctx[i & 1023]!, out), { inner: 10 });
      figures.push(
        fig({
          name: 'feature-encode',
          value: s.p99,
          unit: 'µs',
          target: '<= 5',
          ok: s.p99 <= 5,
          note: `p50 ${s.p50.toFixed(2)} µs, ${enc.dimension} columns, reused buffer`,
        }),
      );
    }
    if (!only || only === 'model-predict') {
      const s = measureSync((i) => lr.predictProba(xs[i & 1023]!), { inner: 10 });
      const t = measureSync((i) => tree.predictProba(xs[i & 1023]!), { inner: 10 });
      figures.push(
        fig({
          name: 'model-predict',
          value: s.p99,
          unit: 'µs',
          target: '<= 5',
          ok: s.p99 <= 5,
          note: `logistic p99; Hoeffding tree (NB leaf) p99 ${t.p99.toFixed(2)} µs`,
        }),
      );
    }
    if (!only || only === 'model-partial-fit') {
      const s = measureSync((i) => lr.partialFit(xs[i & 1023]!, labels[i & 1023]!), { inner: 10 });
      const t = measureSync((i) => tree.partialFit(xs[i & 1023]!, labels[i & 1023]!), {
        iterations: 5000,
        warmup: 500,
        inner: 10,
      });
      figures.push(
        fig({
          name: 'model-partial-fit',
          value: 1e6 / s.mean,
          unit: 'samples/s',
          target: '>= 100000',
          ok: 1e6 / s.mean >= 100_000,
          note: `logistic; Hoeffding tree ${(1e6 / t.mean).toFixed(0)} samples/s`,
        }),
      );
    }
    return figures;
  },
};

export default suite;
