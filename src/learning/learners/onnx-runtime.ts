import type * as OrtModule from 'onnxruntime-node';
import { ConfigError } from '../../core/index.js';

/** The optional package that runs ONNX models (a peer dependency: installed only by those who need it). */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

export type OnnxRuntime = typeof OrtModule;

const missing = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/**
 * Import onnxruntime-node on first use (registering or loading an ONNX model), so installing
 * and importing apprentice never needs its native binding. Its absence is a `ConfigError`
 * (`CONFIG_INVALID`) that names the package to install.
 * @example
 * const ort = await loadOnnxRuntime(); // throws "ONNX models need the optional package onnxruntime-node ..." when absent
 */
export async function loadOnnxRuntime(importer: () => Promise<unknown> = () => import('onnxruntime-node')): Promise<OnnxRuntime> {
  try {
    const m = (await importer()) as OnnxRuntime & { default?: OnnxRuntime };
    return m.InferenceSession ? m : (m.default ?? m);
  } catch (e) {
    if (!missing(e)) throw e;
    throw new ConfigError(
      `ONNX models need the optional package ${ONNX_RUNTIME_PACKAGE}, which is not installed: run \`npm install ${ONNX_RUNTIME_PACKAGE}\` beside apprentice`,
      [{ path: ONNX_RUNTIME_PACKAGE, message: `not installed (${(e as Error).message.split('\n')[0]})` }],
      { cause: e },
    );
  }
}
