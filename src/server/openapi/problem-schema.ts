import { z } from 'zod';

/** RFC 9457 problem details as apprentice answers them (core/http/problem.ts). */
export const ProblemSchema = z
  .object({
    type: z.string().describe('a link to the code in docs/problems.md'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    code: z.string().describe('stable, e.g. VALIDATION_FAILED; see docs/problems.md'),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('each offending field and the rule it broke'),
  })
  .meta({ title: 'Problem' });
