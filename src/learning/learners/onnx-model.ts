import { readFile } from 'node:fs/promises';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { NotFoundError } from '../../core/index.js';
import type { AsyncPredictor, Features, Label, Task } from './learner.js';
import { ModelInvalidError } from './model-invalid-error.js';
import { argmax, checkFeatures } from './internal/check.js';
import { loadOnnxRuntime } from './onnx-runtime.js';

export interface OnnxModelOptions {
  readonly task: Task;
  /** Feature count; required when the model's input width is symbolic, checked against it otherwise. */
  readonly featureCount?: number;
  /** Classification: labels of the probability columns; default `0 … K−1`. */
  readonly classes?: readonly Label[];
  /** Input to feed; default the model's first input. */
  readonly inputName?: string;
  /** Output to read (probabilities, or the predicted value); default the model's first output. */
  readonly outputName?: string;
}

type Session = InferenceSession;

/**
 * A read-only model exported from elsewhere (sklearn via skl2onnx, PyTorch, …) run by
 * onnxruntime-node on the CPU. It implements `AsyncPredictor`, like a learner lifted by
 * `asAsyncPredictor`, but cannot learn: it has no `partialFit`. The input must be a
 * float32/float64 tensor `[N, featureCount]`; the output `[N, K]` probabilities for
 * classification, `[N, 1]` or `[N]` values for regression.
 */
export class OnnxModel implements AsyncPredictor {
  readonly kind = 'onnx';

  private constructor(
    private readonly ort: typeof OrtModule,
    private readonly session: Session,
    readonly task: Task,
    readonly featureCount: number,
    private readonly classList: readonly Label[] | undefined,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly inputType: 'float32' | 'float64',
  ) {}

  get classes(): readonly Label[] | undefined {
    return this.classList;
  }

  /** Probabilities per class for each row (classification only). */
  async predictProbaBatch(xs: readonly Features[]): Promise<Float64Array[]> {
    if (this.task !== 'classification')
      throw new ModelInvalidError('predictProba needs a classification model');
    const { data, width } = await this.run(xs);
    return xs.map((_, r) => Float64Array.from(data.subarray(r * width, (r + 1) * width)));
  }

  async predictProba(x: Features): Promise<Float64Array> {
    return (await this.predictProbaBatch([x]))[0]!;
  }

  async predictBatch(xs: readonly Features[]): Promise<(Label | number)[]> {
    if (this.task === 'classification')
      return (await this.predictProbaBatch(xs)).map((p) => this.classList![argmax(p)]!);
    const { data } = await this.run(xs);
    return Array.from(data);
  }

  async predict(x: Features): Promise<Label | number> {
    return (await this.predictBatch([x]))[0]!;
  }

