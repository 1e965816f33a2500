import type { NewEvent } from '../../../core/index.js';
import { decisionEvent, outcomeEvent } from '../../../log/events/testing/fixtures.js';
import type { OpeCandidate } from '../../analysis/ope-gate.js';
import { mulberry32 } from '../../ope/prng.js';

/**
 * The world of the controller's OPE tests: a unit is risky or not (half each); `standard` earns 1
 * with p 0.7 (not risky) or 0.3 (risky), `canary` with p 0.5 always. The rules always say
 * standard (true value 0.5) and explore canary with probability 0.2, logging that propensity.
 */
const P = { standard: [0.7, 0.3], canary: [0.5, 0.5] } as const;

/** `n` logged decisions of `agent` in that world, each with its outcome 500 ms later, one a second from `t0`. */
export function shadowLog(agent: string, n: number, seed: number, t0: number): NewEvent[] {
  const rnd = mulberry32(seed);
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const risky = rnd() < 0.5;
    const explore = rnd() < 0.2;
    const served = explore ? 'canary' : 'standard';
    const reward = rnd() < P[served][risky ? 1 : 0] ? 1 : 0;
    const at = t0 + i * 1000;
    const d = decisionEvent({ agent, features: { risky }, value: served, deterministic: 'standard', actionPropensity: explore ? 0.2 : 0.8 }, new Date(at));
    events.push(d, outcomeEvent(d.data.decisionId, { reward }, new Date(at + 500)));
  }
  return events;
}

/** Canary when risky: true value 0.5·0.5 + 0.5·0.7 = 0.6 (better than the rules' 0.5). */
export const better: OpeCandidate = { actions: ['standard', 'canary'], rewards: (f) => (f.risky ? [0.3, 0.5] : [0.7, 0.5]) };
/** Canary when not risky: true value 0.5·0.5 + 0.5·0.3 = 0.4 (worse). */
export const worse: OpeCandidate = { actions: ['standard', 'canary'], rewards: (f) => (f.risky ? [0.7, 0.5] : [0.3, 0.5]) };
