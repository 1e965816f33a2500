import type { FlagEvaluator } from '../flag-evaluator.js';
import type { FlagResolution } from '../flag-resolution.js';
import type { GherkinScenario, GherkinStep } from './gherkin-reader.js';

/**
 * Step definitions for the flagd testbed's evaluator features, run against a FlagEvaluator.
 * An unknown step throws, so a scenario can never pass by being half understood.
 */

type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

interface World {
  flag?: { type: FlagType; key: string; fallback: unknown };
  context: Record<string, unknown>;
  details?: FlagResolution<unknown>;
}

export function parseTyped(type: string, raw: string): unknown {
  switch (type) {
    case 'Boolean':
      if (raw !== 'true' && raw !== 'false') throw new Error(`not a boolean: ${raw}`);
      return raw === 'true';
    case 'Integer':
      return parseInt(raw, 10);
    case 'Float':
      return parseFloat(raw);
    case 'Object':
      return JSON.parse(raw) as unknown;
    case 'String':
      return raw;
    default:
      throw new Error(`unknown type ${type}`);
  }
}

function evaluate(evaluator: FlagEvaluator, world: World): FlagResolution<unknown> {
  const f = world.flag;
  if (!f) throw new Error('no flag given before evaluation');
  const ctx = world.context;
  switch (f.type) {
    case 'Boolean':
      return evaluator.resolveBoolean(f.key, f.fallback as boolean, ctx);
    case 'String':
      return evaluator.resolveString(f.key, f.fallback as string, ctx);
    case 'Integer':
    case 'Float':
      return evaluator.resolveNumber(f.key, f.fallback as number, ctx);
    case 'Object':
      return evaluator.resolveObject(f.key, f.fallback as Record<string, never>, ctx);
  }
}

/** Assertions are passed in so this file stays free of a test framework. */
export interface StepAssertions {
  equal(actual: unknown, expected: unknown, message: string): void;
}

function runStep(step: GherkinStep, world: World, evaluator: () => FlagEvaluator, check: StepAssertions): void {
  const t = step.text;
  let m: RegExpExecArray | null;
  if (t === 'an evaluator') return;
  if ((m = /^a (Boolean|String|Integer|Float|Object)-flag with key "(.*)" and a fallback value "(.*)"$/.exec(t))) {
    const type = m[1] as FlagType;
    world.flag = { type, key: m[2]!, fallback: parseTyped(type, m[3]!) };
    return;
  }
  if ((m = /^a context containing a targeting key with value "(.*)"$/.exec(t))) {
    world.context.targetingKey = m[1]!;
    return;
  }
  if ((m = /^a context containing a nested property with outer key "(.*)" and inner key "(.*)", with value "(.*)"$/.exec(t))) {
    world.context[m[1]!] = { [m[2]!]: m[3]! };
    return;
  }
  if ((m = /^a context containing a key "(.*)", with type "(\w+)" and with value "(.*)"$/.exec(t))) {
    world.context[m[1]!] = parseTyped(m[2]!, m[3]!);
    return;
  }
  if (t === 'the flag was evaluated with details') {
    world.details = evaluate(evaluator(), world);
    return;
  }
  const details = world.details;
  if (!details || !world.flag) throw new Error(`"${t}" before an evaluation`);
  if ((m = /^the resolved details value should be "(.*)"$/.exec(t))) {
    check.equal(details.value, parseTyped(world.flag.type, m[1]!), `value of ${world.flag.key} (${JSON.stringify(details)})`);
    return;
  }
  if ((m = /^the reason should be "(.*)"$/.exec(t))) {
    check.equal(details.reason, m[1]!, `reason of ${world.flag.key} (${JSON.stringify(details)})`);
    return;
  }
  if ((m = /^the error-code should be "(.*)"$/.exec(t))) {
    check.equal(details.errorCode, m[1]!, `error code of ${world.flag.key}`);
    return;
  }
  if (t === 'the resolved metadata is empty') {
    check.equal(details.flagMetadata, {}, 'metadata');
    return;
  }
  if (t === 'the resolved metadata should contain') {
    const [head, ...rows] = step.table;
    if (!head || rows.length === 0) throw new Error('metadata table is empty');
    for (const row of rows) {
      const cell = (name: string): string => row[head.indexOf(name)] ?? '';
      check.equal(details.flagMetadata[cell('key')], parseTyped(cell('metadata_type'), cell('value')), `metadata ${cell('key')}`);
    }
    return;
  }
  throw new Error(`unknown step: ${step.keyword} ${t}`);
}

/** Runs one scenario against a fresh world; `evaluator` is called when a step needs it. */
export function runScenario(scenario: GherkinScenario, evaluator: () => FlagEvaluator, check: StepAssertions): void {
  const world: World = { context: {} };
  for (const step of scenario.steps) runStep(step, world, evaluator, check);
}
