import { defineConfig } from 'vitest/config';
import { k6BuildDefines } from './engine/k6-bundle-options.ts';

// The shipped profiles end to end with their shipped (absolute) latency targets, and the
// run-to-run comparisons: one file at a time, after the rest of the suite, so each run
// measures the system under test and not the other test files sharing the machine.
export default defineConfig({
  define: k6BuildDefines(),
  test: {
    include: ['test/profiles/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    exclude: ['node_modules/**', 'dist/**', 'results/**'],
    testTimeout: 120_000,
    hookTimeout: 360_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    env: { BASE_URL: '' },
  },
});
