import { computeResult } from './compute-and-record.js'
import { findHit } from './hit-decision.js'
import { acquireOrAwait } from './lease.js'
import type { Pipeline } from './pipeline.js'
import type { ResultRef } from './result-ref.js'
import type { Run } from './run.js'
import { selfHealingRef } from './self-healing-ref.js'

/**
 * A cached call: a hit is answered from the store; on a miss, with leases, another process already
 * computing it is waited for; otherwise the function runs here.
 */
export async function lookupOrCompute(
  pipeline: Pipeline,
  run: Run,
  signal: AbortSignal | undefined,
): Promise<ResultRef> {
  const store = await pipeline.store()
  const heal = () => computeResult(pipeline, run, signal, false)
  const hit = await findHit(store, run.fingerprint, signal)
  if (hit) return selfHealingRef(pipeline, hit, true, heal)
  if (!(pipeline.leases ?? store.capabilities.crossProcessCas)) return computeResult(pipeline, run, signal)
  const outcome = await acquireOrAwait(
    store,
    run.fingerprint,
    () => findHit(store, run.fingerprint, signal),
    pipeline.leaseTiming,
    signal,
  )
  if ('result' in outcome) return selfHealingRef(pipeline, outcome.result, true, heal)
  try {
    return await computeResult(pipeline, run, signal)
  } finally {
    await outcome.lease.release()
  }
}
