/**
 * `pnpm bench -- --only=stream-result [--quick]`: peak RSS growth while a task streams a 1 GiB result
 * into FsStore, and while a cache hit streams it back (target ≤ 64 MiB each). Each phase runs in its
 * own child process, which reports its baseline RSS and its peak (`VmHWM` from /proc/self/status, or
 * `process.memoryUsage.rss()` sampled every 5 ms where there is no /proc). Self-contained: it prints
 * its own table and writes `bench-results/stream-result.json`.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn } from '@cairn/core'
import { FsStore } from '@cairn/fs'

const MiB = 1024 * 1024
const TARGET_MIB = 64

/** The task: `size` bytes in 1 MiB chunks, made as they are pulled (never all in memory). */
function bigResult(size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
      yield new Uint8Array(Math.min(MiB, size - offset)).fill(i & 0xff)
    }
  })()
}

interface PhaseResult {
  phase: 'write' | 'read'
  bytes: number
  cached: boolean
  baselineRss: number
  peakRss: number
  seconds: number
  peakSource: 'VmHWM' | 'sampled rss'
}

function vmHwmBytes(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** Child: one phase on the store in `root`; prints a PhaseResult as JSON. */
async function child(phase: 'write' | 'read', root: string, size: number): Promise<void> {
  const store = await FsStore.open({ root })
  const cairn = new Cairn({ store, onWarning: () => {} })
  globalThis.gc?.()
  const baselineRss = process.memoryUsage.rss()
  let sampledPeak = baselineRss
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
  }, 5)
  const started = performance.now()
  const ref = await cairn.run((n: number) => bigResult(n), [size], {
    name: 'big-result',
    deps: { bigResult, MiB },
  })
  let bytes = ref.size
  if (phase === 'read') {
    bytes = 0
    for await (const chunk of ref.stream()) bytes += chunk.byteLength
  }
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const hwm = vmHwmBytes()
  await cairn.close()
  await store.close()
  const result: PhaseResult = {
    phase,
    bytes,
    cached: ref.cached,
    baselineRss,
    peakRss: hwm ?? Math.max(sampledPeak, process.memoryUsage.rss()),
    seconds,
    peakSource: hwm === undefined ? 'sampled rss' : 'VmHWM',
  }
  process.stdout.write(JSON.stringify(result))
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const size = (quick ? 256 : 1024) * MiB
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-stream-'))
  const self = fileURLToPath(import.meta.url)
  try {
    const run = (phase: 'write' | 'read'): PhaseResult =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', self, '--child', phase, root, String(size)], {
          encoding: 'utf8',
          maxBuffer: MiB,
        }),
      ) as PhaseResult
    const results = [run('write'), run('read')]
    const rows = results.map((r) => {
      const growthMiB = (r.peakRss - r.baselineRss) / MiB
      const ok = r.bytes === size && r.cached === (r.phase === 'read') && growthMiB <= TARGET_MIB
      return {
        benchmark: `${r.phase === 'write' ? 'task streams into FsStore' : 'hit streams out of FsStore'} (${size / MiB} MiB)`,
        growthMiB,
        throughput: `${(r.bytes / MiB / r.seconds).toFixed(0)} MiB/s`,
        target: `≤ ${TARGET_MIB} MiB`,
        met: ok ? 'yes' : 'NO',
        note: `peak from ${r.peakSource}; ${r.cached ? 'hit' : 'computed'}`,
      }
    })
    console.log('\n## stream-result\n')
    console.log('| benchmark | peak RSS growth | throughput | target | met | note |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    for (const r of rows) {
      console.log(
        `| ${r.benchmark} | ${r.growthMiB.toFixed(1)} MiB | ${r.throughput} | ${r.target} | ${r.met} | ${r.note} |`,
      )
    }
    const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), 'bench-results')
    await mkdir(outDir, { recursive: true })
    await writeFile(
      join(outDir, 'stream-result.json'),
      JSON.stringify(
        {
          suite: 'stream-result',
          node: process.version,
          cpus: availableParallelism(),
          quick,
          date: new Date().toISOString(),
          results,
          rows,
        },
        null,
        2,
      ),
    )
    if (rows.some((r) => r.met !== 'yes')) process.exitCode = 1
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

const childAt = process.argv.indexOf('--child')
if (childAt >= 0) {
  const [phase, root, size] = process.argv.slice(childAt + 1)
  await child(phase as 'write' | 'read', root as string, Number(size))
} else {
  await main()
}
