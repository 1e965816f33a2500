import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventType } from '../../core/index.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../log/events/projections/decisions.js';
import type { SqlEventStore } from '../../log/events/sql-event-store.js';
import { decisionEvent, outcomeEvent } from '../../log/events/testing/fixtures.js';
import { createOpeGateCheck, opeGateEvent, opeGateVerdict, opeResultOfEvent } from './ope-gate-check.js';
import { type OpeCandidate, evaluateOpeGate } from './ope-gate.js';

const ACTIONS = ['standard', 'canary'];
/** Knows the truth: canary earns 1 when risky, standard earns 1 otherwise. */
const oracle: OpeCandidate = { actions: ACTIONS, rewards: (f) => (f.risky ? [0, 1] : [1, 0]) };

describe('OPE gate seam: decisions projection → gate → verdict and event', () => {
  let store: SqlEventStore;
  beforeEach(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection] });
    await store.migrate();
  });
  afterEach(async () => store.close());

  it('reads served action, logged propensity (NULL = 1) and reward, and judges the candidate on them', async () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const events = [];
    for (let i = 0; i < 400; i++) {
      const risky = i % 2 === 0;
      // The rules always say standard; every 4th decision explores canary (propensity 0.5 there, 0.5 for standard).
      const explore = i % 4 < 2;
      const served = explore && i % 8 < 4 ? 'canary' : 'standard';
      const d = decisionEvent({ features: { risky }, value: served, deterministic: 'standard', ...(explore ? { actionPropensity: 0.5 } : {}) }, new Date(t0 + i * 1000));
      events.push(d, outcomeEvent(d.data.decisionId, { reward: (served === 'canary') === risky ? 1 : 0 }, new Date(t0 + i * 1000 + 500)));
    }
    await store.append(events);
    const check = createOpeGateCheck({ store, candidate: (a) => (a === 'deployment-specialist' ? oracle : undefined), options: { minEffectiveSampleSize: 20 } });
    const r = await check('deployment-specialist', new Date(t0).toISOString());
    expect(r?.n).toBe(400);
    expect(r?.servedValue).toBeCloseTo(0.5, 10);
    expect(r?.minPropensity).toBe(0.5);
    expect(r?.effectiveSampleSize).toBeGreaterThan(0);
    expect(r?.reasons).toHaveLength(3);
    expect(await check('pisarz', new Date(t0).toISOString())).toBeUndefined();

    const ev = opeGateEvent('deployment-specialist', r!, 'controller', t0);
    expect(ev).toMatchObject({ type: EventType.OpeGateEvaluated, stream: 'rollout-deployment-specialist', data: { agent: 'deployment-specialist', pass: r!.pass, n: 400 } });
  });

  it('an advancing shadow verdict holds when the gate fails and carries its evidence when it passes', () => {
    const advance = { action: 'advance', reasons: ['shadow: model 0.8 vs rules 0.7'] } as const;
    const thin = evaluateOpeGate([{ features: { risky: true }, served: 'standard', propensity: 1, reward: 0 }], oracle);
    expect(opeGateVerdict(advance, thin)).toEqual({ action: 'hold', reasons: thin.reasons });
    expect(thin.reasons[0]).toMatch(/too few/);
    const good = { ...thin, pass: true, reasons: ['OPE: DR lower bound 0.9 > served 0.5 + margin 0'] };
    expect(opeGateVerdict(advance, good).reasons).toEqual([...advance.reasons, ...good.reasons]);
    expect(opeGateVerdict({ action: 'hold', reasons: ['x'] }, good)).toEqual({ action: 'hold', reasons: ['x'] });
    expect(opeGateVerdict(advance, undefined)).toBe(advance);
  });

  it('a hold for another reason also names a failing gate; a rollback is left alone', () => {
    const thin = evaluateOpeGate([{ features: { risky: true }, served: 'standard', propensity: 1, reward: 0 }], oracle);
    const held = { action: 'hold', reasons: ['shadow outcomes 120 < 300'], rule: 'superiority' } as const;
    expect(opeGateVerdict(held, thin)).toEqual({ action: 'hold', reasons: ['shadow outcomes 120 < 300', ...thin.reasons], rule: 'superiority' });
    const rollback = { action: 'rollback', reasons: ['guardrail: breaker open'] } as const;
    expect(opeGateVerdict(rollback, thin)).toBe(rollback);
  });

  it('reads an audited evaluation back from its event, NaN and Infinity included (JSON stores them as null)', () => {
    const thin = evaluateOpeGate([{ features: { risky: true }, served: 'standard', propensity: 1, reward: 0 }], oracle);
    const since = '2026-01-01T00:00:00.000Z';
    const stored = JSON.parse(JSON.stringify(opeGateEvent('pisarz', thin, 'controller', Date.parse(since), since).data)) as unknown;
    const back = opeResultOfEvent(stored)!;
    expect(back.since).toBe(since);
    expect(back.dr.estimate).toBeNaN();
    expect(back.dr.stdErr).toBe(Infinity);
    expect(back.interval.lower).toBeNaN();
    expect(back).toMatchObject({ pass: false, n: thin.n, reasons: thin.reasons, margin: thin.margin, minEffectiveSampleSize: thin.minEffectiveSampleSize });
    expect(opeResultOfEvent({ agent: 'pisarz' })).toBeUndefined();
    expect(opeResultOfEvent(null)).toBeUndefined();
  });
});
