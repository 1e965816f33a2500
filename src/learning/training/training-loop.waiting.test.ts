import { describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../core/index.js';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import { outcomeEvent } from '../../log/events/testing/fixtures.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { TrainingLoop } from './training-loop.js';

// Early outcomes (their decision not seen yet) wait only if a decision can still come that this
// loop would train on (issue 15: in the embedded soak 24,000 outcomes of an agent with no
// definition waited for decisions the loop ignores).

const trained = parseAgentDefinition({
  name: 'reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  feedback: 'label',
  features: [{ name: 'files', type: 'numeric' }],
});
const stored = (events: readonly NewEvent[]): StoredEvent[] =>
  events.map((e, i) => ({ ...e, position: BigInt(i + 1), transactionId: 1n }));

describe('TrainingLoop: early outcomes wait only for a decision it would train on', () => {
  const loop = (): TrainingLoop =>
    new TrainingLoop({
      agents: (a) => (a === 'reviewer' ? trained : undefined),
      registry: {} as ModelRegistry,
      maxPending: 100,
    });

  it('an outcome of an agent the loop does not train is not held', async () => {
    const l = loop();
    await l.apply(
      stored(
        Array.from({ length: 30 }, (_, i) =>
          outcomeEvent(`other-${i}`, { agent: 'not-learning', label: 'approve', kind: 'explicit' }),
        ),
      ),
    );
    expect(l.bounds().outcomes.size).toBe(0);
    expect(l.stats.outcomes).toBe(30);
  });

  it('an early outcome of a trained agent, or one naming no agent, waits for its decision', async () => {
    const l = loop();
    await l.apply(
      stored([
        outcomeEvent('r-1', { agent: 'reviewer', label: 'approve', kind: 'explicit' }),
        outcomeEvent('r-2', { label: 'reject', kind: 'explicit' }),
      ]),
    );
    expect(l.bounds().outcomes.size).toBe(2);
  });
});
