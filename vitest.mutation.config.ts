import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The test set Stryker runs against each mutant (stryker.config.mjs): the unit tier only.
// Integration (*.int.test.ts: real PostgreSQL/Redis) and e2e (*.e2e.test.ts: the built CLI)
// tests are left out: they need shared services and minutes per run, on 2 shared cores.
// Mutants only those tiers would catch show up as survivors and are named in docs/quality.md.
// MUTATION_TESTS (set by stryker.config.mjs from scripts/mutation/groups.mjs) narrows the
// unit tests to the mutated group's own. (Not mergeConfig: it would append to `include`.)
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only && only.length > 0 ? only : (base.test?.include ?? []),
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
  },
});
