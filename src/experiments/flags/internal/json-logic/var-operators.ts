import { type CompileScope, type Compiled, constant, dynamic, evaluateAll } from './compiled.js';

/** Data access operators: `var`, `missing`, `missing_some`. */

const FLAGD = '$flagd';

function lookup(data: unknown, segments: readonly string[]): unknown {
  let cur = data;
  for (let i = 0; i < segments.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segments[i]!];
  }
  return cur;
}

function splitPath(path: unknown): string[] {
  const s = String(path);
  return s === '' ? [] : s.split('.');
}

/** `$flagd.flagKey` is known at compile time; `$flagd.timestamp` is read at evaluation. */
function compileFlagdPath(segments: readonly string[], scope: CompileScope): Compiled | undefined {
  if (segments[0] !== FLAGD) return undefined;
  if (segments.length === 1) return dynamic(() => ({ flagKey: scope.flagKey, timestamp: scope.now() }));
  if (segments.length === 2 && segments[1] === 'flagKey') return constant(scope.flagKey);
  if (segments.length === 2 && segments[1] === 'timestamp') return dynamic(() => scope.now());
  return constant(null);
}

function compilePath(segments: readonly string[], fallback: Compiled): Compiled {
  if (segments.length === 0) return dynamic((data) => data);
  if (segments.length === 1) {
    const key = segments[0]!;
    return dynamic((data) => {
      const v = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
      return v === undefined || v === null ? fallback.evaluate(data) : v;
    });
  }
  return dynamic((data) => {
    const v = lookup(data, segments);
    return v === undefined || v === null ? fallback.evaluate(data) : v;
  });
}

export function compileVar(args: readonly unknown[], scope: CompileScope): Compiled {
  const fallback = args.length > 1 ? scope.compile(args[1]) : constant(null);
  const path = scope.compile(args.length > 0 ? args[0] : '');
  if (path.constant) {
    const segments = splitPath(path.value ?? '');
    return compileFlagdPath(segments, scope) ?? compilePath(segments, fallback);
  }
  return dynamic((data) => {
    const segments = splitPath(path.evaluate(data) ?? '');
    if (segments[0] === FLAGD) return compileFlagdPath(segments, scope)!.evaluate(data);
    const v = lookup(data, segments);
    return v === undefined || v === null ? fallback.evaluate(data) : v;
  });
}

function isMissing(data: unknown, path: unknown): boolean {
  const v = lookup(data, splitPath(path));
  return v === undefined || v === null || v === '';
}

export function compileMissing(args: readonly unknown[], scope: CompileScope): Compiled {
  const compiled = args.map((a) => scope.compile(a));
  return dynamic((data) => {
    const values = evaluateAll(compiled, data);
    const paths = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
    return paths.filter((p) => isMissing(data, p));
  });
}

export function compileMissingSome(args: readonly unknown[], scope: CompileScope): Compiled {
  const need = scope.compile(args[0]);
  const paths = scope.compile(args[1] ?? []);
  return dynamic((data) => {
    const list = paths.evaluate(data);
    if (!Array.isArray(list)) return [];
    const missing = list.filter((p) => isMissing(data, p));
    return list.length - missing.length >= Number(need.evaluate(data)) ? [] : missing;
  });
}
