import type { Sample } from '../measure.js'
import type { StoreBenchContext } from './context.js'

/** Placeholder until @cairn/sqlite lands: replaced by the real benchmark. */
export async function benchSqliteStore(_context: StoreBenchContext): Promise<Sample[]> {
  throw new Error('the sqlite store benchmark is not written yet')
}
