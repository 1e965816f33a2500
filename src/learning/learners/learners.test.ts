import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { accuracy } from '../evaluation/index.js';
import { SeededRandom } from './internal/random.js';
import {
  HoeffdingTree,
  LinearRegression,
  LogisticRegression,
  OzaBagging,
  asAsyncPredictor,
  isModelInvalidError,
  learnerFromJSON,
  type AnyLearner,
} from './index.js';
import { trainEpochs } from './testing/train.js';

/**
 * A band concept, |a| < 0.5, with two noise features: no linear model beats chance, a tree
 * can. (Not XOR: greedy information-gain trees, VFDT included, famously stall on XOR.)
 */
function band(n: number, seed: number): { xs: number[][]; ys: string[] } {
  const rng = new SeededRandom(seed);
  const xs: number[][] = [];
  const ys: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    xs.push([a, b, rng.next()]);
    ys.push(Math.abs(a) < 0.5 ? 'in' : 'out');
  }
  return { xs, ys };
}

const roundTrip = (l: AnyLearner): AnyLearner => learnerFromJSON(JSON.parse(JSON.stringify(l.toJSON())));

describe('LogisticRegression', () => {
  it('learns a separable multi-class problem and meets new classes online', () => {
    const m = new LogisticRegression({ featureCount: 2 });
    const centres: Record<string, [number, number]> = { a: [2, 0], b: [-2, 0], c: [0, 2] };
    const rng = new SeededRandom(3);
    for (let i = 0; i < 3000; i++) {
      const label = (['a', 'b', 'c'] as const)[i % 3]!;
      const [cx, cy] = centres[label]!;
      m.partialFit([cx + rng.next() - 0.5, cy + rng.next() - 0.5], label);
    }
    expect(m.classes).toEqual(['a', 'b', 'c']);
    expect(m.predict([2, 0])).toBe('a');
    expect(m.predict([0, 2.2])).toBe('c');
    const p = m.predictProba([-2, 0]);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(m.samplesSeen).toBe(3000);
  });

  it('rejects a wrong-length or non-finite vector with a ValidationError and refuses to predict untrained', () => {
    const m = new LogisticRegression({ featureCount: 2 });
    for (const f of [
      () => m.partialFit([1], 'a'),
      () => m.partialFit([1, Number.NaN], 'a'),
      () => m.partialFit([1, 2], Number.NaN),
      () => new LinearRegression({ featureCount: 1 }).partialFit([1], Number.POSITIVE_INFINITY),
    ]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isValidationError(err)).toBe(true);
    }
    expect(() => m.predict([1, 2])).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });
});

describe('LinearRegression', () => {
  it.each(['adagrad', 'adam'] as const)('recovers a linear function with %s', (optimizer) => {
    const m = new LinearRegression({
      featureCount: 2,
      optimizer,
      learningRate: optimizer === 'adam' ? 0.01 : 0.5,
    });
    const rng = new SeededRandom(9);
    for (let i = 0; i < 20000; i++) {
      const x = [rng.next() * 2 - 1, rng.next() * 2 - 1];
      m.partialFit(x, 100 + 30 * x[0]! - 10 * x[1]!);
    }
    expect(m.predict([0.5, 0.5])).toBeCloseTo(110, 0);
    expect(m.predict([-1, 0])).toBeCloseTo(70, 0);
  });

  it('huber loss resists outlying targets better than squared loss', () => {
    const fit = (loss: 'squared' | 'huber'): number => {
      const m = new LinearRegression({ featureCount: 1, loss });
      const rng = new SeededRandom(5);
      for (let i = 0; i < 5000; i++) {
        const x = rng.next() * 2 - 1;
        const outlier = i % 20 === 0 ? 500 : 0;
        m.partialFit([x], 10 * x + outlier);
      }
      return Math.abs(m.predict([0]) - 0);
    };
    expect(fit('huber')).toBeLessThan(fit('squared'));
  });
});

