import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { combineRuns, type Row, type RunRecord, type Spread } from './runs.js'

/** What `bench-results/<suite>.json` holds (documented in apps/bench/README.md). */
export interface SuiteResults {
  suite: string
  node: string
  cpus: number
  quick: boolean
  repeat: number
  date: string
  rows: Row[]
  runs: RunRecord[]
}

function figure(value: number, unit: Row['unit']): string {
  return value.toFixed(unit === 'bytes' ? 0 : 1)
}

function range(s: Spread | undefined, format: (n: number) => string): string {
  return s === undefined ? '' : `${format(s.min)}–${format(s.max)}`
}

function loads(values: number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ')
}

function time(iso: string): string {
  return iso.slice(11, 19)
}

function printTable(results: SuiteResults): void {
  const ratio = (n: number) => `${n.toFixed(2)}×`
  const rows = results.rows.map((r) => {
    const value = (n: number) => figure(n, r.unit)
    return [
      r.group,
      r.name,
      `${value(r.median.median)} ${r.unit}`,
      range(r.median, value),
      r.mean === undefined ? '' : value(r.mean.median),
      r.p99 === undefined ? '' : value(r.p99.median),
      r.ratio === undefined ? '' : ratio(r.ratio.median),
      range(r.ratio, ratio),
      r.target ?? '',
      r.note ?? '',
    ]
  })
  const header = [
    'group',
    'benchmark',
    'median',
    'min–max',
    'mean',
    'p99',
    'vs baseline',
    'min–max',
    'target',
    'note',
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  console.log(`\n## ${results.suite}\n`)
  console.log(
    `Node ${results.node}, ${results.cpus} CPUs, ${results.repeat} run${results.repeat === 1 ? '' : 's'}` +
      `${results.quick ? ' (quick)' : ''}, ${results.date.slice(0, 10)}; load average (1, 5, 15 min) per run:`,
  )
  results.runs.forEach((run, i) => {
    console.log(
      `- run ${i + 1}: ${time(run.startedAt)}–${time(run.endedAt)} UTC, load ${loads(run.loadStart)} → ${loads(run.loadEnd)}`,
    )
  })
  console.log('')
  console.log(line(header))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(r))
  console.log(
    "\nmedian: the median across runs of each run's median per call (min–max: the lowest and highest run); mean, p99: per call, the median across runs; vs baseline: the ratio within each run, median across runs (min–max).",
  )
}

/** Prints the runs of `suite` as one table and writes them to `bench-results/<suite>.json`. */
export function publish(suite: string, runs: RunRecord[], quick: boolean): void {
  const results: SuiteResults = {
    suite,
    node: process.version,
    cpus: availableParallelism(),
    quick,
    repeat: runs.length,
    date: new Date().toISOString(),
    rows: combineRuns(runs),
    runs,
  }
  printTable(results)
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), 'bench-results')
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, `${suite}.json`)
  writeFileSync(out, JSON.stringify(results, null, 2))
  console.log(`\nwrote ${out}`)
}
