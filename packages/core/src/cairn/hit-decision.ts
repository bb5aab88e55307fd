import type { Commit } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'
import { outputBlobs } from './output.js'

/**
 * Where a hit is decided: the newest completed commit for the fingerprint whose output blobs are all
 * still in the store. Anything else (no commit, a failed one, a missing blob) is a miss.
 */
export async function findHit(
  store: Store,
  fingerprint: string,
  signal?: AbortSignal,
): Promise<Commit | undefined> {
  const commit = await store.findByFingerprint(fingerprint, { signal })
  if (!commit?.output) return undefined
  for (const blob of outputBlobs(commit.output)) {
    // Self-healing: a missing output blob is a miss, not an error.
    if (!(await store.hasBlob(blob.hash, { signal }))) return undefined
  }
  return commit
}
