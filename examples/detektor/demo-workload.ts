import { ValidationError } from '../../src/core/errors.js';
import type { DetektorAgentName } from './agent-definition.js';
import { createDetektorSimulator, type DetektorSimulator, type DetektorSimulatorOptions, type SimulatedOutcome } from './simulator.js';

/** The part of a decision the driver needs: its id and the answer actually served. */
export interface DemoDecision {
  readonly decisionId: string;
  readonly value: unknown;
}

/** Outcome body as apprentice takes it: exactly one of label/value/reward. */
export type DemoOutcome = { readonly label: string } | { readonly value: number } | { readonly reward: number };

/** What the driver talks to: an `Apprentice`, or an HTTP client with the same two calls. */
export interface DecisionTarget {
  decide(agent: string, unitId: string, context: unknown, deterministic: unknown): DemoDecision | Promise<DemoDecision>;
  recordOutcome(decisionId: string, outcome: DemoOutcome): Promise<unknown>;
}

export interface DemoWorkloadOptions extends Omit<DetektorSimulatorOptions, 'maxUnits'> {
  /** Decisions per second across the agents. Default 20. */
  readonly ratePerSecond?: number;
  /** Timer period; each tick issues the decisions due since the last. Default 50 ms. */
  readonly tickMs?: number;
  /** Only these agents (drawn by the mix). Default all eight. */
  readonly agents?: readonly DetektorAgentName[];
  /** Stop deciding after this many decisions (outcomes still due are sent, then the timer stops). Default unlimited. */
  readonly maxDecisions?: number;
  /** A decide or recordOutcome call failed (the workload goes on). Default: ignore. */
  readonly onError?: (error: unknown, phase: 'decide' | 'outcome') => void;
}

export interface DemoWorkloadStats {
  readonly decisions: number;
  readonly outcomesSent: number;
  readonly outcomesPending: number;
  readonly errors: number;
}

/** Stops the timer; outcomes still pending are dropped. Idempotent. */
export type StopDemoWorkload = (() => void) & { readonly stats: () => DemoWorkloadStats };

interface Due {
  readonly decisionId: string;
  readonly outcome: SimulatedOutcome;
}

/**
 * Drive a target with the simulated Detektor workload: at `ratePerSecond` it asks the
 * simulator for a decision request, calls `decide(agent, unitId, context, deterministic)`,
 * and after the unit's simulated delay (counted in later decisions) sends the outcome of the
 * action actually served with `recordOutcome`. Works against the library or over HTTP.
 * @example
 * const stop = startDemoWorkload(apprentice, { seed: 1, ratePerSecond: 20 });
 * // ... later
 * stop();
 */
export function startDemoWorkload(target: DecisionTarget, options: DemoWorkloadOptions = {}): StopDemoWorkload {
  const rate = options.ratePerSecond ?? 20;
  const tickMs = options.tickMs ?? 50;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new ValidationError('ratePerSecond must be a positive number', [{ path: 'ratePerSecond', message: `got ${rate}` }]);
  if (!(tickMs > 0)) throw new ValidationError('tickMs must be positive', [{ path: 'tickMs', message: `got ${tickMs}` }]);
  const mix = options.agents === undefined ? options.mix : Object.fromEntries(options.agents.map((a) => [a, options.mix?.[a] ?? 1]));
  const sim: DetektorSimulator = createDetektorSimulator({ ...options, ...(mix === undefined ? {} : { mix }) });
  const onError = options.onError ?? (() => undefined);
  const maxDecisions = options.maxDecisions ?? Infinity;
  const due = new Map<number, Due[]>();
  let slot = 0; // decision slots elapsed at the configured rate: the clock that delays are counted on
  let issued = 0;
  let inFlight = 0;
  let sent = 0;
  let pending = 0;
  let errors = 0;
  let credit = 0;
  let stopped = false;

  const fail = (error: unknown, phase: 'decide' | 'outcome'): void => {
    errors++;
    onError(error, phase);
  };

  const sendDue = (index: number): void => {
    for (const d of due.get(index) ?? []) {
      pending--;
      const { delay: _delay, ...body } = d.outcome;
      target.recordOutcome(d.decisionId, body as DemoOutcome).then(() => void sent++, (e: unknown) => fail(e, 'outcome'));
    }
    due.delete(index);
  };

  const schedule = (unitId: string, decision: DemoDecision, index: number): void => {
    if (stopped) return void sim.release(unitId);
    let outcome: SimulatedOutcome | null;
    try {
      outcome = sim.outcomeFor(unitId, typeof decision.value === 'string' || typeof decision.value === 'number' ? decision.value : undefined);
    } catch {
      outcome = sim.outcomeFor(unitId); // the target served something that is not an action: judge the rules' answer
    }
    sim.release(unitId);
    if (outcome === null) return;
    const at = Math.max(index + 1 + outcome.delay, slot);
    let list = due.get(at);
    if (list === undefined) due.set(at, (list = []));
    list.push({ decisionId: decision.decisionId, outcome });
    pending++;
  };

  const decideOne = (index: number): void => {
    issued++;
    const req = sim.next();
    try {
      const result = target.decide(req.agent, req.unitId, req.context, req.deterministic);
      if (result instanceof Promise) {
        inFlight++;
        result.then(
          (d) => {
            inFlight--;
            schedule(req.unitId, d, index);
          },
          (e: unknown) => {
            inFlight--;
            sim.release(req.unitId);
            fail(e, 'decide');
          },
        );
      } else schedule(req.unitId, result, index);
    } catch (e) {
      sim.release(req.unitId);
      fail(e, 'decide');
    }
  };

  const timer = setInterval(() => {
    credit += (rate * tickMs) / 1000;
    while (credit >= 1 && !stopped) {
      credit--;
      const index = slot++;
      sendDue(index);
      if (issued < maxDecisions) decideOne(index);
      else if (inFlight === 0 && pending === 0) return stop(); // done: every outcome was sent
    }
  }, tickMs);
  timer.unref?.();

  const stop = Object.assign(
    (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      due.clear();
      pending = 0;
    },
    { stats: (): DemoWorkloadStats => ({ decisions: issued, outcomesSent: sent, outcomesPending: pending, errors }) },
  );
  return stop;
}
