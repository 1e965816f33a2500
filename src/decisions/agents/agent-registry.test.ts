import { describe, expect, it } from 'vitest';
import { EventType, type NewEvent, type StoredEvent } from '../../core/events.js';
import { isValidationError } from '../../core/errors.js';
import { AgentRegistry } from './agent-registry.js';
import { parseAgentDefinition } from './agent-definition.js';

const def = { name: 'debugger', kind: 'classification', labels: ['flaky', 'bug'], features: [{ name: 'retries', type: 'numeric' }] };

describe('AgentRegistry', () => {
  it('versions definitions, records before/after, ignores identical re-definitions, rebuilds from events', () => {
    const events: NewEvent[] = [];
    const r = new AgentRegistry({ sink: { record: (e) => events.push(e) }, now: () => 0 });
    const policy = (c: Record<string, unknown>) => ((c.retries as number) > 0 ? 'flaky' : 'bug');
    expect(r.registerAgent(def, policy).version).toBe(1);
    expect(r.registerAgent(def).version).toBe(1);
    const v2 = r.registerAgent({ ...def, timeBudgetMs: 5 }, undefined, { actor: 'alice', reason: 'budget' });
    expect(v2).toMatchObject({ version: 2, feedback: 'label', timeBudgetMs: 5 });
    expect(r.policy('debugger')?.({ retries: 2 })).toBe('flaky');
    expect(events.map((e) => e.type)).toEqual([EventType.AgentDefined, EventType.AgentDefined]);
    expect(events[1]).toMatchObject({ stream: 'agent-debugger', metadata: { actor: 'alice', reason: 'budget' }, data: { before: { version: 1 }, after: { version: 2 } } });
    const copy = new AgentRegistry();
    for (const e of events) copy.apply({ ...e, position: 1n, transactionId: 1n } as StoredEvent);
    expect(copy.get('debugger')).toEqual(r.get('debugger'));
  });

  it('rejects bad definitions with field paths', () => {
    const r = new AgentRegistry();
    const bad = [
      { ...def, labels: undefined },
      { ...def, kind: 'regression', feedback: 'reward' },
      { ...def, features: [{ name: 'x', type: 'numeric', vocabulary: ['a'] }] },
      { ...def, learner: { type: 'linear-regression' } },
      { ...def, name: 'Bad Name' },
    ];
    for (const b of bad) {
      let err: unknown;
      try {
        r.registerAgent(b);
      } catch (e) {
        err = e;
      }
      expect(isValidationError(err)).toBe(true);
      expect((err as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    }
    expect(r.list()).toEqual([]);
  });
});

describe('personal fields', () => {
  it('refuses a feature that is also marked personal, naming it', () => {
    const err = (() => {
      try {
        parseAgentDefinition({
          name: 'pisarz',
          kind: 'classification',
          labels: ['short', 'long'],
          features: [{ name: 'authorEmail', type: 'categorical' }, { name: 'words', type: 'numeric' }],
          personalFields: ['authorEmail'],
        });
      } catch (e) {
        return e as { issues?: { path: string; message: string }[] };
      }
      return undefined;
    })();
    expect(err?.issues?.[0]).toMatchObject({ path: 'features.0.name', message: expect.stringMatching(/marked personal/) });
  });
});
