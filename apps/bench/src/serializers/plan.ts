/**
 * Runs one dataset: checks every codec round-trips it, races the encoders against each other, then
 * the decoders, and turns the times into table rows.
 */
import type { Sample } from '../measure.js'
import type { Codec } from './codecs.js'
import { type Contender, median, type RaceOptions, type RaceTimes, race, speedRatio } from './race.js'

export interface PlanEntry {
  /** Codec id used by the comparisons (`msgpack`, `msgpackr` ...). */
  id: string
  codec: Codec
  /** The values encoded, one per call, cycling (one value: the same value every call). */
  inputs: unknown[]
  /** Whether `decoded` equals `input` in every way this codec promises. */
  check: (input: unknown, decoded: unknown) => boolean
}

export interface Plan {
  group: string
  /** Short name for `--datasets=` (records, records-batch, floats, graph). */
  key: string
  /** One small value per call: rows are headed by values/s (else by MB/s). */
  perValue: boolean
  about: string
  entries: PlanEntry[]
  /** Comparisons for this dataset only, replacing the common ones with the same `ours`. */
  comparisons?: Comparison[]
  /** Collect garbage at the start of every round (for large values; see race.ts). */
  collectEachRound?: boolean
  /** Entries that must write exactly the same bytes (checked before timing). */
  sameBytes?: [string, string][]
}

export interface Baseline {
  id: string
  /** The speed ratio against this baseline (> 1: ours is faster) that meets the target. */
  min?: number
  /** The target needs a ratio above `min`, not just equal. */
  above?: boolean
  /** Only for this direction (default: both). */
  direction?: 'encode' | 'decode'
}

export interface Comparison {
  ours: string
  /** The first baseline's ratio is the table's "vs baseline"; the others are in the note. */
  against: Baseline[]
  targetText?: string
}

/** A table row with the figures behind it, all written to the JSON file. */
export interface SerializerSample extends Sample {
  codec: string
  direction: 'encode' | 'decode'
  valuesPerSecond: number
  mbPerSecond: number
  /** Encoded bytes per call (the mean over the inputs). */
  bytes: number
  microsPerValue: number
  /** Speed ratio against every baseline of the comparison (> 1: faster). */
  ratios?: Record<string, number>
  targetMet?: boolean
}

/** A stable copy of an encoding, of the same class (msgpackr returns views into a slab it reuses). */
function keep(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? Buffer.from(bytes) : new Uint8Array(bytes)
}

function encodings(entry: PlanEntry): Uint8Array[] {
  return entry.inputs.map((input) => {
    const bytes = keep(entry.codec.encode(input))
    if (!entry.check(input, entry.codec.decode(bytes))) {
      throw new Error(`${entry.codec.name} does not round-trip the benchmark data`)
    }
    return bytes
  })
}

function fmt(n: number): string {
  if (n >= 100) return n.toFixed(0)
  if (n >= 10) return n.toFixed(1)
  return n.toPrecision(2)
}