  /** Release the native session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }

  private closed = false;

  private async run(xs: readonly Features[]): Promise<{ data: Float32Array | Float64Array; width: number }> {
    const d = this.featureCount;
    const buf =
      this.inputType === 'float32' ? new Float32Array(xs.length * d) : new Float64Array(xs.length * d);
    xs.forEach((x, r) => {
      checkFeatures(x, d);
      buf.set(x, r * d);
    });
    let out;
    try {
      const result = await this.session.run(
        { [this.inputName]: new this.ort.Tensor(this.inputType, buf, [xs.length, d]) },
        [this.outputName],
      );
      out = result[this.outputName];
    } catch (e) {
      throw new ModelInvalidError(`ONNX inference failed: ${(e as Error).message}`, [], { cause: e });
    }
    if (out === undefined || !(out.data instanceof Float32Array || out.data instanceof Float64Array)) {
      throw new ModelInvalidError(`output '${this.outputName}' is not a float tensor`);
    }
    const width = out.data.length / Math.max(xs.length, 1);
    const expected = this.task === 'classification' ? this.classList!.length : 1;
    if (width !== expected) {
      throw new ModelInvalidError(
        `output '${this.outputName}' has ${width} values per row, expected ${expected}`,
      );
    }
    return { data: out.data, width };
  }

  /** Load and check a model (file path or bytes). See `loadOnnxModel`. */
  static async load(source: string | Uint8Array, options: OnnxModelOptions): Promise<OnnxModel> {
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      try {
        bytes = await readFile(source);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new NotFoundError(`model file ${source} does not exist`, { cause: e });
        throw e;
      }
    } else {
      bytes = source;
    }
    const ort = await loadOnnxRuntime();
    let session: Session;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    } catch (e) {
      throw new ModelInvalidError(
        `not a loadable ONNX model: ${(e as Error).message}`,
        [{ path: 'model', message: 'corrupt or unsupported' }],
        { cause: e },
      );
    }
    try {
      return OnnxModel.check(ort, session, options);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  private static check(ort: typeof OrtModule, session: Session, options: OnnxModelOptions): OnnxModel {
    const inputName = options.inputName ?? session.inputNames[0];
    const outputName = options.outputName ?? session.outputNames[0];
    const input = session.inputMetadata.find((m) => m.name === inputName);
    const output = session.outputMetadata.find((m) => m.name === outputName);
    if (input === undefined || inputName === undefined) {
      throw new ModelInvalidError(`model has no input '${String(inputName)}'`, [
        { path: 'inputName', message: `inputs: ${session.inputNames.join(', ')}` },
      ]);
    }
    if (output === undefined || outputName === undefined) {
      throw new ModelInvalidError(`model has no output '${String(outputName)}'`, [
        { path: 'outputName', message: `outputs: ${session.outputNames.join(', ')}` },
      ]);
    }
    if (
      !input.isTensor ||
      (input.type !== 'float32' && input.type !== 'float64') ||
      input.shape.length !== 2
    ) {
      throw new ModelInvalidError(`input '${inputName}' must be a 2-D float tensor`, [
        { path: 'input', message: 'expected float32[N, features]' },
      ]);
    }
    const dim = input.shape[1];
    if (typeof dim === 'number' && options.featureCount !== undefined && dim !== options.featureCount) {
      throw new ModelInvalidError(`model expects ${dim} features, not ${options.featureCount}`, [
        { path: 'featureCount', message: `model input width is ${dim}` },
      ]);
    }
    const featureCount = typeof dim === 'number' ? dim : options.featureCount;
    if (featureCount === undefined) {
      throw new ModelInvalidError('model input width is symbolic: pass featureCount', [
        { path: 'featureCount', message: 'required' },
      ]);
    }
    if (!output.isTensor) throw new ModelInvalidError(`output '${outputName}' is not a tensor`);
    const width = output.shape.length === 2 ? output.shape[1] : output.shape.length === 1 ? 1 : undefined;
    let classes: readonly Label[] | undefined;
    if (options.task === 'classification') {
      if (typeof width === 'number' && options.classes !== undefined && options.classes.length !== width) {
        throw new ModelInvalidError(`model outputs ${width} classes, ${options.classes.length} were given`, [
          { path: 'classes', message: `length must be ${width}` },
        ]);
      }
      classes =
        options.classes ??
        (typeof width === 'number' ? Array.from({ length: width }, (_, i) => i) : undefined);
      if (classes === undefined)
        throw new ModelInvalidError('model output width is symbolic: pass classes', [
          { path: 'classes', message: 'required' },
        ]);
    } else if (typeof width === 'number' && width !== 1) {
      throw new ModelInvalidError(
        `a regression output must have one value per row, '${outputName}' has ${width}`,
        [{ path: 'outputName', message: 'expected [N, 1] or [N]' }],
      );
    }
    return new OnnxModel(
      ort,
      session,
      options.task,
      featureCount,
      classes,
      inputName,
      outputName,
      input.type,
    );
  }
}

/**
 * Load an ONNX model for in-process CPU inference (onnxruntime-node is imported lazily, so
 * importing this package does not load the native binding).
 * @example
 * const model = await loadOnnxModel('models/review.onnx', { task: 'classification', classes: ['approve', 'reject'] });
 * const p = await model.predictProba(features); // Float64Array per class
 * await model.close();
 */
export const loadOnnxModel = (source: string | Uint8Array, options: OnnxModelOptions): Promise<OnnxModel> =>
  OnnxModel.load(source, options);
