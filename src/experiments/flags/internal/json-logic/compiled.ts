/**
 * Targeting rules (JsonLogic) are compiled once per flag definition into closures over the
 * evaluation context: no JSON walking, no context copying on the hot path.
 */

/** A compiled expression: reads the data (the evaluation context, or the current element inside map/filter). */
export type Evaluate = (data: unknown) => unknown;

export interface Compiled {
  readonly evaluate: Evaluate;
  /** True when the expression is a literal: `value` holds it and `evaluate` returns it. */
  readonly constant: boolean;
  readonly value?: unknown;
}

/** What an operator needs at compile time. */
export interface CompileScope {
  /** Compile a nested expression. */
  readonly compile: (logic: unknown) => Compiled;
  /** Key of the flag being compiled (`$flagd.flagKey`). */
  readonly flagKey: string;
  /** Seconds since the epoch (`$flagd.timestamp`). */
  readonly now: () => number;
}

/** Compiles one operator from its (unevaluated) argument list. */
export type OperatorCompiler = (args: readonly unknown[], scope: CompileScope) => Compiled;

/** A targeting rule that cannot be compiled: reported as PARSE_ERROR when the flag is evaluated. */
export class TargetingCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetingCompileError';
  }
}

export const constant = (value: unknown): Compiled => ({ evaluate: () => value, constant: true, value });

export const dynamic = (evaluate: Evaluate): Compiled => ({ evaluate, constant: false });

/** JsonLogic truthiness (as json-logic-engine, which flagd-core uses): `[]` and `{}` are falsy too. */
export function truthy(v: unknown): boolean {
  if (!v) return false;
  if (typeof v === 'object') {
    if (Array.isArray(v)) return v.length > 0;
    if (Object.getPrototypeOf(v) === Object.prototype) {
      for (const _ in v) return true;
      return false;
    }
  }
  return true;
}

/** Evaluates every compiled argument into a fresh array. */
export function evaluateAll(args: readonly Compiled[], data: unknown): unknown[] {
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) out[i] = args[i]!.evaluate(data);
  return out;
}

/** Compiles the arguments and, when all are literals, folds `fn` at compile time. */
export function strictOperator(args: readonly unknown[], scope: CompileScope, fn: (values: unknown[]) => unknown): Compiled {
  const compiled = args.map((a) => scope.compile(a));
  if (compiled.every((c) => c.constant)) return constant(fn(compiled.map((c) => c.value)));
  return dynamic((data) => fn(evaluateAll(compiled, data)));
}
