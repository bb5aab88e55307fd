/**
 * Cairn's main job: a five-step house-price pipeline, run twice through the compute cache.
 * The first run computes every step; the second finds every step in the store. The store is the
 * embedded default, FsStore in `.cairn/`: run the demo again and every step is a hit from the start.
 *
 *   node dist/main.js [--json] [--root DIR]
 */
import { readFile } from 'node:fs/promises'
import { Cairn, type ResultRef } from '@cairn/core'
import { FsStore } from '@cairn/fs'
import { buildFeatures, cleanHousing, evaluate, fitRidge, parseHousing } from './pipeline.js'

interface StepLine {
  run: number
  step: string
  cached: boolean
  ms: number
  commit: string
  inputs: string[]
}

const args = process.argv.slice(2)
const json = args.includes('--json')
const rootIndex = args.indexOf('--root')
const root = rootIndex >= 0 ? args[rootIndex + 1] : undefined

const store = await FsStore.open({ root: root ?? '.cairn' })
const cairn = new Cairn({ store })
const parse = cairn.task(parseHousing, { name: 'parse' })
const clean = cairn.task(cleanHousing, { name: 'clean' })
const features = cairn.task(buildFeatures, { name: 'features' })
const fitModel = cairn.task(fitRidge, { name: 'fit', version: '1' })
const report = cairn.task(evaluate, { name: 'report' })

// The data file is read outside the cache and passed by content, so editing it re-runs the pipeline.
const csv = await readFile(new URL('../data/housing.csv', import.meta.url), 'utf8')
const lines: StepLine[] = []

async function step<T>(run: number, name: string, call: () => Promise<ResultRef<T>>): Promise<ResultRef<T>> {
  const started = performance.now()
  const ref = await call()
  const ms = performance.now() - started
  const commit = await cairn.show(ref.commit)
  lines.push({ run, step: name, cached: ref.cached, ms, commit: ref.commit, inputs: commit.inputs })
  return ref
}

let summary: Awaited<ReturnType<typeof evaluate>> | undefined
for (const run of [1, 2]) {
  const rows = await step(run, 'parse', () => parse(csv))
  const cleaned = await step(run, 'clean', () => clean(rows))
  const table = await step(run, 'features', () => features(cleaned))
  const model = await step(run, 'fit', () => fitModel(table, 1.0))
  const scores = await step(run, 'report', () => report(model, table))
  summary = await scores.load()
}
const storeName = `FsStore in ${store.root}`
await cairn.close()
await store.close()

if (json) {
  console.log(JSON.stringify({ store: storeName, steps: lines, report: summary }, null, 2))
} else {
  console.log(`Cairn demo — store: ${storeName}\n`)
  console.log('run  step       cached   time (ms)  commit        inputs')
  for (const l of lines) {
    const inputs = l.inputs.map((h) => h.slice(0, 10)).join(', ') || '-'
    console.log(
      `${String(l.run).padEnd(4)} ${l.step.padEnd(10)} ${(l.cached ? 'hit' : 'miss').padEnd(8)} ${l.ms.toFixed(2).padStart(9)}  ${l.commit.slice(0, 12)}  ${inputs}`,
    )
  }
  const second = lines.filter((l) => l.run === 2)
  console.log(`\nsecond run: ${second.filter((l) => l.cached).length}/${second.length} steps from the cache`)
  console.log(`model: R² ${summary?.r2}, RMSE ${summary?.rmse}k; strongest features:`)
  for (const s of summary?.strongest ?? []) console.log(`  ${s.feature.padEnd(16)} ${s.weight}`)
  console.log('\nlineage (each step lists the commits whose outputs it consumed) is in `inputs` above.')
}
