import { ErrorCode, invalidArgument, isCairnError, throwIfAborted } from '../errors.js'
import type { Hash } from '../hash.js'
import type { Commit } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'
import { reclaimLeases } from './lease-reclaim.js'
import { outputBlobs } from './output.js'

export interface Progress {
  phase: string
  done: number
  total?: number
}

export interface GcOptions {
  /** Drop commits older than this: an age in ms, or a Date. */
  olderThan?: number | Date
  /** Keep at most this many commits, the newest. */
  keep?: number
  /**
   * Then drop the oldest remaining commits until the blobs still reachable take at most this many
   * bytes (commits a ref names, and inputs of kept commits, stay). Linear in commits and blobs.
   */
  maxBytes?: number
  /** Report what would go without removing anything. */
  dryRun?: boolean
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
}

export interface GcReport {
  dryRun: boolean
  commitsRemoved: Hash[]
  commitsKept: number
  blobsRemoved: number
  blobsKept: number
  bytesFreed: number
  /** Abandoned leases removed (expired, or held by a dead process on this host). */
  leasesReclaimed: number
}

const HASH_IN_TEXT = /[0-9a-f]{64}/g

/**
 * Mark and sweep. A commit survives when it meets every retention rule given (younger than
 * `olderThan`, among the newest `keep`), or a ref names it, or a surviving commit took its output as
 * an input (lineage stays whole). A blob survives when a surviving commit (output or argument blob)
 * or a ref reaches it. Commits go first, then blobs, so a crash mid-way never leaves a commit whose
 * blob is gone.
 */
export async function collectGarbage(
  store: Store,
  options: GcOptions & { now: () => number },
): Promise<GcReport> {
  const { olderThan, keep, maxBytes, dryRun = false, onProgress, signal } = options
  if (maxBytes !== undefined && !(Number.isFinite(maxBytes) && maxBytes >= 0)) {
    throw invalidArgument('gc maxBytes must be a non-negative number')
  }
  if (olderThan !== undefined) {
    const valid =
      olderThan instanceof Date
        ? !Number.isNaN(olderThan.getTime())
        : Number.isFinite(olderThan) && olderThan >= 0
    if (!valid) throw invalidArgument('gc olderThan must be a non-negative number of ms or a valid Date')
  }
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) {
    throw invalidArgument('gc keep must be a non-negative integer')
  }
  const cutoff =
    olderThan === undefined
      ? undefined
      : olderThan instanceof Date
        ? olderThan.getTime()
        : options.now() - olderThan

  const commits: Commit[] = []
  for await (const commit of store.listCommits({}, { signal })) commits.push(commit)
  onProgress?.({ phase: 'mark commits', done: 0, total: commits.length })
  const byHash = new Map(commits.map((c) => [c.hash, c]))
  const kept = new Set<Hash>()
  commits.forEach((commit, rank) => {
    const young = cutoff === undefined || commit.createdAt >= cutoff
    const recent = keep === undefined || rank < keep
    if (young && recent) kept.add(commit.hash)
  })
  const refRoots = new Set<Hash>()
  for await (const [, value] of store.listRefs('', { signal })) {
    for (const match of value.matchAll(HASH_IN_TEXT)) refRoots.add(match[0])
  }
  for (const hash of refRoots) if (byHash.has(hash)) kept.add(hash)
  keepInputs(kept, byHash)
  if (maxBytes !== undefined) {
    const sizes = new Map<Hash, number>()
    for await (const blob of store.listBlobs({ signal })) sizes.set(blob.hash, blob.size)
    evictToSize(commits, kept, refRoots, sizes, maxBytes)
    keepInputs(kept, byHash)
  }

  const reachable = new Set<Hash>(refRoots)
  for (const hash of kept) {
    const commit = byHash.get(hash) as Commit
    for (const blob of outputBlobs(commit.output)) reachable.add(blob.hash)
    if (commit.task.argsBlob) reachable.add(commit.task.argsBlob.hash)
  }

  const commitsRemoved = commits.filter((c) => !kept.has(c.hash)).map((c) => c.hash)
  const batch = store.deleteCommits ? 1000 : 1
  for (let done = 0; done < commitsRemoved.length; done += batch) {
    throwIfAborted(signal)
    const hashes = commitsRemoved.slice(done, done + batch)
    if (!dryRun) {
      if (store.deleteCommits) await store.deleteCommits(hashes, { signal })
      else await store.deleteCommit(hashes[0] as Hash, { signal })
    }
    onProgress?.({ phase: 'sweep commits', done: done + hashes.length, total: commitsRemoved.length })
  }
  let blobsRemoved = 0
  let blobsKept = 0
  let bytesFreed = 0
  for await (const blob of store.listBlobs({ signal })) {
    if (reachable.has(blob.hash)) {
      blobsKept++
      continue
    }
    if (!dryRun) await store.deleteBlob(blob.hash, { signal })
    blobsRemoved++
    bytesFreed += blob.size
    onProgress?.({ phase: 'sweep blobs', done: blobsRemoved })
  }
  const leasesReclaimed = (await reclaimLeases(store, { now: options.now, dryRun, signal })).reclaimed
  return {
    dryRun,
    commitsRemoved,
    commitsKept: kept.size,
    blobsRemoved,
    blobsKept,
    bytesFreed,
    leasesReclaimed,
  }
}

