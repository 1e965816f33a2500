import { ValidationError } from '../../core/index.js';

/** A quasi-identifier: a field that, combined with others, can single a person out. */
export interface QuasiIdentifier {
  readonly field: string;
  readonly type: 'numeric' | 'categorical';
  /**
   * Categorical only: each value's ancestors from nearest to farthest, e.g.
   * `{ '02139': ['0213*', '021**'] }`. The root `*` is always the last level. Default: none
   * (a value generalises straight to `*`).
   */
  readonly hierarchy?: Readonly<Record<string, readonly string[]>>;
  /**
   * Numeric only: bucket widths to try, smallest first; values become `[lo, lo+width)` ranges,
   * then `*`. Default: 1-2-5 steps from ~1/100 of the data's span up to twice the span.
   */
  readonly widths?: readonly number[];
}

export interface AnonymizeOptions {
  readonly quasiIdentifiers: readonly QuasiIdentifier[];
  /** Every released row shares its quasi-identifier values with at least k−1 others. */
  readonly k: number;
  /**
   * Fraction of rows that may be suppressed instead of generalising further. Default 0.05.
   * (Suppression of rows in classes still smaller than k always happens at the end.)
   */
  readonly maxSuppression?: number;
}

export interface AnonymizeResult<T> {
  /** Released rows (original order), quasi-identifiers generalised. */
  readonly rows: T[];
  /** Number of rows withheld because their class stayed smaller than k. */
  readonly suppressed: number;
  /** Generalisation level reached per quasi-identifier (0 = exact values). */
  readonly levels: Readonly<Record<string, number>>;
}

type Generalise = (value: unknown, level: number) => unknown;
interface Ladder {
  readonly maxLevel: number;
  readonly generalise: Generalise;
}

function defaultWidths(values: readonly unknown[]): number[] {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (nums.length === 0) return [];
  const span = Math.max(...nums) - Math.min(...nums) || 1;
  const widths: number[] = [];
  for (let e = Math.floor(Math.log10(span)) - 2; widths.length === 0 || widths.at(-1)! < span * 2; e++) {
    for (const m of [1, 2, 5]) widths.push(m * 10 ** e);
  }
  return widths;
}

const fmt = (x: number): string => String(Number(x.toPrecision(12)));

function ladderFor(qi: QuasiIdentifier, values: readonly unknown[]): Ladder {
  if (qi.type === 'numeric') {
    const widths = qi.widths ?? defaultWidths(values);
    return {
      maxLevel: widths.length + 1,
      generalise: (v, level) => {
        if (level === 0) return v;
        const w = widths[level - 1];
        if (w === undefined || typeof v !== 'number' || !Number.isFinite(v)) return '*';
        const lo = Math.floor(v / w) * w;
        return `[${fmt(lo)}, ${fmt(lo + w)})`;
      },
    };
  }
  const h = qi.hierarchy ?? {};
  let depth = 0;
  for (const chain of Object.values(h)) depth = Math.max(depth, chain.length);
  return {
    maxLevel: depth + 1,
    generalise: (v, level) => {
      if (level === 0) return v;
      const chain = Object.hasOwn(h, String(v)) ? h[String(v)] : undefined;
      return chain?.[level - 1] ?? '*';
    },
  };
}

function validate(options: AnonymizeOptions): void {
  const issues: { path: string; message: string }[] = [];
  if (!Number.isInteger(options.k) || options.k < 1)
    issues.push({ path: 'k', message: 'must be an integer >= 1' });
  const s = options.maxSuppression;
  if (s !== undefined && !(s >= 0 && s <= 1))
    issues.push({ path: 'maxSuppression', message: 'must be in [0, 1]' });
  options.quasiIdentifiers.forEach((q, i) => {
    if (q.type !== 'numeric' && q.type !== 'categorical')
      issues.push({ path: `quasiIdentifiers.${i}.type`, message: 'must be numeric or categorical' });
    if (q.widths?.some((w) => !(w > 0)))
      issues.push({ path: `quasiIdentifiers.${i}.widths`, message: 'must be positive' });
  });
  if (issues.length > 0) throw new ValidationError('invalid k-anonymity options', issues);
}

/**
 * k-anonymity by global recoding (a greedy Datafly-style search): repeatedly generalise the
 * quasi-identifier whose next level leaves the fewest rows in classes smaller than k, until
 * those rows fit the suppression budget; then suppress them.
 * @example
 * anonymize(rows, { k: 5, quasiIdentifiers: [{ field: 'age', type: 'numeric' }, { field: 'zip', type: 'categorical', hierarchy }] });
 * // { rows: [...{ age: '[30, 40)', zip: '021**', ... }], suppressed: 2, levels: { age: 3, zip: 2 } }
 */
export function anonymize<T extends Readonly<Record<string, unknown>>>(
  rows: readonly T[],
  options: AnonymizeOptions,
): AnonymizeResult<T> {
  validate(options);
  const qis = options.quasiIdentifiers;
  const budget = Math.floor((options.maxSuppression ?? 0.05) * rows.length);
  const ladders = qis.map((q) =>
    ladderFor(
      q,
      rows.map((r) => r[q.field]),
    ),
  );
  const levels = qis.map(() => 0);

  const classKeys = (lv: readonly number[]): string[] =>
    rows.map((r) => JSON.stringify(qis.map((q, i) => ladders[i]!.generalise(r[q.field], lv[i]!) ?? null)));
  const smallRows = (keys: readonly string[]): number => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    let n = 0;
    for (const c of counts.values()) if (c < options.k) n += c;
    return n;
  };

  let keys = classKeys(levels);
  while (smallRows(keys) > budget) {
    let best: { i: number; small: number; keys: string[] } | undefined;
    for (let i = 0; i < qis.length; i++) {
      if (levels[i]! >= ladders[i]!.maxLevel) continue;
      const trial = levels.map((l, j) => (j === i ? l + 1 : l));
      const trialKeys = classKeys(trial);
      const small = smallRows(trialKeys);
      if (best === undefined || small < best.small) best = { i, small, keys: trialKeys };
    }
    if (best === undefined) break; // everything at '*': what is left is suppressed
    levels[best.i]!++;
    keys = best.keys;
  }

  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const released: T[] = [];
  rows.forEach((r, idx) => {
    if ((counts.get(keys[idx]!) ?? 0) < options.k) return;
    const out: Record<string, unknown> = { ...r };
    qis.forEach((q, i) => {
      if (Object.hasOwn(r, q.field)) out[q.field] = ladders[i]!.generalise(r[q.field], levels[i]!);
    });
    released.push(out as T);
  });
  return {
    rows: released,
    suppressed: rows.length - released.length,
    levels: Object.fromEntries(qis.map((q, i) => [q.field, levels[i]!])),
  };
}
