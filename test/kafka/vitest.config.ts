import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * The suites that need a real broker (scripts/kafka/test-kafka.sh starts one). Compaction on a
 * broker takes seconds and the contract allows it 60, so the timeouts are generous; files run one
 * after another because they share the broker. It lives here rather than at the root so that the
 * root tsconfig (and with it the type-aware lint) covers it.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/kafka/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
