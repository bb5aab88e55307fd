/**
 * The server-backed stores against their bare clients doing the minimal equivalent in the same run:
 * hit latency, small put latency, 64 MiB put/get throughput. Each benchmark starts its own server
 * (redis-server, moto_server) on a free loopback port and stops it afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Sample } from './measure.js'
import { report } from './report.js'
import type { StoreBenchContext } from './stores/context.js'
import { benchRedisStore } from './stores/redis.js'
import { benchS3Store } from './stores/s3.js'
import { benchSqliteStore } from './stores/sqlite.js'

const quick = process.argv.includes('--quick')
const samples: Sample[] = []
for (const [name, bench] of [
  ['sqlite', benchSqliteStore],
  ['redis', benchRedisStore],
  ['s3', benchS3Store],
] as const) {
  const work = mkdtempSync(join(tmpdir(), `cairn-bench-${name}-`))
  const context: StoreBenchContext = {
    quick,
    work,
    n: (count) => Math.max(3, Math.round(count * (quick ? 0.2 : 1))),
    log: (message) => process.stderr.write(`bench ${name}: ${message}\n`),
  }
  try {
    samples.push(...(await bench(context)))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
report('stores', samples, quick)
