import { defineConfig } from 'vitest/config';

// Test tiers by suffix (STYLE.md §13): *.test.ts unit, *.int.test.ts real PostgreSQL/Redis,
// *.e2e.test.ts the built CLI/server as a process. Integration tests never skip: a missing
// service is a failure.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
