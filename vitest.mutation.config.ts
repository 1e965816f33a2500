import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The test set Stryker runs against each mutant (stryker.config.mjs): the unit tier only.
// Integration (*.int.test.ts: real PostgreSQL/Redis) and e2e (*.e2e.test.ts: the built CLI)
// tests are left out: they need shared services and minutes per run, on 2 shared cores.
// Mutants only those tiers would catch show up as survivors and are named in docs/quality.md.
// MUTATION_TESTS (set by stryker.config.mjs from scripts/mutation/groups.mjs) narrows the
// unit tests to the mutated group's own. (Not mergeConfig: it would append to `include`.)
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);
// An integration test named by its exact path in MUTATION_TESTS (no glob) lifts the exclusion
// of that tier, for a module whose own behaviour needs a service (the decision reader's Redis
// L2). The other entries should then be exact paths too, or globs that match no *.int.test.ts.
const namesIntegration = (only ?? []).some((p) => p.endsWith('.int.test.ts') && !/[*?{[]/.test(p));

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only && only.length > 0 ? only : (base.test?.include ?? []),
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.e2e.test.ts', ...(namesIntegration ? [] : ['**/*.int.test.ts'])],
  },
});