/** Adds, transitively, the commits whose outputs kept commits consumed: lineage stays whole. */
function keepInputs(kept: Set<Hash>, byHash: Map<Hash, Commit>): void {
  const queue = [...kept]
  while (queue.length > 0) {
    const commit = byHash.get(queue.pop() as Hash)
    for (const input of commit?.inputs ?? []) {
      if (byHash.has(input) && !kept.has(input)) {
        kept.add(input)
        queue.push(input)
      }
    }
  }
}

function blobsOf(commit: Commit): Hash[] {
  const out: Hash[] = []
  for (const blob of outputBlobs(commit.output)) out.push(blob.hash)
  if (commit.task.argsBlob) out.push(commit.task.argsBlob.hash)
  return out
}

/**
 * Drops kept commits oldest first until the reachable blob bytes fit `maxBytes`. Reference counts
 * make each drop O(1): a blob's bytes are freed when the last kept commit using it goes. Commits a
 * ref names, or that a kept commit consumed, are never dropped here.
 */
function evictToSize(
  newestFirst: Commit[],
  kept: Set<Hash>,
  refRoots: Set<Hash>,
  sizes: Map<Hash, number>,
  maxBytes: number,
): void {
  const users = new Map<Hash, number>()
  let total = 0
  for (const hash of refRoots) total += sizes.get(hash) ?? 0
  const consumed = new Set<Hash>()
  for (const commit of newestFirst) {
    if (!kept.has(commit.hash)) continue
    for (const input of commit.inputs) consumed.add(input)
    for (const blob of blobsOf(commit)) {
      const n = users.get(blob) ?? 0
      if (n === 0 && !refRoots.has(blob)) total += sizes.get(blob) ?? 0
      users.set(blob, n + 1)
    }
  }
  for (let i = newestFirst.length - 1; i >= 0 && total > maxBytes; i--) {
    const commit = newestFirst[i] as Commit
    if (!kept.has(commit.hash) || refRoots.has(commit.hash) || consumed.has(commit.hash)) continue
    kept.delete(commit.hash)
    for (const blob of blobsOf(commit)) {
      const n = (users.get(blob) ?? 1) - 1
      users.set(blob, n)
      if (n === 0 && !refRoots.has(blob)) total -= sizes.get(blob) ?? 0
    }
  }
}

export interface VerifyOptions {
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
}

export interface VerifyReport {
  ok: boolean
  blobsChecked: number
  bytesChecked: number
  /** Blobs whose bytes did not match their hash; quarantined (or deleted where the store cannot quarantine). */
  corrupt: Hash[]
  commitsChecked: number
  /** Commits whose output or argument blob is not in the store. */
  missing: { commit: Hash; blob: Hash; role: 'output' | 'args' }[]
}

/** Re-hashes every blob by streaming it, moves corrupt ones aside, then checks every commit's blobs exist. */
export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { onProgress, signal } = options
  const corrupt: Hash[] = []
  let blobsChecked = 0
  let bytesChecked = 0
  const blobs = []
  for await (const blob of store.listBlobs({ signal })) blobs.push(blob)
  for (const blob of blobs) {
    try {
      for await (const chunk of store.openBlob(blob.hash, { signal })) bytesChecked += chunk.byteLength
    } catch (error) {
      if (isCairnError(error, ErrorCode.Corrupt)) {
        corrupt.push(blob.hash)
        if (store.quarantineBlob && store.capabilities.quarantine)
          await store.quarantineBlob(blob.hash, { signal })
        else await store.deleteBlob(blob.hash, { signal })
      } else if (!isCairnError(error, ErrorCode.NotFound)) {
        throw error // deleted meanwhile is fine; anything else is a real failure
      }
    }
    blobsChecked++ // counted outside the optional call: its arguments are skipped without onProgress
    onProgress?.({ phase: 'verify blobs', done: blobsChecked, total: blobs.length })
  }
  const missing: VerifyReport['missing'] = []
  let commitsChecked = 0
  for await (const commit of store.listCommits({}, { signal })) {
    for (const blob of outputBlobs(commit.output)) {
      if (!(await store.hasBlob(blob.hash, { signal })))
        missing.push({ commit: commit.hash, blob: blob.hash, role: 'output' })
    }
    if (commit.task.argsBlob && !(await store.hasBlob(commit.task.argsBlob.hash, { signal }))) {
      missing.push({ commit: commit.hash, blob: commit.task.argsBlob.hash, role: 'args' })
    }
    commitsChecked++
    onProgress?.({ phase: 'verify commits', done: commitsChecked })
  }
  return {
    ok: corrupt.length === 0 && missing.length === 0,
    blobsChecked,
    bytesChecked,
    corrupt,
    commitsChecked,
    missing,
  }
}
