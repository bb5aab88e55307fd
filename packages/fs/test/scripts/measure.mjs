// One-off measurements of FsStore for the README. Plain JS on the built packages:
//   cd packages/fs && pnpm exec tsc -p tsconfig.build.json && node --expose-gc test/scripts/measure.mjs [commits]
// Prints a JSON report. `commits` (default 100000) is the size of the store whose open is timed.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commitHash, sha256Hex } from '@cairn/core'
import { FsStore } from '../../dist/index.js'

const COMMITS = Number(process.argv[2] ?? 100_000)
const work = mkdtempSync(join(tmpdir(), 'cairn-fs-measure-'))
const report = { node: process.version, commits: COMMITS }

function makeCommit(i, fingerprintCount = COMMITS / 2) {
  const funcHash = sha256Hex(`func ${i % 50}`)
  const argsHash = sha256Hex(`args ${i % fingerprintCount}`)
  const blob = { hash: sha256Hex(`blob ${i}`), size: 1000 + i }
  const body = {
    fingerprint: `${funcHash}:${argsHash}`,
    task: {
      name: `task${i % 50}`,
      funcHash,
      source: `(x) => x * ${i % 50}`,
      argsHash,
      argsPreview: `[${i}]`,
    },
    status: 'completed',
    output: { kind: 'blob', blob, serializer: 'json' },
    inputs: [],
    tags: { run: String(i % 7) },
    createdAt: 1_700_000_000_000 + i,
    durationMs: 3,
  }
  return { hash: commitHash(body), ...body }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const micros = (start) => Number(process.hrtime.bigint() - start) / 1000

async function timeEach(count, op) {
  const times = []
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint()
    await op(i)
    times.push(micros(start))
  }
  return { medianUs: Number(median(times).toFixed(1)), iterations: count }
}

// ---- open with many commits ----
{
  const root = join(work, 'many')
  const store = await FsStore.open({ root })
  const build = process.hrtime.bigint()
  const batch = 1000
  for (let i = 0; i < COMMITS; i += batch) {
    const commits = Array.from({ length: Math.min(batch, COMMITS - i) }, (_, j) => makeCommit(i + j))
    await Promise.all(commits.map((c) => store.putCommit(c))) // one group-committed write per batch
  }
  report.buildMs = Math.round(micros(build) / 1000)
  await store.close()
  report.logBytes = statSync(join(root, 'commits.log')).size
  const opens = []
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint()
    const reopened = await FsStore.open({ root })
    opens.push(micros(start) / 1000)
    await reopened.close()
  }
  report.openMs = { median: Number(median(opens).toFixed(1)), all: opens.map((ms) => Math.round(ms)) }
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const reopened = await FsStore.open({ root })
  globalThis.gc?.()
  report.heapAfterOpenMB = globalThis.gc
    ? Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6)
    : 'run with --expose-gc'
  // First reads validate each commit once per process (assertValidCommit); later reads do not.
  const fingerprints = Array.from({ length: 1000 }, (_, i) => makeCommit(COMMITS - 1 - i).fingerprint)
  report.findByFingerprintFirstUs = (
    await timeEach(1000, (i) => reopened.findByFingerprint(fingerprints[i]))
  ).medianUs
  report.findByFingerprintRepeatUs = (
    await timeEach(1000, (i) => reopened.findByFingerprint(fingerprints[i]))
  ).medianUs
  const probe = makeCommit(COMMITS - 1)
  report.getCommitFullUs = (await timeEach(1000, () => reopened.getCommit(probe.hash))).medianUs
  report.getCommitPrefix8Us = (await timeEach(100, () => reopened.getCommit(probe.hash.slice(0, 8)))).medianUs
  let listed = 0
  const listStart = process.hrtime.bigint()
  for await (const _ of reopened.listCommits()) listed++
  report.listAllCommitsFirstMs = Math.round(micros(listStart) / 1000)
  const listAgain = process.hrtime.bigint()
  for await (const _ of reopened.listCommits()) listed++
  report.listAllCommitsAgainMs = Math.round(micros(listAgain) / 1000)
  report.commitsListed = listed
  await reopened.close()
}

// ---- per-operation costs on a small store ----
{
  const store = await FsStore.open({ root: join(work, 'ops') })
  const kib = (i) => {
    const bytes = new Uint8Array(1024)
    new DataView(bytes.buffer).setUint32(0, i)
    return bytes
  }
  const n = 300
  report.putBlob1KiBNewUs = await timeEach(n, (i) => store.putBlob(kib(i)))
  report.putBlob1KiBExistingUs = await timeEach(n * 5, (i) => store.putBlob(kib(i % n)))
  report.getBlob1KiBUs = await timeEach(n * 5, (i) => store.getBlob(sha256Hex(kib(i % n))))
  report.hasBlobUs = await timeEach(n * 5, (i) => store.hasBlob(sha256Hex(kib(i % n))))
  const commits = Array.from({ length: n }, (_, i) => makeCommit(i, n))
  report.putCommitDurableUs = await timeEach(n, (i) => store.putCommit(commits[i]))
  const parallel = Array.from({ length: 1000 }, (_, i) => makeCommit(10_000 + i, 1000))
  const start = process.hrtime.bigint()
  await Promise.all(parallel.map((c) => store.putCommit(c)))
  report.putCommit1000ParallelMs = Number((micros(start) / 1000).toFixed(1))
  report.setRefDurableUs = await timeEach(n, (i) => store.setRef('bench/ref', `v${i}`))
  report.setRefCasDurableUs = await timeEach(n, (i) =>
    store.setRef('bench/cas', `v${i}`, i ? `v${i - 1}` : null),
  )
  report.setRefLeaseUs = await timeEach(n, (i) => store.setRef('leases/bench', `v${i}`))
  report.getRefUs = await timeEach(n * 5, () => store.getRef('bench/ref'))
  await store.close()
}

// ---- raw baselines on the same disk: what a durable 1 KiB file costs without FsStore ----
{
  const dir = join(work, 'raw')
  mkdirSync(dir)
  const bytes = new Uint8Array(1024)
  const durableWrite = async (i, syncDirectory) => {
    const temp = join(dir, `t${i}`)
    const handle = await open(temp, 'wx')
    await handle.writeFile(bytes)
    await handle.datasync()
    await handle.close()
    await rename(temp, join(dir, `f${i}`))
    if (syncDirectory) {
      const d = await open(dir, 'r')
      await d.sync()
      await d.close()
    }
  }
  report.rawWriteFdatasyncRenameUs = await timeEach(300, (i) => durableWrite(i, false))
  report.rawWriteFdatasyncRenameDirSyncUs = await timeEach(300, (i) => durableWrite(1000 + i, true))
}

rmSync(work, { recursive: true, force: true })
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
