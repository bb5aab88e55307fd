import type { Sample } from '../measure.js'
import type { StoreBenchContext } from './context.js'

/** Placeholder until @cairn/s3 lands: replaced by the real benchmark. */
export async function benchS3Store(_context: StoreBenchContext): Promise<Sample[]> {
  throw new Error('the s3 store benchmark is not written yet')
}
