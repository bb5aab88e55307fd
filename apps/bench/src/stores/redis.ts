import type { Sample } from '../measure.js'
import type { StoreBenchContext } from './context.js'

/** Placeholder until @cairn/redis lands: replaced by the real benchmark. */
export async function benchRedisStore(_context: StoreBenchContext): Promise<Sample[]> {
  throw new Error('the redis store benchmark is not written yet')
}
