import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parse with zod; on failure a ValidationError naming every field path and rule. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationError(
    `invalid ${where}`,
    r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}
