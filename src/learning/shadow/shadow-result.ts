import { EventType, decisionStream, type NewEvent } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { LoadedModel } from '../registry/model-artifact.js';

/** Payload of `ShadowPredicted`: the rules' and the model's answers for one decision. */
export interface ShadowResultData {
  readonly decisionId: string;
  readonly agent: string;
  readonly unitId: string;
  readonly modelVersion: number;
  /** The answer served (the rules'). */
  readonly rulesValue: unknown;
  /** The model's answer; absent when it failed (`error` says why). */
  readonly modelValue?: unknown;
  /** Class probabilities of the model's answer, by label (built-in classifiers; for the ROC AUC). */
  readonly modelScores?: Readonly<Record<string, number>>;
  readonly agree: boolean;
  /** Model prediction time (ms), measured where it ran. */
  readonly latencyMs: number;
  readonly error?: string;
}

/** A row's answer: the value (and the class probabilities of a built-in classifier), or the error message. */
export type ShadowAnswer = { readonly value: unknown; readonly scores?: Readonly<Record<string, number>> } | { readonly error: string };

/** Predict one row: the answer, with class probabilities when the model gives them. */
export async function answerOf(m: Pick<LoadedModel, 'predictSync' | 'predict' | 'scoresSync'>, row: Readonly<Record<string, unknown>>): Promise<ShadowAnswer> {
  const value = m.predictSync ? m.predictSync(row) : await m.predict(row);
  return m.scoresSync ? { value, scores: m.scoresSync(row) } : { value };
}

export const shadowEvent = (data: ShadowResultData): NewEvent<string, ShadowResultData> => ({
  id: uuidv7(),
  type: EventType.ShadowPredicted,
  stream: decisionStream(data.decisionId),
  data,
  metadata: { actor: 'shadow' },
  time: new Date().toISOString(),
});

/** Agreement of two answers: equal labels, or regression values within 1e-9 relative. */
export function agrees(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}
