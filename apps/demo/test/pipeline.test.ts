import { readFileSync } from 'node:fs'
import { Cairn, MemoryStore } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { buildFeatures, cleanHousing, evaluate, fitRidge, parseHousing } from '../src/pipeline.js'

const csv = readFileSync(new URL('../data/housing.csv', import.meta.url), 'utf8')

async function runPipeline(cairn: Cairn, text: string) {
  const parse = cairn.task(parseHousing, { name: 'parse', strict: true })
  const clean = cairn.task(cleanHousing, { name: 'clean', strict: true })
  const features = cairn.task(buildFeatures, { name: 'features', strict: true })
  const fitModel = cairn.task(fitRidge, { name: 'fit', strict: true })
  const report = cairn.task(evaluate, { name: 'report', strict: true })
  const rows = await parse(text)
  const cleaned = await clean(rows)
  const table = await features(cleaned)
  const model = await fitModel(table, 1.0)
  const scores = await report(model, table)
  return { refs: [rows, cleaned, table, model, scores], scores: await scores.load() }
}

describe('the demo pipeline', () => {
  it('cleans the shipped data and fits a model that explains most of the price', () => {
    const houses = parseHousing(csv)
    expect(houses).toHaveLength(600)
    const { kept, dropped } = cleanHousing(houses)
    expect(dropped).toBeGreaterThan(10)
    expect(kept.every((h) => h.area !== null && h.price !== null && (h.distance ?? -1) >= 0)).toBe(true)
    const table = buildFeatures({ kept })
    expect(table.names).toEqual([
      'rooms',
      'area',
      'age',
      'distance',
      'district=east',
      'district=north',
      'district=south',
      'district=west',
    ])
    const scores = evaluate(fitRidge(table, 1), table)
    expect(scores.r2).toBeGreaterThan(0.8)
    expect(scores.strongest[0]?.feature).toBe('area')
  })

  it('computes every step once, then serves the second run entirely from the cache', async () => {
    const cairn = new Cairn({ store: new MemoryStore() })
    const first = await runPipeline(cairn, csv)
    const second = await runPipeline(cairn, csv)
    expect(first.refs.map((r) => r.cached)).toEqual([false, false, false, false, false])
    expect(second.refs.map((r) => r.cached)).toEqual([true, true, true, true, true])
    expect(second.scores).toEqual(first.scores)
    const report = await cairn.show(second.refs[4]!.commit)
    expect(report.inputs).toEqual([second.refs[3]!.commit, second.refs[2]!.commit])
  })

  it('re-runs only what a data change reaches', async () => {
    const cairn = new Cairn({ store: new MemoryStore() })
    await runPipeline(cairn, csv)
    // 'n/a' and 'unknown' both parse to a missing price: parse re-runs on the new text, but its output
    // has the same content, so every later step (keyed by content, not by call) is a hit.
    expect(csv).toContain(',n/a')
    const edited = await runPipeline(cairn, csv.replace(',n/a', ',unknown'))
    expect(edited.refs.map((r) => r.cached)).toEqual([false, true, true, true, true])
    // A real change reaches every step.
    const changed = await runPipeline(cairn, csv.replace(/\n([a-z]+),(\d),/, '\n$1,9,'))
    expect(changed.refs.map((r) => r.cached)).toEqual([false, false, false, false, false])
  })
})
