import type { Features } from '../learner.js';
import { SeededRandom } from '../internal/random.js';

/** `epochs` passes of partialFit over the rows, reshuffled each pass by a seeded generator. */
export function trainEpochs<Y>(
  learner: { partialFit(x: Features, y: Y): void },
  xs: readonly Features[],
  ys: readonly Y[],
  epochs: number,
  seed: number,
): void {
  const rng = new SeededRandom(seed);
  const order = xs.map((_, i) => i);
  for (let e = 0; e < epochs; e++) {
    rng.shuffle(order);
    for (const i of order) learner.partialFit(xs[i]!, ys[i]!);
  }
}
