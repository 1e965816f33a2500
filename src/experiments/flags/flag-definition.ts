import { z } from 'zod';
import { type FieldIssue, ValidationError } from '../../core/index.js';

/**
 * Flag definitions in flagd's flag-definition format
 * (https://flagd.dev/reference/flag-definitions/), validated with zod.
 */

/** A JSON value as a variant may hold. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Flag and flag-set metadata: flat, primitive values only. */
export type FlagMetadata = Readonly<Record<string, string | number | boolean>>;

export const FlagState = { ENABLED: 'ENABLED', DISABLED: 'DISABLED' } as const;
export type FlagState = (typeof FlagState)[keyof typeof FlagState];

export interface FlagDefinition {
  readonly state: FlagState;
  readonly variants: Readonly<Record<string, JsonValue>>;
  /** Variant served without targeting; null/absent means "the caller's default value". */
  readonly defaultVariant?: string | null | undefined;
  /** A JsonLogic rule returning a variant name (null → default variant). `{}` means none. */
  readonly targeting?: Readonly<Record<string, unknown>> | undefined;
  readonly metadata?: FlagMetadata | undefined;
}

export interface FlagConfiguration {
  readonly $schema?: string | undefined;
  readonly flags: Readonly<Record<string, FlagDefinition>>;
  /** Shared targeting rules, referenced as `{"$ref": "name"}`. */
  readonly $evaluators?: Readonly<Record<string, unknown>> | undefined;
  /** Flag-set metadata; a flag's own metadata wins on conflicts. */
  readonly metadata?: FlagMetadata | undefined;
}

const metadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), {
  error: 'metadata must be an object of string, number or boolean values',
});

const jsonSchema = z.json();

/** One flagd flag definition (the body of `PUT /api/v1/flags/{key}`). */
export const FlagDefinitionSchema = z
  .strictObject({
    state: z.enum(['ENABLED', 'DISABLED'], { error: 'state must be "ENABLED" or "DISABLED"' }),
    variants: z
      .record(z.string().min(1, 'variant names must not be empty'), jsonSchema, { error: 'variants must be an object' })
      .refine((v) => Object.keys(v).length > 0, 'variants must define at least one variant'),
    defaultVariant: z.string({ error: 'defaultVariant must be a string or null' }).nullish(),
    targeting: z.record(z.string(), z.unknown(), { error: 'targeting must be a JsonLogic object' }).optional(),
    metadata: metadataSchema.optional(),
  })
  .superRefine((flag, ctx) => {
    if (typeof flag.defaultVariant === 'string' && !Object.hasOwn(flag.variants, flag.defaultVariant)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultVariant'],
        message: `defaultVariant "${flag.defaultVariant}" is not one of the variants (${Object.keys(flag.variants).join(', ')})`,
      });
    }
  });

const configurationSchema = z.strictObject({
  $schema: z.string().optional(),
  flags: z.record(z.string().min(1, 'flag keys must not be empty'), FlagDefinitionSchema, { error: 'flags must be an object' }),
  $evaluators: z.record(z.string(), z.unknown(), { error: '$evaluators must be an object' }).optional(),
  metadata: metadataSchema.optional(),
});

const pathOf = (path: readonly PropertyKey[]): string => path.map(String).join('.');

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
}

/**
 * Parses and validates a flagd flag configuration (a JSON string or an already parsed value).
 * Throws a `ValidationError` whose issues name each offending field, e.g.
 * `flags.new-model.defaultVariant`. Targeting rules are compiled later by the evaluator: a rule
 * that does not compile makes only that flag resolve with `PARSE_ERROR`, as in flagd.
 *
 * @example
 * const config = parseFlagConfiguration('{"flags":{"dark-mode":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"}}}');
 */
export function parseFlagConfiguration(input: unknown): FlagConfiguration {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new ValidationError(`invalid flag configuration: not JSON (${(cause as Error).message})`, [{ path: '', message: 'not valid JSON' }], { cause });
    }
  }
  const result = configurationSchema.safeParse(value);
  if (!result.success) {
    const issues = toIssues(result.error);
    const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    throw new ValidationError(`invalid flag configuration: ${summary}`, issues, { cause: result.error });
  }
  return result.data as FlagConfiguration;
}

/** Validates one flag definition (e.g. a `PUT /api/v1/flags/{key}` body); issue paths start at the flag. */
export function parseFlagDefinition(input: unknown): FlagDefinition {
  const result = FlagDefinitionSchema.safeParse(input);
  if (!result.success) {
    const issues = toIssues(result.error);
    throw new ValidationError(`invalid flag definition: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, issues, {
      cause: result.error,
    });
  }
  return result.data as FlagDefinition;
}
