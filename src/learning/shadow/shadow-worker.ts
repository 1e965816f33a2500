/**
 * Worker-pool handler for shadow predictions: loads (and caches) the model version named in
 * the task, verifying its sha256 like the main thread does, and predicts every row.
 */
import { performance } from 'node:perf_hooks';
import type { LoadedModel } from '../registry/model-artifact.js';
import { loadVersion, type ModelVersion } from '../registry/model-registry.js';
import { answerOf, type ShadowAnswer } from './shadow-result.js';

export interface ShadowTask {
  readonly path: string;
  readonly version: Pick<ModelVersion, 'agent' | 'version' | 'format' | 'sha256' | 'onnx'>;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

export interface ShadowTaskResult {
  /** One entry per row: the answer, or the error message. */
  readonly answers: readonly ShadowAnswer[];
  /** Prediction time per row (ms). */
  readonly latencies: readonly number[];
}

const MAX_CACHED = 16;
const cache = new Map<string, Promise<LoadedModel>>();

function model(task: ShadowTask): Promise<LoadedModel> {
  const key = `${task.path}#${task.version.sha256}`;
  let m = cache.get(key);
  if (!m) {
    if (cache.size >= MAX_CACHED) {
      const [oldest, evicted] = cache.entries().next().value as [string, Promise<LoadedModel>];
      cache.delete(oldest);
      void evicted.then((x) => x.close()).catch(() => undefined);
    }
    m = loadVersion(task.path, task.version);
    m.catch(() => cache.delete(key));
    cache.set(key, m);
  }
  return m;
}

export async function handle(task: ShadowTask): Promise<ShadowTaskResult> {
  const m = await model(task);
  const answers: ShadowAnswer[] = [];
  const latencies: number[] = [];
  for (const row of task.rows) {
    const t = performance.now();
    try {
      answers.push(await answerOf(m, row));
    } catch (e) {
      answers.push({ error: e instanceof Error ? e.message : String(e) });
    }
    latencies.push(performance.now() - t);
  }
  return { answers, latencies };
}
