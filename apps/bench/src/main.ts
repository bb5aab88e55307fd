/**
 * `pnpm bench [-- --quick] [-- --repeat=N] [-- --only=fs,serializers,msgpack-contract,stores,stream-result]`: runs
 * each suite N times (default 3), each run in its own process (so one run's heap and JIT state do not
 * colour the next), then prints the runs of a suite as one table with min/median/max across them and
 * the load average around each run; stops at the first run that fails.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publish } from './publish.js'
import { RUN_FILE_ENV } from './report.js'
import type { RunRecord } from './runs.js'

const suites = ['fs', 'serializers', 'msgpack-contract', 'stores', 'stream-result']
const option = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(`--${name}=`.length)
const only = option('only')?.split(',')
const repeatText = option('repeat') ?? '3'
const repeat = Number(repeatText)
if (!Number.isInteger(repeat) || repeat < 1)
  throw new Error(`--repeat=${repeatText}: expected a whole number ≥ 1`)
const quick = process.argv.includes('--quick')
const passOn = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--only=') && !arg.startsWith('--repeat='))
for (const suite of only ?? suites) {
  if (!suites.includes(suite)) throw new Error(`unknown suite ${suite}; known: ${suites.join(', ')}`)
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-runs-'))
try {
  for (const suite of only ?? suites) {
    const file = fileURLToPath(new URL(`./${suite}.js`, import.meta.url))
    const runs: RunRecord[] = []
    for (let run = 1; run <= repeat; run++) {
      process.stderr.write(`bench: ${suite}, run ${run} of ${repeat}\n`)
      const runFile = join(dir, `${suite}-${run}.json`)
      execFileSync(process.execPath, [file, ...passOn], {
        stdio: 'inherit',
        env: { ...process.env, [RUN_FILE_ENV]: runFile },
      })
      // A suite that does not report through report() (stream-result measures whole processes)
      // prints and writes its own results: run it once and publish nothing for it.
      if (!existsSync(runFile)) break
      runs.push(JSON.parse(readFileSync(runFile, 'utf8')) as RunRecord)
    }
    if (runs.length > 0) publish(suite, runs, quick)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
