/**
 * Interleaved timing: every contender is warmed up, then timed in rounds, each round running every
 * contender once (in a rotating order) for a batch of calls. JIT and GC noise on a shared machine
 * drifts over seconds, so contenders compared with each other are timed side by side in the same
 * rounds, and their ratio is taken round by round.
 */
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * A full garbage collection (untimed), for races that ask for one at the start of every round: with
 * 8 MB values, when collections hit decides much of the time (8 MB encodes varied from 0.7 to 3 ms
 * from run to run without it). Only for those: full collections also throw away optimized code that
 * depends on maps of objects that died, and the structured decoder, whose results are such objects,
 * then measured up to 2× slower on records and graphs.
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const collect: () => void = collector()

export interface Contender {
  id: string
  /** One call of the operation; `i` counts calls, to cycle through inputs. */
  op: (i: number) => unknown
}

export interface RaceOptions {
  rounds: number
  /** Time one contender's batch should take in a round. */
  batchMs: number
  /** Warm-up time per contender before calibrating (split over two interleaved passes). */
  warmupMs: number
  /** Collect garbage (untimed) at the start of every round. */
  collectEachRound?: boolean
}

/** For each contender, microseconds per call in each round (same order of rounds for all). */
export type RaceTimes = Map<string, number[]>

/** Keeps results reachable so no call can be optimized away. */
export let sink: unknown

function runFor(contender: Contender, ms: number, from: number): { calls: number; ms: number } {
  const start = performance.now()
  let calls = 0
  let now = start
  while (calls < 2 || now - start < ms) {
    sink = contender.op(from + calls)
    calls++
    now = performance.now()
  }
  return { calls, ms: now - start }
}

export function race(contenders: readonly Contender[], options: RaceOptions): RaceTimes {
  const batch = new Map<string, number>()
  const counters = new Map<string, number>()
  for (let pass = 0; pass < 2; pass++) {
    for (const contender of contenders) {
      const { calls, ms } = runFor(contender, options.warmupMs / 2, counters.get(contender.id) ?? 0)
      counters.set(contender.id, (counters.get(contender.id) ?? 0) + calls)
      if (pass === 1) batch.set(contender.id, Math.max(1, Math.round((options.batchMs * calls) / ms)))
    }
  }
  const times: RaceTimes = new Map(contenders.map((c) => [c.id, []]))
  for (let round = 0; round < options.rounds; round++) {
    if (options.collectEachRound) collect()
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length] as Contender
      const calls = batch.get(contender.id) as number
      let i = counters.get(contender.id) as number
      const op = contender.op
      const start = process.hrtime.bigint()
      for (let n = 0; n < calls; n++) sink = op(i++)
      const micros = Number(process.hrtime.bigint() - start) / 1000
      counters.set(contender.id, i)
      times.get(contender.id)?.push(micros / calls)
    }
  }
  return times
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * How many times faster `ours` is than `baseline` (> 1: faster), as the median of the per-round
 * ratios: both were timed in the same rounds, so a slow round slows both.
 */
export function speedRatio(ours: readonly number[], baseline: readonly number[]): number {
  return median(ours.map((t, round) => (baseline[round] as number) / t))
}
