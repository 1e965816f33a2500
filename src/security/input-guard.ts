import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../core/index.js';
import type { RouteModule } from '../core/index.js';

/** Deepest JSON nesting a request body may have (the redactor also stops at 64). */
export const MAX_BODY_DEPTH = 64;

/**
 * Depth of a parsed JSON value, iteratively (a recursive walk is exactly what a hostile
 * body would overflow). Stops counting once past `limit`.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL's jsonb (or text) cannot hold this string, if it cannot. */
function unstorableString(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000): PostgreSQL cannot store it';
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone UTF-16 surrogate: it is not valid Unicode';
  return undefined;
}

/**
 * The first value of a parsed JSON body the event store cannot hold as sent, with its path:
 * a string or key holding NUL or a lone surrogate (jsonb refuses both), or a number out of the
 * double range (it parsed to ±Infinity and would be stored as null). Iterative, like `jsonDepth`.
 */
export function findUnstorable(value: unknown): { path: string; message: string } | undefined {
  const stack: [unknown, string][] = [[value, '']];
  const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const why = unstorableString(v);
      if (why) return { path, message: why };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, message: 'must be a number within ±1.7976931348623157e308' };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], join(path, i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const why = unstorableString(k);
        if (why) return { path: join(path, k.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDFFF]/g, '\uFFFD')), message: `key ${why}` };
        stack.push([child, join(path, k)]);
      }
    }
  }
  return undefined;
}

/**
 * A `preValidation` hook refusing, with 400 VALIDATION_FAILED and the field path, bodies nested
 * deeper than `maxDepth` (before validators and hashing, both recursive: zod and the context hash
 * overflow the stack near 2,000 levels, ever see them) and bodies holding what the event store
 * cannot hold (`findUnstorable`).
 */
export function inputGuard(maxDepth = MAX_BODY_DEPTH): RouteModule {
  return (app: FastifyInstance) => {
    app.addHook('preValidation', async (req) => {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') return;
      if (jsonDepth(req.body, maxDepth) > maxDepth)
        throw new ValidationError('request body is nested too deeply', [
          { path: '', message: `at most ${maxDepth} levels of nesting` },
        ]);
      // Refused here, with the field, rather than acknowledged and then refused by the store.
      const bad = findUnstorable(req.body);
      if (bad) throw new ValidationError(`request body holds a value the event store cannot store (${bad.path || 'body'})`, [bad]);
    });
  };
}
