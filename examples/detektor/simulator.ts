import { NotFoundError, ValidationError } from '../../src/core/errors.js';
import { DETEKTOR_AGENT_NAMES, type DetektorAgentName } from './agent-definition.js';
import { Rng } from './internal/rng.js';
import type { OutcomePayload, World, WorldUnit } from './internal/world.js';
import { DETEKTOR_WORLDS } from './worlds/index.js';

/** A simulated outcome: exactly one of `label`/`value`/`reward`, and when it becomes known. */
export type SimulatedOutcome = OutcomePayload & {
  /** Number of later decisions (of any agent) issued before this outcome is known. */
  readonly delay: number;
};

/** One simulated decision request, with the rules' answer already computed. */
export interface SimulatedDecision {
  readonly agent: DetektorAgentName;
  readonly unitId: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly deterministic: string | number;
}

export interface DetektorSimulatorOptions {
  /** Seed of every random choice; equal seeds give equal workloads. Default 1. */
  readonly seed?: number;
  /** Relative frequency of each agent when `next()` is called without one. Default `DEFAULT_AGENT_MIX`. */
  readonly mix?: Partial<Record<DetektorAgentName, number>>;
  /** Probability that each optional context field is absent. Default 0.03. */
  readonly missingFieldRate?: number;
  /** Units remembered for `outcomeFor`; the oldest are forgotten beyond it. Default 100,000. */
  readonly maxUnits?: number;
  /** Another hidden world for some agents (e.g. the demo's pisarz: `pisarzAudienceWorld`). Default `DETEKTOR_WORLDS`. */
  readonly worlds?: Partial<Record<DetektorAgentName, World>>;
}

export interface DetektorSimulator {
  /** Generate the next decision request (of `agent`, or drawn from the mix). */
  next(agent?: DetektorAgentName): SimulatedDecision;
  /**
   * The hidden outcome of a unit, or `null` when it never arrives. Pure: asking twice, or
   * for another action (reward agents: counterfactual evaluation), draws nothing new.
   * `servedAction` defaults to the rules' answer and matters only for reward agents.
   */
  outcomeFor(unitId: string, servedAction?: string | number): SimulatedOutcome | null;
  /** Forget a unit (its outcome was delivered). */
  release(unitId: string): void;
  /** Units generated so far. */
  readonly generated: number;
}

/** How often each agent decides in a working day of the Detektor team. */
export const DEFAULT_AGENT_MIX: Readonly<Record<DetektorAgentName, number>> = {
  'code-reviewer': 3,
  'deployment-specialist': 1,
  'detektor-coder': 3,
  'architecture-advisor': 0.5,
  debugger: 1.5,
  'documentation-keeper': 1.5,
  pisarz: 0.5,
  'pr-manager': 2,
};

interface Unit {
  readonly world: World;
  readonly deterministic: string | number;
  readonly missing: boolean;
  readonly delay: number;
  readonly outcome: WorldUnit['outcome'];
}

/**
 * A seeded workload of the eight Detektor agents. Each unit draws from its own stream
 * (seed, unit number), so a workload is reproducible whatever order outcomes are asked in.
 * Contexts come from a hidden world model that the rules only approximate (interactions,
 * ignored factors, noise); outcomes arrive after a delay, some labels are wrong and some
 * outcomes never arrive.
 * @example
 * const sim = createDetektorSimulator({ seed: 7 });
 * const d = sim.next('detektor-coder');   // { agent, unitId, context, deterministic: 12.5 }
 * sim.outcomeFor(d.unitId);                // { value: 17.25, delay: 48 } (or null: never known)
 */
export function createDetektorSimulator(options: DetektorSimulatorOptions = {}): DetektorSimulator {
  const seed = options.seed ?? 1;
  const missingFieldRate = options.missingFieldRate ?? 0.03;
  const maxUnits = options.maxUnits ?? 100_000;
  if (!Number.isInteger(maxUnits) || maxUnits < 1) throw new ValidationError('maxUnits must be a positive integer', [{ path: 'maxUnits', message: `got ${maxUnits}` }]);
  if (!(missingFieldRate >= 0 && missingFieldRate <= 1)) throw new ValidationError('missingFieldRate must be in [0, 1]', [{ path: 'missingFieldRate', message: `got ${missingFieldRate}` }]);
  const mixEntries = DETEKTOR_AGENT_NAMES.map((name) => [name, options.mix?.[name] ?? (options.mix === undefined ? DEFAULT_AGENT_MIX[name] : 0)] as const);
  if (mixEntries.some(([, w]) => !(w >= 0)) || mixEntries.every(([, w]) => w === 0)) {
    throw new ValidationError('mix weights must be non-negative with at least one positive', [{ path: 'mix', message: 'bad weights' }]);
  }
  const chooser = new Rng(seed);
  const units = new Map<string, Unit>();
  let n = 0;

  return {
    next(agent) {
      const name = agent ?? chooser.weighted(mixEntries);
      const world = (options.worlds as Partial<Record<string, World>> | undefined)?.[name] ?? (DETEKTOR_WORLDS as Partial<Record<string, World>>)[name];
      if (world === undefined) throw new ValidationError(`unknown agent "${String(name)}"`, [{ path: 'agent', message: 'not a Detektor agent' }]);
      const rng = Rng.derive(seed, n);
      const unitId = `${world.unitPrefix}-${seed}-${n}`;
      n++;
      const unit = world.generate(rng);
      const context = { ...unit.context };
      for (const field of world.optionalFields) if (rng.chance(missingFieldRate)) delete context[field];
      const deterministic = world.agent.rules(context);
      const missing = rng.chance(world.missingOutcomeRate);
      units.set(unitId, { world, deterministic, missing, delay: unit.delay, outcome: unit.outcome });
      if (units.size > maxUnits) units.delete(units.keys().next().value!);
      return { agent: name, unitId, context, deterministic };
    },
    outcomeFor(unitId, servedAction) {
      const unit = units.get(unitId);
      if (unit === undefined) throw new NotFoundError(`unit "${unitId}" is unknown or was forgotten`);
      if (unit.missing) return null;
      const { definition } = unit.world.agent;
      const served = servedAction ?? unit.deterministic;
      if (definition.feedback === 'reward' && !definition.labels?.includes(String(served))) {
        throw new ValidationError(`"${String(served)}" is not an action of ${definition.name}`, [{ path: 'servedAction', message: `one of ${definition.labels?.join(', ')}` }]);
      }
      return { ...unit.outcome(served), delay: unit.delay };
    },
    release(unitId) {
      units.delete(unitId);
    },
    get generated() {
      return n;
    },
  };
}