describe('HoeffdingTree and OzaBagging', () => {
  it('a tree learns a band, which a linear model cannot', () => {
    const train = band(6000, 1);
    const test = band(1000, 2);
    const tree = new HoeffdingTree({ featureCount: 3, gracePeriod: 100 });
    const linear = new LogisticRegression({ featureCount: 3 });
    trainEpochs(tree, train.xs, train.ys, 1, 1);
    trainEpochs(linear, train.xs, train.ys, 3, 1);
    const treeAcc = accuracy(
      test.ys,
      test.xs.map((x) => tree.predict(x)),
    );
    const linAcc = accuracy(
      test.ys,
      test.xs.map((x) => linear.predict(x)),
    );
    expect(tree.leafCount).toBeGreaterThan(2);
    expect(treeAcc).toBeGreaterThan(0.9);
    expect(linAcc).toBeLessThan(0.7);
  });

  it.each(['majority', 'naive-bayes', 'adaptive'] as const)(
    'every leaf prediction mode beats chance on the band (%s)',
    (leafPrediction) => {
      const train = band(6000, 3);
      const test = band(500, 4);
      const tree = new HoeffdingTree({ featureCount: 3, gracePeriod: 100, leafPrediction });
      trainEpochs(tree, train.xs, train.ys, 1, 1);
      expect(
        accuracy(
          test.ys,
          test.xs.map((x) => tree.predict(x)),
        ),
      ).toBeGreaterThan(0.85);
    },
  );

  it('bagging is deterministic for a seed and keeps class order aligned across trees', () => {
    const train = band(3000, 5);
    const make = (): OzaBagging => {
      const b = new OzaBagging({ featureCount: 3, size: 5, seed: 11, gracePeriod: 100 });
      trainEpochs(b, train.xs, train.ys, 1, 1);
      return b;
    };
    const a = make();
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(make().toJSON()));
    const test = band(500, 6);
    expect(
      accuracy(
        test.ys,
        test.xs.map((x) => a.predict(x)),
      ),
    ).toBeGreaterThan(0.85);
    expect(a.predictProba([0.5, 0.5, 0.5]).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
  });
});

describe('model files', () => {
  const learners = (): AnyLearner[] => {
    const data = band(1500, 7);
    const ys = data.xs.map((x) => 3 * x[0]! - x[1]!);
    const out: AnyLearner[] = [
      new LogisticRegression({ featureCount: 3 }),
      new LinearRegression({ featureCount: 3, optimizer: 'adam' }),
      new HoeffdingTree({ featureCount: 3, gracePeriod: 100 }),
      new OzaBagging({ featureCount: 3, size: 3, gracePeriod: 100 }),
    ];
    for (const l of out) {
      if (l.task === 'regression') trainEpochs(l, data.xs, ys, 1, 1);
      else trainEpochs(l, data.xs, data.ys, 1, 1);
    }
    return out;
  };

  it('toJSON → learnerFromJSON round-trips predictions and continues training identically', () => {
    const probe = band(50, 8).xs;
    for (const l of learners()) {
      const copy = roundTrip(l);
      expect(copy.kind).toBe(l.kind);
      for (const x of probe) {
        expect(copy.predict(x)).toEqual(l.predict(x));
        if (l.task === 'classification' && copy.task === 'classification')
          expect(copy.predictProba(x)).toEqual(l.predictProba(x));
      }
      const more = band(300, 9);
      for (const [x, y] of more.xs.map((x, i) => [x, more.ys[i]!] as const)) {
        if (l.task === 'classification' && copy.task === 'classification') {
          l.partialFit(x, y);
          copy.partialFit(x, y);
        } else if (l.task === 'regression' && copy.task === 'regression') {
          l.partialFit(x, x[0]!);
          copy.partialFit(x, x[0]!);
        }
      }
      expect(JSON.stringify(copy.toJSON())).toBe(JSON.stringify(l.toJSON()));
    }
  });

  it('a bad model file is a MODEL_INVALID error naming the field', () => {
    const lr = new LogisticRegression({ featureCount: 2, classes: ['x', 'y'] }).toJSON();
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ kind: 'svm', version: 1 }, /kind/],
      [{ ...lr, version: 2 }, /version/],
      [{ ...lr, weights: [1, 2] }, /weights/],
      [{ ...lr, classes: ['x', 'x'] }, /distinct/],
      [{ ...new LinearRegression({ featureCount: 2 }).toJSON(), moments: [] }, /moments/],
      [
        {
          ...new HoeffdingTree({ featureCount: 2 }).toJSON(),
          root: { type: 'split', depth: 0, feature: 5, threshold: 0, left: {}, right: {} },
        },
        /root/,
      ],
    ];
    for (const [input, message] of cases) {
      let err: unknown;
      try {
        learnerFromJSON(input);
      } catch (e) {
        err = e;
      }
      expect(isModelInvalidError(err), String(message)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('property: any weights of the right shape load, any other length is rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 30 }), (d, len) => {
        const json = {
          ...new LogisticRegression({ featureCount: d, classes: [0, 1] }).toJSON(),
          weights: new Array(len).fill(0.5),
          gradSq: new Array(len).fill(1),
        };
        const ok = len === 2 * (d + 1);
        if (ok) expect(learnerFromJSON(json).predict(new Array(d).fill(1))).toBe(0);
        else expect(() => learnerFromJSON(json)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
      }),
    );
  });
});

describe('asAsyncPredictor', () => {
  it('lifts a learner to the interface ONNX models implement', async () => {
    const m = new LogisticRegression({ featureCount: 1 });
    trainEpochs(m, [[-1], [1]], ['neg', 'pos'], 50, 1);
    const p = asAsyncPredictor(m);
    expect(p.classes).toEqual(['neg', 'pos']);
    expect(await p.predict([2])).toBe('pos');
    expect((await p.predictProba!([2])).length).toBe(2);
  });
});
