/** The environment variables through which `with-test-servers` hands server URLs to the suites. */
export const TEST_ENV = {
  redis: 'CAIRN_TEST_REDIS_URL',
  s3: 'CAIRN_TEST_S3_ENDPOINT',
} as const

/**
 * The URL of a shared test server, or an error that says how to get one. Suites call this in a
 * vitest `globalSetup`, so a missing server fails the run instead of skipping tests.
 */
export function testServerUrl(kind: keyof typeof TEST_ENV): string {
  const url = process.env[TEST_ENV[kind]]
  if (!url) {
    throw new Error(
      `${TEST_ENV[kind]} is not set. Run the tests through the repo's runner, which starts redis-server and ` +
        'moto_server on free loopback ports: `pnpm test` at the root, or ' +
        '`node packages/test-servers/dist/with-test-servers.js pnpm --filter <package> test`.',
    )
  }
  return url
}
