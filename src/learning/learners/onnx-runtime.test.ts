import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/index.js';
import { loadOnnxRuntime } from './onnx-runtime.js';

describe('onnxruntime-node is optional', () => {
  it('loads when installed', async () => {
    const ort = await loadOnnxRuntime();
    expect(typeof ort.InferenceSession.create).toBe('function');
  });

  it('its absence is a clear error naming the package to install (a real failed import)', async () => {
    const err = await loadOnnxRuntime(() => import('onnxruntime-node-not-installed-here' as string)).catch((e: unknown) => e);
    expect(isApprenticeError(err) && err.code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/ONNX models need the optional package onnxruntime-node, which is not installed: run `npm install onnxruntime-node`/);
  });

  it('other failures are not disguised as a missing package', async () => {
    const boom = new Error('binding crashed');
    await expect(loadOnnxRuntime(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});
