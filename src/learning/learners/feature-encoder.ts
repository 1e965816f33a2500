import { ModelInvalidError } from './model-invalid-error.js';
import { resolveFeatureSpec, specHash, type FeatureSpec, type ResolvedField } from '../../decisions/index.js';
import { fnvSeparator, fnvString } from './internal/fnv.js';

/** Saved encoder state: the spec, its hash and the running statistics of numeric fields. */
export interface FeatureEncoderJSON {
  readonly specHash: string;
  readonly spec: FeatureSpec;
  /** Per numeric field (spec order): observed count, mean, sum of squared deviations. */
  readonly numeric: readonly { readonly n: number; readonly mean: number; readonly m2: number }[];
}

interface Column {
  readonly field: ResolvedField;
  readonly offset: number;
  /** FNV state after the field name: the seed for its values' hashes. */
  readonly seed: number;
  /** Numeric fields: index into the Welford arrays. */
  readonly stat: number;
  readonly vocab: ReadonlyMap<string, number> | null;
}

/**
 * Turns a context record into a fixed-length `Float64Array` by a declarative spec:
 * numerics standardised online (Welford), booleans as 0/1, categoricals one-hot over a fixed
 * vocabulary (plus an "other" slot) or signed-hashed into buckets, text as signed hashed
 * token counts (FNV-1a, ASCII case-folded, tokens = runs of letters, digits, `_` or
 * non-ASCII). Missing or mistyped values take the field's default; `encode` never throws.
 * `encode(record, out)` allocates nothing for numeric, boolean and text fields.
 * @example
 * const enc = createFeatureEncoder([
 *   { name: 'linesChanged', type: 'numeric' },
 *   { name: 'language', type: 'categorical', vocabulary: ['ts', 'py'] },
 *   { name: 'title', type: 'text', buckets: 32 },
 * ]);
 * enc.observe(ctx);             // update running means (training side)
 * const x = enc.encode(ctx);    // Float64Array of length enc.dimension
 */
export class FeatureEncoder {
  readonly dimension: number;
  readonly specHash: string;
  private readonly spec: FeatureSpec;
  private readonly columns: readonly Column[];
  private readonly n: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(spec: FeatureSpec) {
    const fields = resolveFeatureSpec(spec);
    this.spec = spec;
    this.specHash = specHash(spec);
    let offset = 0;
    let stat = 0;
    this.columns = fields.map((field) => {
      const col: Column = {
        field,
        offset,
        seed: fnvSeparator(fnvString(field.name)),
        stat: field.type === 'numeric' ? stat++ : -1,
        vocab: field.vocabulary === null ? null : new Map(field.vocabulary.map((v, i) => [v, i] as const)),
      };
      offset += field.width;
      return col;
    });
    this.dimension = offset;
    this.n = new Float64Array(stat);
    this.mean = new Float64Array(stat);
    this.m2 = new Float64Array(stat);
  }

  /** Output column names, e.g. `age`, `lang=ts`, `lang=<other>`, `title#17`. */
  get featureNames(): string[] {
    const names: string[] = [];
    for (const { field } of this.columns) {
      if (field.width === 1 && field.vocabulary === null && field.buckets === 0) names.push(field.name);
      else if (field.vocabulary !== null)
        names.push(...field.vocabulary.map((v) => `${field.name}=${v}`), `${field.name}=<other>`);
      else for (let b = 0; b < field.buckets; b++) names.push(`${field.name}#${b}`);
    }
    return names;
  }

  /** Update the running statistics of numeric fields with one record (the training side). */
  observe(record: Readonly<Record<string, unknown>>): void {
    for (const col of this.columns) {
      if (col.stat < 0) continue;
      const v = record[col.field.name];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const i = col.stat;
      const n = ++this.n[i]!;
      const d = v - this.mean[i]!;
      this.mean[i]! += d / n;
      this.m2[i]! += d * (v - this.mean[i]!);
    }
  }

