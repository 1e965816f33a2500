import { type Murmur3Prefix, murmur3, murmur3Prefix, murmur3Prefixed } from '../murmurhash3.js';
import { type CompileScope, type Compiled, dynamic, evaluateAll } from './compiled.js';

/**
 * flagd's `fractional` operator, bit-compatible with flagd (the `@fractional-v2` algorithm of
 * the flagd testbed, as in @openfeature/flagd-core 4):
 *
 *   bucketBy = first argument when it evaluates to a string, else `flagKey + targetingKey`
 *   hash     = murmur3_x86_32(bucketBy, seed 0) as uint32
 *   bucket   = floor(hash * totalWeight / 2^32)
 *   variant  = first entry whose running weight sum exceeds bucket
 *
 * Entries are `[variant]` (weight 1) or `[variant, integerWeight]`; negative weights count as 0;
 * a malformed entry, a total over 2^31-1 or a missing key gives null (the default variant).
 * Bucket ranges follow entry order, so growing the first entry's weight only moves units into it.
 */

/** A validated bucket list with running weight sums. */
export interface BucketTable {
  readonly variants: readonly (string | number | boolean | null)[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

const MAX_WEIGHT = 2147483647;
const TWO_32 = 4294967296;

/** Mirrors flagd-core's `toBucketingList`; null when the list is malformed. */
export function toBucketTable(entries: readonly unknown[]): BucketTable | null {
  const variants: (string | number | boolean | null)[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return null;
    const v: unknown = entry[0];
    let variant: string | number | boolean | null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variant = v;
    else if (v === null || v === undefined) variant = null;
    else return null;
    let weight = 1;
    if (entry.length === 2) {
      const raw: unknown = entry[1];
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return null;
      weight = Math.max(0, raw);
    }
    total += weight;
    variants.push(variant);
    cumulative.push(total);
  }
  return total > MAX_WEIGHT ? null : { variants, cumulative, total };
}

/**
 * floor(hash * total / 2^32) exactly, without BigInt: the product fits a double's 53-bit
 * mantissa when total < 2^21; above that it is split into 16-bit halves.
 */
export function bucketOf(hash: number, total: number): number {
  if (total < 0x200000) return Math.floor((hash * total) / TWO_32);
  const high = (hash >>> 16) * total;
  const low = (hash & 0xffff) * total;
  return Math.floor((high + Math.floor(low / 65536)) / 65536);
}

/** The variant a hash falls in, or null when no entry covers it (all weights zero). */
export function pickBucket(table: BucketTable, hash: number): string | number | boolean | null {
  const bucket = bucketOf(hash, table.total);
  const { cumulative, variants } = table;
  for (let i = 0; i < cumulative.length; i++) if (cumulative[i]! > bucket) return variants[i]!;
  return null;
}

const tableOf = (compiled: readonly Compiled[]): BucketTable | null | undefined =>
  compiled.every((c) => c.constant) ? toBucketTable(compiled.map((c) => c.value)) : undefined;

export function compileFractional(args: readonly unknown[], scope: CompileScope): Compiled {
  if (args.length === 0) return dynamic(() => null);
  const compiled = args.map((a) => scope.compile(a));
  const first = compiled[0]!;
  const rest = compiled.slice(1);
  // Bucket lists made of literals are validated once here; `undefined` means "build per call".
  const allTable = tableOf(compiled);
  const restTable = tableOf(rest);
  // The shorthand form hashes flagKey + targetingKey: the flag key is absorbed once here.
  const flagKeyPrefix: Murmur3Prefix = murmur3Prefix(scope.flagKey);
  return dynamic((data) => {
    const head = first.evaluate(data);
    if (typeof head === 'string') {
      const table = restTable !== undefined ? restTable : toBucketTable(evaluateAll(rest, data));
      return table === null ? null : pickBucket(table, murmur3(head));
    }
    const targetingKey = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).targetingKey : undefined;
    if (!targetingKey) return null;
    const table = allTable !== undefined ? allTable : toBucketTable([head, ...evaluateAll(rest, data)]);
    if (table === null) return null;
    return pickBucket(table, murmur3Prefixed(flagKeyPrefix, typeof targetingKey === 'string' ? targetingKey : String(targetingKey)));
  });
}
