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

/**
 * A `preValidation` hook refusing bodies nested deeper than `maxDepth` with 400
 * VALIDATION_FAILED, before validators and hashing (both recursive: zod and the context hash
 * overflow the stack near 2,000 levels) ever see them.
 */
export function inputGuard(maxDepth = MAX_BODY_DEPTH): RouteModule {
  return (app: FastifyInstance) => {
    app.addHook('preValidation', async (req) => {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') return;
      if (jsonDepth(req.body, maxDepth) > maxDepth)
        throw new ValidationError('request body is nested too deeply', [
          { path: '', message: `at most ${maxDepth} levels of nesting` },
        ]);
    });
  };
}
