import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/errors.js';
import { isModelInvalidError, loadOnnxModel, type AsyncPredictor, type OnnxModelOptions } from './index.js';
import expected from './testing/fixtures/expected.json' with { type: 'json' };

// Fixtures built by scripts/reference/learning_reference.py with onnx.helper; expected
// outputs computed there with numpy in float32.
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./testing/fixtures/${name}`, import.meta.url));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('OnnxModel (onnxruntime-node, CPU)', () => {
  it('classifier probabilities and labels match numpy to 1e-6', async () => {
    const model = await loadOnnxModel(fixture('linear-classifier.onnx'), {
      task: 'classification',
      classes: expected.classes,
    });
    const p: AsyncPredictor = model; // same interface as a lifted learner
    expect(p.featureCount).toBe(expected.featureCount);
    for (const [i, x] of expected.inputs.entries()) {
      const proba = await model.predictProba(x);
      proba.forEach((v, c) =>
        expect(Math.abs(v - expected.classifierProba[i]![c]!)).toBeLessThanOrEqual(1e-6),
      );
      expect(await p.predict(x)).toBe(expected.classes[expected.classifierLabelIndex[i]!]);
    }
    const batch = await model.predictBatch(expected.inputs);
    expect(batch).toEqual(expected.classifierLabelIndex.map((k) => expected.classes[k]));
    await model.close();
    await model.close();
  });

  it('regressor outputs match numpy to 1e-6 (bytes source)', async () => {
    const model = await loadOnnxModel(readFileSync(fixture('linear-regressor.onnx')), { task: 'regression' });
    const out = await model.predictBatch(expected.inputs);
    out.forEach((v, i) =>
      expect(Math.abs((v as number) - expected.regressorOutput[i]!)).toBeLessThanOrEqual(1e-6),
    );
    await model.close();
  });

  it('a corrupt file is MODEL_INVALID', async () => {
    const err = await rejection(
      loadOnnxModel(new TextEncoder().encode('definitely not protobuf'), { task: 'regression' }),
    );
    expect(isModelInvalidError(err)).toBe(true);
    const truncated = readFileSync(fixture('linear-classifier.onnx')).subarray(0, 40);
    expect(isModelInvalidError(await rejection(loadOnnxModel(truncated, { task: 'classification' })))).toBe(
      true,
    );
  });

  it('a model that does not match the declared features, classes or task is MODEL_INVALID', async () => {
    const cases: OnnxModelOptions[] = [
      { task: 'classification', featureCount: 5 },
      { task: 'classification', classes: ['a', 'b'] },
      { task: 'regression' },
      { task: 'classification', inputName: 'nope' },
    ];
    for (const options of cases) {
      const err = await rejection(loadOnnxModel(fixture('linear-classifier.onnx'), options));
      expect(isModelInvalidError(err), String(err)).toBe(true);
    }
  });

  it('a missing file is NOT_FOUND and a wrong-length input is a validation error', async () => {
    const err = await rejection(loadOnnxModel(fixture('missing.onnx'), { task: 'regression' }));
    expect(isApprenticeError(err) && err.code).toBe('NOT_FOUND');
    const model = await loadOnnxModel(fixture('linear-regressor.onnx'), { task: 'regression' });
    const bad = await rejection(model.predict([1, 2]));
    expect(isApprenticeError(bad) && bad.code).toBe('VALIDATION_FAILED');
    await model.close();
  });
});
