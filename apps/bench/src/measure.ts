/** Times operations and summarizes per-call microseconds: median, mean and p99. */
export interface Sample {
  name: string
  group: string
  unit: 'µs' | 'ms' | 'MB/s' | 'bytes' | 'values/s'
  /** The row's figure (per-call median for timed rows). */
  median: number
  /** Per-call mean and 99th percentile, for rows timed call by call (`summarize`). */
  mean?: number
  p99?: number
  iterations: number
  /** What this is compared with, and the ratio (ours / baseline for times, ours / baseline for rates). */
  baseline?: string
  ratio?: number
  target?: string
  note?: string
}

export async function timeOps(
  iterations: number,
  op: (i: number) => Promise<unknown> | unknown,
  warmup = 5,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await op(-1 - i)
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint()
    await op(i)
    times.push(Number(process.hrtime.bigint() - start) / 1000)
  }
  return times
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('no values to summarize')
  return [...values].sort((a, b) => a - b)
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const order = sorted(values)
  const mid = order.length >> 1
  return order.length % 2 ? (order[mid] as number) : ((order[mid - 1] as number) + (order[mid] as number)) / 2
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no values to summarize')
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

/** The nearest-rank percentile: the smallest value with at least `percent`% of values at or below it. */
export function percentile(values: readonly number[], percent: number): number {
  const order = sorted(values)
  return order[
    Math.min(order.length - 1, Math.max(0, Math.ceil((percent / 100) * order.length) - 1))
  ] as number
}

export function summarize(
  group: string,
  name: string,
  micros: number[],
  extra: Partial<Sample> = {},
): Sample {
  return {
    group,
    name,
    unit: 'µs',
    median: median(micros),
    mean: mean(micros),
    p99: percentile(micros, 99),
    iterations: micros.length,
    ...extra,
  }
}
