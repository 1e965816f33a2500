import { type SemVer, coerce, compare, parse } from 'semver';
import type { CompileScope, Compiled } from './compiled.js';
import { constant, dynamic } from './compiled.js';

/**
 * flagd's `sem_ver` operator: `[version, op, version]` with op one of = != < <= > >= ^ ~.
 * Versions are parsed leniently as flagd does (a `v`/`V` prefix, numbers, and partial
 * `1` / `1.2`); anything else, a wrong argument count or an unknown operator gives null.
 */

const PARTIAL = /^\d+(\.\d+)?$/;

export function normalizeVersion(raw: unknown): SemVer | null {
  const s = String(raw).replace(/^[vV]/, '');
  return parse(s) ?? (PARTIAL.test(s) ? coerce(s) : null);
}

export function semVerCompare(a: SemVer | null, op: unknown, b: SemVer | null): boolean | null {
  if (!a || !b) return null;
  switch (op) {
    case '=':
      return compare(a, b) === 0;
    case '!=':
      return compare(a, b) !== 0;
    case '<':
      return compare(a, b) < 0;
    case '<=':
      return compare(a, b) <= 0;
    case '>':
      return compare(a, b) > 0;
    case '>=':
      return compare(a, b) >= 0;
    case '^':
      return a.major === b.major;
    case '~':
      return a.major === b.major && a.minor === b.minor;
    default:
      return null;
  }
}

export function compileSemVer(args: readonly unknown[], scope: CompileScope): Compiled {
  if (args.length !== 3) return constant(null);
  const [left, op, right] = args.map((a) => scope.compile(a)) as [Compiled, Compiled, Compiled];
  // Literal versions (the usual right-hand side) are parsed once.
  const rightVersion = right.constant ? normalizeVersion(right.value) : undefined;
  return dynamic((data) =>
    semVerCompare(
      normalizeVersion(left.evaluate(data)),
      op.evaluate(data),
      rightVersion !== undefined ? rightVersion : normalizeVersion(right.evaluate(data)),
    ),
  );
}
