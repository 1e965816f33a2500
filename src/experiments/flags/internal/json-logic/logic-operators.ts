import { type CompileScope, type Compiled, constant, dynamic, strictOperator, truthy } from './compiled.js';

/** Control flow, boolean logic and comparison operators of JsonLogic. */

export function compileIf(args: readonly unknown[], scope: CompileScope): Compiled {
  if (args.length === 0) return constant(null);
  const c = args.map((a) => scope.compile(a));
  if (c.length === 1) return c[0]!;
  if (c.length === 3) {
    const [test, yes, no] = c as [Compiled, Compiled, Compiled];
    return dynamic((data) => (truthy(test.evaluate(data)) ? yes.evaluate(data) : no.evaluate(data)));
  }
  if (c.length === 2) {
    const [test, yes] = c as [Compiled, Compiled];
    return dynamic((data) => (truthy(test.evaluate(data)) ? yes.evaluate(data) : null));
  }
  return dynamic((data) => {
    let i = 0;
    for (; i + 1 < c.length; i += 2) if (truthy(c[i]!.evaluate(data))) return c[i + 1]!.evaluate(data);
    return i < c.length ? c[i]!.evaluate(data) : null;
  });
}

export function compileOr(args: readonly unknown[], scope: CompileScope): Compiled {
  const c = args.map((a) => scope.compile(a));
  return dynamic((data) => {
    let v: unknown = null;
    for (const e of c) if (truthy((v = e.evaluate(data)))) return v;
    return v;
  });
}

export function compileAnd(args: readonly unknown[], scope: CompileScope): Compiled {
  const c = args.map((a) => scope.compile(a));
  return dynamic((data) => {
    let v: unknown = null;
    for (const e of c) if (!truthy((v = e.evaluate(data)))) return v;
    return v;
  });
}

export const compileNot = (args: readonly unknown[], scope: CompileScope): Compiled =>
  strictOperator(args.slice(0, 1), scope, (v) => !truthy(v[0]));

export const compileNotNot = (args: readonly unknown[], scope: CompileScope): Compiled =>
  strictOperator(args.slice(0, 1), scope, (v) => truthy(v[0]));

// JsonLogic's `==`/`!=` are JavaScript's loose equality by definition; `<` and friends use
// JavaScript's relational coercion. The casts below only silence the type checker.
/* eslint-disable eqeqeq */
const looseEq = (a: unknown, b: unknown): boolean => a == b;
/* eslint-enable eqeqeq */
const lt = (a: unknown, b: unknown): boolean => (a as number) < (b as number);
const le = (a: unknown, b: unknown): boolean => (a as number) <= (b as number);

function binary(pred: (a: unknown, b: unknown) => boolean): (args: readonly unknown[], scope: CompileScope) => Compiled {
  return (args, scope) => {
    const a = scope.compile(args[0]);
    const b = scope.compile(args[1]);
    return dynamic((data) => pred(a.evaluate(data), b.evaluate(data)));
  };
}

/** `<` and `<=` also take three arguments: `a < b < c` ("between"). */
function between(pred: (a: unknown, b: unknown) => boolean): (args: readonly unknown[], scope: CompileScope) => Compiled {
  return (args, scope) => {
    if (args.length < 3) return binary(pred)(args, scope);
    const [a, b, c] = args.map((x) => scope.compile(x)) as [Compiled, Compiled, Compiled];
    return dynamic((data) => {
      const bv = b.evaluate(data);
      return pred(a.evaluate(data), bv) && pred(bv, c.evaluate(data));
    });
  };
}

export const compileEq = binary(looseEq);
export const compileNe = binary((a, b) => !looseEq(a, b));
export const compileStrictEq = binary((a, b) => a === b);
export const compileStrictNe = binary((a, b) => a !== b);
export const compileLt = between(lt);
export const compileLe = between(le);
export const compileGt = binary((a, b) => lt(b, a));
export const compileGe = binary((a, b) => le(b, a));
