import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** The suites that drive a real headless browser (Debian's chromium): `npm run test:browser`. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
