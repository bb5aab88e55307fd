/**
 * One run of a suite (one process) and the rows of several runs together: for every row, the
 * min/median/max across runs of its per-run median, mean, p99 and ratio (each ratio taken within its
 * own run, against a baseline measured in that same run).
 */
import { median, type Sample } from './measure.js'

/** What one run of a suite records: its rows and the machine's load around it. */
export interface RunRecord {
  startedAt: string
  endedAt: string
  /** `os.loadavg()` (1, 5, 15 minutes) when the run's process started and when it reported. */
  loadStart: number[]
  loadEnd: number[]
  samples: Sample[]
}

export interface Spread {
  min: number
  median: number
  max: number
}

export interface Row {
  group: string
  name: string
  unit: Sample['unit']
  /** Calls timed per run (of the median run). */
  iterations: number
  /** How many runs measured this row. */
  runs: number
  median: Spread
  mean?: Spread
  p99?: Spread
  baseline?: string
  ratio?: Spread
  /** Target and note as the median run printed them (the run with the median ratio, else median figure). */
  target?: string
  note?: string
}

export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) }
}

function spreadOf(samples: readonly Sample[], pick: (s: Sample) => number | undefined): Spread | undefined {
  const values = samples.map(pick).filter((v): v is number => v !== undefined)
  return values.length === samples.length ? spread(values) : undefined
}

/** The sample of the run in the middle (the lower middle for an even count), by ratio, else by figure. */
function middleRun(samples: readonly Sample[]): Sample {
  const key = (s: Sample) => s.ratio ?? s.median
  const order = [...samples].sort((a, b) => key(a) - key(b))
  return order[(order.length - 1) >> 1] as Sample
}

/** Rows in the order they first appear, matched across runs by group and name. */
export function combineRuns(runs: readonly RunRecord[]): Row[] {
  const byKey = new Map<string, Sample[]>()
  for (const run of runs) {
    for (const sample of run.samples) {
      const key = `${sample.group}\u0000${sample.name}`
      byKey.set(key, [...(byKey.get(key) ?? []), sample])
    }
  }
  return [...byKey.values()].map((samples) => {
    const middle = middleRun(samples)
    const row: Row = {
      group: middle.group,
      name: middle.name,
      unit: middle.unit,
      iterations: middle.iterations,
      runs: samples.length,
      median: spread(samples.map((s) => s.median)),
    }
    const mean = spreadOf(samples, (s) => s.mean)
    const p99 = spreadOf(samples, (s) => s.p99)
    const ratio = spreadOf(samples, (s) => s.ratio)
    if (mean) row.mean = mean
    if (p99) row.p99 = p99
    if (middle.baseline !== undefined) row.baseline = middle.baseline
    if (ratio) row.ratio = ratio
    if (middle.target !== undefined) row.target = middle.target
    if (middle.note !== undefined) row.note = middle.note
    return row
  })
}
