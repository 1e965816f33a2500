import { ValidationError } from '../../core/index.js';
import type { PiiType, RedactionAction } from './pii-types.js';

/**
 * A field the agent definition marks personal: by JSON path (`$.user.email`,
 * `customers[*].name`, `*` matches any key or index) or by key name anywhere (`email`,
 * case-insensitive). Its whole value is handled with `action`.
 */
export interface FieldRule {
  readonly path?: string;
  readonly key?: string;
  /** Default: the policy's action for `personal`. */
  readonly action?: RedactionAction;
}

/** The per-agent redaction policy (usually from the agent definition). */
export interface FieldPolicy {
  readonly personal?: readonly FieldRule[];
  /** Action per finding type; unset types use `defaultAction`. */
  readonly actions?: Partial<Record<PiiType, RedactionAction>>;
  /** Default: the redactor's default (`redact`). */
  readonly defaultAction?: RedactionAction;
}

/** A compiled rule: path segments (`*` wildcard) or a lower-cased key. */
export type CompiledRule =
  | {
      readonly kind: 'path';
      readonly segments: readonly string[];
      readonly action: RedactionAction | undefined;
    }
  | { readonly kind: 'key'; readonly key: string; readonly action: RedactionAction | undefined };

/** `$.a.b[0]['c d'][*]` → `['a', 'b', '0', 'c d', '*']`. */
export function parsePath(path: string): string[] | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const segments: string[] = [];
  const re = /^(?:\.?([^.[\]'"]+)|\[(\d+|\*)\]|\[['"]([^'"]*)['"]\])/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (m === null) return undefined;
    segments.push(m[1] ?? m[2] ?? m[3] ?? '');
    rest = rest.slice(m[0].length);
  }
  return segments.length > 0 ? segments : undefined;
}

export function compileRules(rules: readonly FieldRule[] | undefined): CompiledRule[] {
  const out: CompiledRule[] = [];
  const issues: { path: string; message: string }[] = [];
  (rules ?? []).forEach((r, i) => {
    if (r.path !== undefined) {
      const segments = parsePath(r.path);
      if (segments === undefined)
        issues.push({ path: `personal.${i}.path`, message: `not a JSON path: ${r.path}` });
      else out.push({ kind: 'path', segments, action: r.action });
    } else if (r.key !== undefined && r.key !== '') {
      out.push({ kind: 'key', key: r.key.toLowerCase(), action: r.action });
    } else {
      issues.push({ path: `personal.${i}`, message: 'needs a path or a key' });
    }
  });
  if (issues.length > 0) throw new ValidationError('invalid personal field rules', issues);
  return out;
}

/** The first rule that marks `segments` (the path of a value) personal. */
export function matchRule(
  rules: readonly CompiledRule[],
  segments: readonly string[],
): CompiledRule | undefined {
  const last = segments.at(-1);
  for (const r of rules) {
    if (r.kind === 'key') {
      if (last !== undefined && last.toLowerCase() === r.key) return r;
    } else if (
      r.segments.length === segments.length &&
      r.segments.every((s, i) => s === '*' || s === segments[i])
    ) {
      return r;
    }
  }
  return undefined;
}

/** `['a', '0', 'c d']` → `$.a[0]["c d"]`, for findings. */
export function formatPath(segments: readonly string[], isIndex: readonly boolean[]): string {
  let out = '$';
  segments.forEach((s, i) => {
    if (isIndex[i] === true) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  });
  return out;
}
