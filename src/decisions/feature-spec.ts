import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../core/index.js';

export const FeatureType = {
  NUMERIC: 'numeric',
  BOOLEAN: 'boolean',
  CATEGORICAL: 'categorical',
  TEXT: 'text',
} as const;
export type FeatureType = (typeof FeatureType)[keyof typeof FeatureType];

/** One feature of an agent's context, as declared in its feature spec. */
export interface FeatureField {
  /** Key of the value in the context record. */
  readonly name: string;
  readonly type: FeatureType;
  /** Used when the value is missing or of the wrong type. Numeric default: the running mean; boolean: false; categorical/text: nothing. */
  readonly default?: number | boolean | string;
  /** Hash buckets for categorical values without a `vocabulary` (default 32) and for text tokens (default 64). */
  readonly buckets?: number;
  /** Categorical only: fixed vocabulary, one-hot encoded plus one slot for anything else. */
  readonly vocabulary?: readonly string[];
  /** Numeric only: standardise online with the running mean and deviation; default true. */
  readonly standardize?: boolean;
  /**
   * Take the value from a feature view's online store instead of the context (issue 13): the
   * view, its feature, and the context key holding the entity id. Logged with the decision.
   */
  readonly from?: FeatureSource;
}

/** Where a view-backed field's value comes from. */
export interface FeatureSource {
  readonly view: string;
  readonly feature: string;
  /** Context key whose value is the entity id (e.g. `author`). */
  readonly entity: string;
}

export type FeatureSpec = readonly FeatureField[];

/** A field with every default filled in: what the encoder and `specHash` use. */
export interface ResolvedField {
  readonly name: string;
  readonly type: FeatureType;
  readonly default: number | boolean | string | null;
  readonly buckets: number;
  readonly vocabulary: readonly string[] | null;
  readonly standardize: boolean;
  /** Number of output columns. */
  readonly width: number;
  /** View-backed fields only (absent otherwise, so the hash of a spec without views is unchanged). */
  readonly from?: FeatureSource;
}

export const DEFAULT_CATEGORICAL_BUCKETS = 32;
export const DEFAULT_TEXT_BUCKETS = 64;

const fieldSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(['numeric', 'boolean', 'categorical', 'text']),
    default: z.union([z.number(), z.boolean(), z.string()]).optional(),
    buckets: z
      .number()
      .int()
      .min(1)
      .max(1 << 20)
      .optional(),
    vocabulary: z.array(z.string()).min(1).optional(),
    standardize: z.boolean().optional(),
    from: z
      .object({
        view: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a feature view name'),
        feature: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a feature of the view'),
        entity: z.string().min(1).max(128),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const bad = (path: string, message: string): void =>
      void ctx.addIssue({ code: 'custom', path: [path], message });
    if (f.type === 'numeric' && f.default !== undefined && typeof f.default !== 'number')
      bad('default', 'must be a number');
    if (f.type === 'boolean' && f.default !== undefined && typeof f.default !== 'boolean')
      bad('default', 'must be a boolean');
    if (
      (f.type === 'categorical' || f.type === 'text') &&
      f.default !== undefined &&
      typeof f.default !== 'string'
    )
      bad('default', 'must be a string');
    if (f.vocabulary !== undefined && f.type !== 'categorical')
      bad('vocabulary', 'only for categorical features');
    if (f.vocabulary !== undefined && new Set(f.vocabulary).size !== f.vocabulary.length)
      bad('vocabulary', 'values must be distinct');
    if (f.buckets !== undefined && f.type !== 'categorical' && f.type !== 'text')
      bad('buckets', 'only for categorical or text features');
    if (f.standardize !== undefined && f.type !== 'numeric') bad('standardize', 'only for numeric features');
  });
const specSchema = z
  .array(fieldSchema)
  .min(1)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate feature name '${f.name}'` });
      seen.add(f.name);
    });
  });

/**
 * Validate a spec (ValidationError naming each bad field) and fill in defaults.
 * @example
 * const fields = resolveFeatureSpec([
 *   { name: 'amount', type: 'numeric' },
 *   { name: 'country', type: 'categorical', vocabulary: ['pl', 'de'] },
 * ]); // each field with its defaults (buckets, standardize, ...)
 */
export function resolveFeatureSpec(spec: unknown): ResolvedField[] {
  const parsed = specSchema.safeParse(spec);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new ValidationError(
      `invalid feature spec: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data.map((f) => {
    const vocabulary = f.vocabulary ?? null;
    const buckets =
      f.type === 'text'
        ? (f.buckets ?? DEFAULT_TEXT_BUCKETS)
        : f.type === 'categorical' && vocabulary === null
          ? (f.buckets ?? DEFAULT_CATEGORICAL_BUCKETS)
          : 0;
    const width =
      f.type === 'numeric' || f.type === 'boolean'
        ? 1
        : vocabulary !== null
          ? vocabulary.length + 1
          : buckets;
    return {
      name: f.name,
      type: f.type,
      default: f.default ?? null,
      buckets,
      vocabulary,
      standardize: f.type === 'numeric' ? (f.standardize ?? true) : false,
      width,
      ...(f.from !== undefined ? { from: { view: f.from.view, feature: f.from.feature, entity: f.from.entity } } : {}),
    };
  });
}

/** JSON with object keys sorted at every level: the canonical text that `specHash` digests. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Stable SHA-256 (hex) of the resolved spec: equal for specs that encode identically
 * (key order and spelled-out defaults do not matter), different when the layout changes.
 * Model versions record it as lineage.
 * @example specHash([{ name: 'files', type: 'numeric' }]) // '3f1c…' (64 hex chars)
 */
export function specHash(spec: FeatureSpec): string {
  return createHash('sha256')
    .update(canonical(resolveFeatureSpec(spec)))
    .digest('hex');
}