function rows(
  plan: Plan,
  direction: 'encode' | 'decode',
  times: RaceTimes,
  sizes: Map<string, number>,
  comparisons: readonly Comparison[],
  notes: Record<string, string>,
): SerializerSample[] {
  return plan.entries.map((entry) => {
    const perCall = times.get(entry.id) as number[]
    const micros = median(perCall)
    const bytes = sizes.get(entry.id) as number
    const valuesPerSecond = 1e6 / micros
    const mbPerSecond = bytes / micros
    const sample: SerializerSample = {
      group: plan.group,
      name: `${entry.codec.name} ${direction}`,
      unit: plan.perValue ? 'values/s' : 'MB/s',
      median: plan.perValue ? valuesPerSecond : mbPerSecond,
      iterations: perCall.length,
      codec: entry.id,
      direction,
      valuesPerSecond,
      mbPerSecond,
      bytes,
      microsPerValue: micros,
    }
    const noteParts = [
      plan.perValue ? `${fmt(mbPerSecond)} MB/s` : `${fmt(valuesPerSecond)} values/s`,
      `${fmt(micros)} µs`,
      `${bytes >= 1e5 ? `${(bytes / 1e6).toFixed(2)} MB` : `${bytes.toFixed(0)} B`}`,
    ]
    const comparison =
      plan.comparisons?.find((c) => c.ours === entry.id) ?? comparisons.find((c) => c.ours === entry.id)
    const against =
      comparison?.against.filter((b) => times.has(b.id) && (b.direction ?? direction) === direction) ?? []
    if (comparison && against.length > 0) {
      let met: boolean | undefined
      sample.ratios = {}
      for (const [k, { id, min, above }] of against.entries()) {
        const ratio = speedRatio(perCall, times.get(id) as number[])
        sample.ratios[id] = ratio
        const baseline = (plan.entries.find((e) => e.id === id) as PlanEntry).codec.name
        if (k === 0) {
          sample.baseline = baseline
          sample.ratio = ratio
        } else noteParts.push(`${ratio.toFixed(2)}× ${baseline}`)
        if (min !== undefined) met = (met ?? true) && (above ? ratio > min : ratio >= min)
      }
      if (met !== undefined) {
        sample.targetMet = met
        sample.target = `${comparison.targetText} ${met ? '✓' : '✗'}`
      }
    }
    const extra = notes[entry.id]
    if (extra) noteParts.push(extra)
    sample.note = noteParts.join(' · ')
    return sample
  })
}

export interface DatasetOptions extends RaceOptions {
  /** Decode the same input objects over and over (`--reuse-inputs`), rather than a new view each call. */
  reuseInputs?: boolean
}

export function measureDataset(
  plan: Plan,
  comparisons: readonly Comparison[],
  options: DatasetOptions,
  notes: Record<string, string> = {},
): SerializerSample[] {
  const encoded = new Map(plan.entries.map((entry) => [entry.id, encodings(entry)]))
  for (const [a, b] of plan.sameBytes ?? []) {
    const x = encoded.get(a) as Uint8Array[]
    const y = encoded.get(b) as Uint8Array[]
    if (x.some((bytes, i) => !Buffer.from(bytes).equals(Buffer.from(y[i] as Uint8Array)))) {
      throw new Error(`${plan.group}: ${a} and ${b} do not write the same bytes`)
    }
  }
  const sizes = new Map(
    [...encoded].map(([id, list]) => [id, list.reduce((sum, b) => sum + b.byteLength, 0) / list.length]),
  )
  const encoders: Contender[] = plan.entries.map(({ id, codec, inputs }) => {
    const count = inputs.length
    const encode = codec.encode
    return { id, op: (i: number) => encode(inputs[i % count]) }
  })
  const decoders: Contender[] = plan.entries.map(({ id, codec }) => {
    const list = encoded.get(id) as Uint8Array[]
    const count = list.length
    const decode = codec.decode
    if (options.reuseInputs) return { id, op: (i: number) => decode(list[i % count] as Uint8Array) }
    // Each call decodes a new Uint8Array object (a view of the same bytes, made in the timed call
    // for every codec alike), as in real use, where bytes just read from a store are decoded once.
    // Decoding the same objects again and again flatters msgpackr: it stores a DataView on its input
    // (`input.dataView`) and reuses it when that object comes back.
    return { id, op: (i: number) => decode((list[i % count] as Uint8Array).subarray(0)) }
  })
  const raceOptions = { ...options, collectEachRound: plan.collectEachRound }
  const encodeTimes = race(encoders, raceOptions)
  const decodeTimes = race(decoders, raceOptions)
  return [
    ...rows(plan, 'encode', encodeTimes, sizes, comparisons, notes),
    ...rows(plan, 'decode', decodeTimes, sizes, comparisons, notes),
  ]
}
