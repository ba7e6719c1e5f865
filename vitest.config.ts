import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'bench/out/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // FC_SEED / FC_PATH replay a property test's failure (see the file).
    setupFiles: ['test/helpers/fast-check-replay.ts'],
    // Two cores: database tests share one PGlite/PostgreSQL per file; keep parallelism modest.
    maxWorkers: 2,
  },
});