  /** Encode one record into `out` (allocated if absent; must have length `dimension`). */
  encode(
    record: Readonly<Record<string, unknown>>,
    out: Float64Array = new Float64Array(this.dimension),
  ): Float64Array {
    if (out.length !== this.dimension)
      throw new RangeError(`output buffer length ${out.length} != dimension ${this.dimension}`);
    out.fill(0);
    for (const col of this.columns) {
      const { field } = col;
      const raw = record[field.name];
      switch (field.type) {
        case 'numeric':
          out[col.offset] = this.numeric(col, raw);
          break;
        case 'boolean': {
          const b =
            typeof raw === 'boolean' ? raw : raw === 1 || raw === 0 ? raw === 1 : field.default === true;
          out[col.offset] = b ? 1 : 0;
          break;
        }
        case 'categorical': {
          const v =
            typeof raw === 'string'
              ? raw
              : typeof raw === 'number' && Number.isFinite(raw)
                ? String(raw)
                : field.default;
          if (typeof v !== 'string') break;
          if (col.vocab !== null) {
            out[col.offset + (col.vocab.get(v) ?? field.vocabulary!.length)] = 1;
          } else {
            const h = fnvString(v, col.seed);
            out[col.offset + (h % field.buckets)]! += h & 0x80000000 ? -1 : 1;
          }
          break;
        }
        case 'text': {
          const v = typeof raw === 'string' ? raw : field.default;
          if (typeof v === 'string') hashTokens(v, col.seed, field.buckets, out, col.offset);
          break;
        }
      }
    }
    return out;
  }

  toJSON(): FeatureEncoderJSON {
    return {
      specHash: this.specHash,
      spec: this.spec,
      numeric: Array.from(this.n, (n, i) => ({ n, mean: this.mean[i]!, m2: this.m2[i]! })),
    };
  }

  /** Restore an encoder; a state whose spec hash or shape does not match is a `ModelInvalidError`. */
  static fromJSON(json: FeatureEncoderJSON): FeatureEncoder {
    const enc = new FeatureEncoder(json.spec);
    if (enc.specHash !== json.specHash) {
      throw new ModelInvalidError('feature encoder state was saved for another spec', [
        { path: 'specHash', message: `expected ${enc.specHash}` },
      ]);
    }
    if (json.numeric.length !== enc.n.length) {
      throw new ModelInvalidError(`expected statistics for ${enc.n.length} numeric features`, [
        { path: 'numeric', message: `length must be ${enc.n.length}` },
      ]);
    }
    json.numeric.forEach((s, i) => {
      enc.n[i] = s.n;
      enc.mean[i] = s.mean;
      enc.m2[i] = s.m2;
    });
    return enc;
  }

  private numeric(col: Column, raw: unknown): number {
    const i = col.stat;
    const mean = this.mean[i]!;
    let v: number;
    if (typeof raw === 'number' && Number.isFinite(raw)) v = raw;
    else if (typeof col.field.default === 'number') v = col.field.default;
    else return col.field.standardize ? 0 : mean; // missing: the running mean
    if (!col.field.standardize) return v;
    const n = this.n[i]!;
    const sd = n > 0 ? Math.sqrt(this.m2[i]! / n) : 0;
    return sd > 0 ? (v - mean) / sd : v - mean;
  }
}

const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;

/** Adds ±1 per token at `offset + hash % buckets`; the sign is the hash's top bit. */
function hashTokens(text: string, seed: number, buckets: number, out: Float64Array, offset: number): void {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inToken = i < text.length && isTokenChar(text.charCodeAt(i));
    if (inToken && start < 0) start = i;
    else if (!inToken && start >= 0) {
      const h = fnvString(text, seed, start, i, true);
      out[offset + (h % buckets)]! += h & 0x80000000 ? -1 : 1;
      start = -1;
    }
  }
}

export const createFeatureEncoder = (spec: FeatureSpec): FeatureEncoder => new FeatureEncoder(spec);
