import { type CompileScope, type Compiled, dynamic, strictOperator, truthy } from './compiled.js';

/** Arithmetic, string and array operators of JsonLogic. */

const num = (v: unknown): number => (typeof v === 'number' ? v : parseFloat(String(v)));

type Op = (args: readonly unknown[], scope: CompileScope) => Compiled;
const pure =
  (fn: (v: unknown[]) => unknown): Op =>
  (args, scope) =>
    strictOperator(args, scope, fn);

export const compilePlus = pure((v) => v.reduce<number>((s, x) => s + num(x), 0));
export const compileTimes = pure((v) => v.reduce<number>((s, x) => s * num(x), 1));
export const compileMinus = pure((v) => (v.length === 1 ? -num(v[0]) : num(v[0]) - num(v[1])));
export const compileDivide = pure((v) => num(v[0]) / num(v[1]));
export const compileModulo = pure((v) => num(v[0]) % num(v[1]));
export const compileMax = pure((v) => (v.length === 0 ? null : Math.max(...v.map(num))));
export const compileMin = pure((v) => (v.length === 0 ? null : Math.min(...v.map(num))));

// As flagd-core (json-logic-engine, compiled mode): every part is stringified, so a missing
// `var` contributes "null". This changes the fractional bucket of a `cat` key, so it must match.
export const compileCat = pure((v) => v.map(String).join(''));

export const compileSubstr = pure((v) => {
  const s = String(v[0] ?? '');
  const start = num(v[1] ?? 0);
  const from = start < 0 ? Math.max(0, s.length + start) : start;
  if (v.length < 3 || v[2] === undefined || v[2] === null) return s.slice(from);
  const len = num(v[2]);
  return len < 0 ? s.slice(from, Math.max(from, s.length + len)) : s.slice(from, from + len);
});

export const compileIn = pure((v) => {
  const [item, hay] = v;
  if (typeof hay === 'string') return hay.includes(String(item));
  if (Array.isArray(hay)) return hay.includes(item);
  return false;
});

export const compileMerge = pure((v) => v.flatMap((x) => (Array.isArray(x) ? x : [x])));

/** map/filter/all/some/none/reduce: the second argument runs with each element as its data. */
function iterate(kind: 'map' | 'filter' | 'all' | 'some' | 'none'): Op {
  return (args, scope) => {
    const list = scope.compile(args[0]);
    const body = scope.compile(args[1] ?? null);
    return dynamic((data) => {
      const arr = list.evaluate(data);
      const items = Array.isArray(arr) ? arr : [];
      switch (kind) {
        case 'map':
          return items.map((x) => body.evaluate(x));
        case 'filter':
          return items.filter((x) => truthy(body.evaluate(x)));
        case 'all':
          return items.length > 0 && items.every((x) => truthy(body.evaluate(x)));
        case 'some':
          return items.some((x) => truthy(body.evaluate(x)));
        case 'none':
          return !items.some((x) => truthy(body.evaluate(x)));
      }
    });
  };
}

export const compileMap = iterate('map');
export const compileFilter = iterate('filter');
export const compileAll = iterate('all');
export const compileSome = iterate('some');
export const compileNone = iterate('none');

export function compileReduce(args: readonly unknown[], scope: CompileScope): Compiled {
  const list = scope.compile(args[0]);
  const body = scope.compile(args[1] ?? null);
  const initial = scope.compile(args[2] ?? null);
  return dynamic((data) => {
    const arr = list.evaluate(data);
    let acc = initial.evaluate(data);
    if (!Array.isArray(arr)) return acc;
    for (const current of arr) acc = body.evaluate({ current, accumulator: acc });
    return acc;
  });
}
