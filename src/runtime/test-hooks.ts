import { z } from 'zod';
import type { Gauge } from 'prom-client';
import { NotFoundError, ValidationError } from '../core/index.js';
import { describeMetrics } from '../observability/index.js';
import type { Metrics } from '../observability/index.js';
import type { RouteModule } from '../core/index.js';
import { parseInput } from '../core/index.js';

/** Environment variable that turns the test hooks on (value `1`). Never set it in production. */
export const TEST_HOOKS_ENV = 'APPRENTICE_OPS_TEST_HOOKS';

const body = z
  .object({
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
    value: z.number().finite(),
  })
  .strict();

/**
 * Test-only: `PUT /api/v1/ops/test/gauges/{name}` sets a catalogue gauge (e.g.
 * `apprentice_model_accuracy`) so end-to-end tests can make Prometheus rules fire. Installed
 * only when `APPRENTICE_OPS_TEST_HOOKS=1` (see `installOps`). The auth table has no row for
 * it, so with auth on it needs an admin token.
 */
export function testHookRoutes(metrics: Metrics): RouteModule {
  const gauges = new Map(
    describeMetrics()
      .filter((m) => m.type === 'gauge')
      .map((m) => [m.name, m]),
  );
  return (app) => {
    app.put<{ Params: { name: string } }>('/api/v1/ops/test/gauges/:name', async (req) => {
      const spec = gauges.get(req.params.name);
      if (spec === undefined) throw new NotFoundError(`no gauge ${req.params.name} in the catalogue`);
      const { labels, value } = parseInput(body, req.body);
      const unknown = Object.keys(labels).filter((l) => !spec.labelNames.includes(l));
      if (unknown.length > 0)
        throw new ValidationError(
          `invalid labels for ${spec.name}`,
          unknown.map((l) => ({
            path: `labels.${l}`,
            message: `not a label of ${spec.name} (${spec.labelNames.join(', ')})`,
          })),
        );
      (metrics[spec.key] as unknown as Gauge<string>).set(labels, value);
      return { name: req.params.name, labels, value };
    });
  };
}
