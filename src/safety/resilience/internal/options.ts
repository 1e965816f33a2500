import { ValidationError, type FieldIssue } from '../../../core/index.js';

/**
 * Merges options over defaults, skipping explicit `undefined` (a plain spread would let
 * `{ x: undefined }` erase a default — STYLE.md §6).
 */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  if (given) {
    for (const key of Object.keys(given) as (keyof T)[]) {
      const v = given[key];
      if (v !== undefined) out[key] = v as T[keyof T];
    }
  }
  return out;
}

export type Rule = readonly [path: string, ok: boolean, message: string];

/** Throws one `ValidationError` naming every broken rule. */
export function check(what: string, rules: readonly Rule[]): void {
  const issues: FieldIssue[] = rules.filter(([, ok]) => !ok).map(([path, , message]) => ({ path, message }));
  if (issues.length > 0) {
    throw new ValidationError(
      `invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      issues,
    );
  }
}

export const isPositiveInt = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
export const isNonNegative = (n: number): boolean => Number.isFinite(n) && n >= 0;
export const isFraction = (n: number): boolean => Number.isFinite(n) && n > 0 && n < 1;
