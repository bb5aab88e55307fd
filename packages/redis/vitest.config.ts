import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Fails the run (never skips) when the test server's URL is missing: see test/global-setup.ts.
    globalSetup: ['./test/global-setup.ts'],
  },
})
