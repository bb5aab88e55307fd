import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import type { Sample } from './measure.js'

/** Prints `samples` as a markdown table and writes them to `bench-results/<suite>.json`. */
export function report(suite: string, samples: Sample[], quick: boolean): void {
  const rows = samples.map((s) => [
    s.group,
    s.name,
    `${s.median.toFixed(s.unit === 'bytes' ? 0 : 1)} ${s.unit}`,
    s.p95 === undefined ? '' : `${s.p95.toFixed(1)}`,
    s.ratio === undefined ? '' : `${s.ratio.toFixed(2)}×`,
    s.target ?? '',
    s.note ?? '',
  ])
  const header = ['group', 'benchmark', 'median', 'p95', 'vs baseline', 'target', 'note']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  console.log(`\n## ${suite}\n`)
  console.log(line(header))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(r))
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), 'bench-results')
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, `${suite}.json`)
  writeFileSync(
    out,
    JSON.stringify(
      {
        suite,
        node: process.version,
        cpus: availableParallelism(),
        quick,
        date: new Date().toISOString(),
        samples,
      },
      null,
      2,
    ),
  )
  console.log(`\nwrote ${out}`)
}
