import { type CompileScope, type Compiled, type OperatorCompiler, TargetingCompileError, constant, dynamic } from './compiled.js';
import * as data from './data-operators.js';
import { compileFractional } from './fractional.js';
import * as logic from './logic-operators.js';
import { compileSemVer } from './sem-ver.js';
import { compileEndsWith, compileStartsWith } from './string-comparison.js';
import { compileMissing, compileMissingSome, compileVar } from './var-operators.js';

/**
 * JsonLogic compiler with flagd's custom operators. Written here rather than using
 * json-logic-engine (what flagd-core uses) because that engine copies the context and
 * injects `$flagd` on every evaluation, while this one binds `$flagd.flagKey` at compile
 * time, validates literal bucket lists once and never allocates on the rollout hot path.
 */
const OPERATORS: Readonly<Record<string, OperatorCompiler>> = {
  var: compileVar,
  missing: compileMissing,
  missing_some: compileMissingSome,
  if: logic.compileIf,
  '?:': logic.compileIf,
  or: logic.compileOr,
  and: logic.compileAnd,
  '!': logic.compileNot,
  '!!': logic.compileNotNot,
  '==': logic.compileEq,
  '!=': logic.compileNe,
  '===': logic.compileStrictEq,
  '!==': logic.compileStrictNe,
  '<': logic.compileLt,
  '<=': logic.compileLe,
  '>': logic.compileGt,
  '>=': logic.compileGe,
  '+': data.compilePlus,
  '-': data.compileMinus,
  '*': data.compileTimes,
  '/': data.compileDivide,
  '%': data.compileModulo,
  max: data.compileMax,
  min: data.compileMin,
  cat: data.compileCat,
  substr: data.compileSubstr,
  in: data.compileIn,
  merge: data.compileMerge,
  map: data.compileMap,
  filter: data.compileFilter,
  reduce: data.compileReduce,
  all: data.compileAll,
  some: data.compileSome,
  none: data.compileNone,
  fractional: compileFractional,
  sem_ver: compileSemVer,
  starts_with: compileStartsWith,
  ends_with: compileEndsWith,
};

export interface CompileTargetingOptions {
  readonly flagKey: string;
  /** Seconds since the epoch for `$flagd.timestamp`. Default: `Math.floor(Date.now() / 1000)`. */
  readonly now?: () => number;
}

const defaultNow = (): number => Math.floor(Date.now() / 1000);

/** The operator a compiled rule's root uses, or undefined for literals. */
export function rootOperator(rule: unknown): string | undefined {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return undefined;
  const keys = Object.keys(rule);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Compiles a targeting rule (with `$ref`s already expanded). Throws TargetingCompileError. */
export function compileTargeting(rule: unknown, options: CompileTargetingOptions): Compiled {
  const scope: CompileScope = { compile, flagKey: options.flagKey, now: options.now ?? defaultNow };
  function compile(node: unknown): Compiled {
    if (node === null || typeof node !== 'object') return constant(node);
    if (Array.isArray(node)) {
      const items = node.map(compile);
      if (items.every((c) => c.constant)) return constant(items.map((c) => c.value));
      return dynamic((d) => items.map((c) => c.evaluate(d)));
    }
    const keys = Object.keys(node);
    if (keys.length === 0) return constant({});
    if (keys.length > 1) throw new TargetingCompileError(`a JsonLogic rule has exactly one operator, got keys ${keys.join(', ')}`);
    const op = keys[0]!;
    const operator = OPERATORS[op];
    if (!operator) {
      throw new TargetingCompileError(op === '$ref' ? `unknown evaluator $ref ${JSON.stringify((node as Record<string, unknown>)[op])}` : `unknown operator '${op}'`);
    }
    const raw: unknown = (node as Record<string, unknown>)[op];
    return operator(Array.isArray(raw) ? raw : [raw], scope);
  }
  return compile(rule);
}

/**
 * Replaces every `{"$ref": "name"}` with the shared rule `$evaluators.name` (itself expanded).
 * Unknown names are left in place, so compiling the rule reports them (PARSE_ERROR, as flagd).
 */
export function expandRefs(rule: unknown, evaluators: Readonly<Record<string, unknown>>, seen: readonly string[] = []): unknown {
  if (rule === null || typeof rule !== 'object') return rule;
  if (Array.isArray(rule)) return rule.map((r) => expandRefs(r, evaluators, seen));
  const obj = rule as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$ref' && typeof obj.$ref === 'string') {
    const name = obj.$ref;
    if (!Object.hasOwn(evaluators, name)) return rule;
    if (seen.includes(name)) throw new TargetingCompileError(`$evaluators cycle: ${[...seen, name].join(' -> ')}`);
    return expandRefs(evaluators[name], evaluators, [...seen, name]);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = expandRefs(obj[k], evaluators, seen);
  return out;
}
