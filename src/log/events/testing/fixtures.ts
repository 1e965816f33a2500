import { EventType, decisionStream, type DecisionData, type NewEvent, type OutcomeData } from '../../../core/events.js';
import { uuidv7 } from '../../../core/ids.js';

/** A `DecisionMade` event for tests and benches. */
export function decisionEvent(overrides: Partial<DecisionData> = {}, time = new Date()): NewEvent<string, DecisionData> {
  const decisionId = overrides.decisionId ?? uuidv7(time.getTime());
  return {
    id: uuidv7(time.getTime()),
    type: EventType.DecisionMade,
    stream: decisionStream(decisionId),
    data: {
      decisionId,
      agent: 'deployment-specialist',
      unitId: `unit-${decisionId.slice(-6)}`,
      value: 'canary',
      deterministic: 'canary',
      source: 'deterministic',
      reason: 'RULES',
      variant: 'deterministic',
      propensity: 1,
      latencyMs: 0.05,
      features: { linesChanged: 120, friday: false },
      ...overrides,
    },
    metadata: { actor: 'test' },
    time: time.toISOString(),
  };
}

export function outcomeEvent(decisionId: string, data: Partial<OutcomeData> = {}, time = new Date()): NewEvent<string, OutcomeData> {
  return {
    id: uuidv7(time.getTime()),
    type: EventType.OutcomeRecorded,
    stream: decisionStream(decisionId),
    data: { decisionId, kind: 'explicit', reward: 1, ...data },
    metadata: { actor: 'test' },
    time: time.toISOString(),
  };
}
