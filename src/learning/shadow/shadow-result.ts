import { EventType, decisionStream, type NewEvent } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';

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
  readonly agree: boolean;
  /** Model prediction time (ms), measured where it ran. */
  readonly latencyMs: number;
  readonly error?: string;
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
