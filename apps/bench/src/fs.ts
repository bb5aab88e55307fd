/**
 * `pnpm bench`: the compute cache on FsStore against raw baselines (fs write + fdatasync + rename,
 * readFile, node:crypto), printed as a table and written to bench-results/fs.json.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn } from '@cairn/core'
import { FsStore } from '@cairn/fs'
import { rawReadTimes, rawWriteTimes, sha256Rate } from './baselines.js'
import { median, type Sample, summarize, timeOps } from './measure.js'
import { report } from './report.js'

const quick = process.argv.includes('--quick')
const scale = quick ? 0.2 : 1
const n = (count: number) => Math.max(3, Math.round(count * scale))
const work = mkdtempSync(join(tmpdir(), 'cairn-bench-'))
const samples: Sample[] = []
const MiB = 1024 * 1024

async function freshCairn(name: string, options: { leases?: boolean } = {}) {
  const store = await FsStore.open({ root: join(work, name) })
  return { store, cairn: new Cairn({ store, ...options }) }
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

// ---- raw baselines ----
log('raw baselines')
const raw1k = median(await rawWriteTimes(join(work, 'raw'), 1024, n(200)))
samples.push(
  summarize(
    'baseline',
    'raw durable write 1 KiB (write+fdatasync+rename)',
    await rawWriteTimes(join(work, 'raw'), 1024, n(200)),
  ),
)
samples.push(
  summarize('baseline', 'raw readFile 1 KiB', await rawReadTimes(join(work, 'raw'), 1024, n(2000))),
)
const sha = sha256Rate(64 * MiB)
samples.push({
  group: 'baseline',
  name: 'node:crypto sha256 64 MiB',
  unit: 'MB/s',
  median: sha,
  iterations: 1,
})

// ---- hits ----
log('hits')
{
  const { cairn, store } = await freshCairn('hits')
  const small = (x: number) => ({ x, doubled: x * 2, label: 'small result' })
  const scalar = (x: number) => x * 2
  await cairn.submit(small, 1)
  await cairn.submit(scalar, 1)
  samples.push(
    summarize(
      'hit',
      'warm hit: submit (small object result, blob)',
      await timeOps(n(5000), () => cairn.submit(small, 1)),
      {
        target: '—',
      },
    ),
  )
  samples.push(
    summarize(
      'hit',
      'warm hit: submit (scalar result, inline)',
      await timeOps(n(5000), () => cairn.submit(scalar, 1)),
    ),
  )
  const loadTimes = await timeOps(n(5000), async () => (await cairn.submit(small, 1)).load())
  samples.push(summarize('hit', 'warm hit + load (small object result)', loadTimes, { target: '≤ 60 µs' }))
  const scalarLoad = await timeOps(n(5000), async () => (await cairn.submit(scalar, 1)).load())
  samples.push(summarize('hit', 'warm hit + load (scalar result)', scalarLoad, { target: '≤ 60 µs' }))
  await store.close()
}

// ---- misses ----
log('misses')
for (const leases of [true, false]) {
  const { cairn, store } = await freshCairn(`miss-${leases}`, { leases })
  const trivial = (x: number) => x + 1
  const times = await timeOps(n(300), (i) => cairn.submit(trivial, i + 10_000))
  samples.push(
    summarize('miss', `durable miss, trivial function (leases ${leases ? 'on: default' : 'off'})`, times, {
      baseline: 'raw durable write 1 KiB',
      ratio: median(times) / raw1k,
      target: '≤ 1.2× raw',
    }),
  )
  await store.close()
}

// ---- a 3-step chain ----
log('chain')
{
  const { cairn, store } = await freshCairn('chain')
  const load = cairn.task((seed: number) => Array.from({ length: 50 }, (_, i) => seed + i), { name: 'load' })
  const clean = cairn.task((xs: number[]) => xs.filter((x) => x % 3 !== 0), { name: 'clean' })
  const total = cairn.task((xs: number[]) => xs.reduce((s, x) => s + x, 0), { name: 'total' })
  const chain = async (seed: number) => (await total(await clean(await load(seed)))).load()
  samples.push(
    summarize('chain', '3-step chain, all misses', await timeOps(n(100), (i) => chain(i + 1_000_000), 2)),
  )
  samples.push(
    summarize('chain', '3-step chain, all hits', await timeOps(n(2000), () => chain(1_000_000), 2)),
  )
  await store.close()
}

// ---- large results ----
for (const size of [MiB, 64 * MiB]) {
  const label = size === MiB ? '1 MiB' : '64 MiB'
  log(`${label} results`)
  const iterations = size === MiB ? n(20) : quick ? 1 : 3
  const { cairn, store } = await freshCairn(`large-${size}`, { leases: false })
  const make = (tag: number, length: number) => `${tag}`.padEnd(length, 'x')
  const refs: Awaited<ReturnType<typeof cairn.submit>>[] = []
  const writes = await timeOps(
    iterations,
    async (i) => {
      refs.push(await cairn.submit(make, i + 100, size - 2))
    },
    1,
  )
  const loads = await timeOps(iterations, (i) => refs[Math.max(0, i) % refs.length]?.load(), 1)
  const rawWrite = median(await rawWriteTimes(join(work, 'raw-large'), size, iterations))
  const rawRead = median(await rawReadTimes(join(work, 'raw-large'), size, iterations))
  samples.push(
    summarize('large', `${label} result: write (miss, serialize + verify + durable)`, writes, {
      baseline: `raw durable write ${label}`,
      ratio: rawWrite / median(writes),
      target: '≥ 0.7× raw throughput',
    }),
  )
  samples.push(
    summarize('large', `${label} result: load (read + verify + decode)`, loads, {
      baseline: `raw readFile ${label}`,
      ratio: rawRead / median(loads),
      target: '≥ 0.7× raw throughput',
    }),
  )
  await store.close()
}

// ---- the store itself: 64 MiB of bytes, verified, against raw fs ----
log('64 MiB blobs through FsStore')
{
  const store = await FsStore.open({ root: join(work, 'blobs') })
  const iterations = quick ? 1 : 3
  const blobs = Array.from({ length: iterations + 1 }, (_, i) => {
    const bytes = new Uint8Array(64 * MiB)
    new DataView(bytes.buffer).setUint32(0, i)
    return bytes
  })
  const hashes: string[] = []
  const puts = await timeOps(
    iterations,
    async (i) => hashes.push((await store.putBlob(blobs[Math.max(0, i + 1)] as Uint8Array)).hash),
    1,
  )
  const gets = await timeOps(
    iterations,
    (i) => store.getBlob(hashes[Math.max(0, i) % hashes.length] as string),
    1,
  )
  const streams = await timeOps(
    iterations,
    async (i) => {
      for await (const _ of store.openBlob(hashes[Math.max(0, i) % hashes.length] as string)) {
        // drain
      }
    },
    1,
  )
  const rawWrite = median(await rawWriteTimes(join(work, 'raw-blob'), 64 * MiB, iterations))
  const rawRead = median(await rawReadTimes(join(work, 'raw-blob'), 64 * MiB, iterations))
  const rate = (micros: number[]) => `${(64 / (median(micros) / 1e6)).toFixed(0)} MB/s`
  const rows: [string, number[], string, number][] = [
    ['FsStore putBlob 64 MiB (hash + durable write)', puts, 'raw durable write 64 MiB', rawWrite],
    ['FsStore getBlob 64 MiB (read + verify)', gets, 'raw readFile 64 MiB', rawRead],
    ['FsStore openBlob 64 MiB (streamed, verified)', streams, 'raw readFile 64 MiB', rawRead],
  ]
  for (const [name, micros, baseline, raw] of rows) {
    samples.push(
      summarize('store', name, micros, {
        baseline,
        ratio: raw / median(micros),
        target: '≥ 0.7× raw throughput',
        note: rate(micros),
      }),
    )
  }
  await store.close()
}

// ---- gc and eviction ----
async function storeWithCommits(name: string, count: number, blobs: boolean) {
  const store = await FsStore.open({ root: join(work, name) })
  let clock = 0
  const cairn = new Cairn({ store, leases: false, now: () => ++clock })
  const make: (i: number) => unknown = blobs ? (i) => `${i}`.padEnd(2000, 'b') : (i) => i * 2
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => cairn.submit(make, i + j)))
  }
  return { cairn, store, clock: () => clock }
}

log('gc of 10k commits (setup writes 10k durable commits)')
{
  const { cairn, store, clock } = await storeWithCommits('gc', n(10_000), false)
  const bytes = statSync(join(store.root, 'commits.log')).size
  const start = process.hrtime.bigint()
  const report = await cairn.gc({ olderThan: Math.floor(clock() / 2) })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  samples.push({
    group: 'gc',
    name: `gc of ${n(10_000)} commits (drops ${report.commitsRemoved.length})`,
    unit: 'ms',
    median: ms,
    iterations: 1,
    target: '≤ 150 ms',
  })
  await store.close()
  samples.push({
    group: 'disk',
    name: 'bytes on disk per small commit (commit log, inline scalar result)',
    unit: 'bytes',
    median: bytes / n(10_000),
    iterations: 1,
    target: '≤ 700 bytes',
    note: 'commit log size / commits, before gc',
  })
}

log('evict to half size at two store sizes (setup writes durable blobs)')
for (const count of [n(1000), n(4000)]) {
  const { cairn, store } = await storeWithCommits(`evict-${count}`, count, true)
  const { blobBytes } = await store.stats()
  const start = process.hrtime.bigint()
  const report = await cairn.gc({ maxBytes: blobBytes / 2 })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  samples.push({
    group: 'gc',
    name: `evict to half size, ${count} commits (drops ${report.commitsRemoved.length})`,
    unit: 'ms',
    median: ms,
    iterations: 1,
    note: `${((ms * 1000) / count).toFixed(1)} µs per commit`,
    target: 'linear in commits',
  })
  await store.close()
}

// ---- opening a big store ----
log('open a store with 100k commits')
{
  const count = n(100_000)
  const root = join(work, 'open-100k')
  const store = await FsStore.open({ root })
  let clock = 0
  const cairn = new Cairn({ store, leases: false, now: () => ++clock })
  const inc = (x: number) => x + 1
  // Concurrent misses share fdatasyncs (group commit), so this setup takes seconds, not minutes.
  for (let i = 0; i < count; i += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, count - i) }, (_, j) => cairn.submit(inc, i + j)))
  }
  await store.close()
  const opens = await timeOps(quick ? 1 : 3, async () => (await FsStore.open({ root })).close(), 0)
  const reopened = await FsStore.open({ root })
  const probe = await new Cairn({ store: reopened }).submit(inc, count - 1)
  if (!probe.cached) throw new Error('expected a hit after reopening')
  await reopened.close()
  samples.push({
    group: 'open',
    name: `FsStore.open with ${count} commits (${(statSync(join(root, 'commits.log')).size / MiB).toFixed(0)} MiB log)`,
    unit: 'ms',
    median: median(opens) / 1000,
    iterations: opens.length,
    note: 'then findByFingerprint is a Map lookup',
  })
}

// ---- a new process's first hit ----
log('fresh-process first hit')
{
  const root = join(work, 'first-hit')
  const store = await FsStore.open({ root })
  await new Cairn({ store }).submit((x: number) => ({ x, doubled: x * 2 }), 1)
  await store.close()
  const child = fileURLToPath(new URL('./first-hit.js', import.meta.url))
  const runs = []
  const walls = []
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const start = process.hrtime.bigint()
    runs.push(JSON.parse(execFileSync(process.execPath, [child, root], { encoding: 'utf8' })))
    walls.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  if (!runs.every((r) => r.cached)) throw new Error('fresh-process run was not a hit')
  samples.push({
    group: 'process',
    name: 'fresh process: open store + first hit + load',
    unit: 'ms',
    median: median(runs.map((r) => r.openMs + r.hitMs)),
    iterations: runs.length,
    note: `imports ${median(runs.map((r) => r.importMs)).toFixed(1)} ms; whole process ${median(walls).toFixed(0)} ms`,
  })
}

// ---- report ----
report('fs', samples, quick)
rmSync(work, { recursive: true, force: true })
