import { defineConfig } from 'vitest/config';
import { k6BuildDefines } from './engine/k6-bundle-options.ts';

// Integration tests talk to real PostgreSQL and Redis; each file uses its own
// database and key prefix (see test/helpers), so files may run in parallel.
export default defineConfig({
  // Build-time constants of the k6 scenarios' helpers, as their bundles get them.
  define: k6BuildDefines(),
  test: {
    include: ['**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // test/profiles/ runs after the rest, alone (vitest.profiles.config.ts).
    exclude: ['node_modules/**', 'dist/**', 'results/**', 'test/profiles/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Vite sets BASE_URL='/' for its own use; the suite reads BASE_URL as the target's
    // address, so tests start without it (a test that needs it sets it explicitly).
    env: { BASE_URL: '' },
  },
});
