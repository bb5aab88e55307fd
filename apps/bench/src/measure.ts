/** Times `op` `iterations` times (after `warmup` runs) and summarizes per-call microseconds. */
export interface Sample {
  name: string
  group: string
  unit: 'µs' | 'ms' | 'MB/s' | 'bytes' | 'values/s'
  median: number
  p95?: number
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

export function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] as number
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
    p95: p95(micros),
    iterations: micros.length,
    ...extra,
  }
}
