import type { Commit, CommitQuery } from '@cairn/core'
import { matchesQuery } from '@cairn/core'
import type { Redis } from 'ioredis'
import { guard } from './connection.js'
import type { KeyLayout } from './keys.js'

/** The keys a commit's scripts touch, in the order PUT_COMMIT and DELETE_COMMIT expect. */
export function commitKeys(keys: KeyLayout, commit: Commit): string[] {
  return [
    keys.commit(commit.hash),
    keys.commitHashes,
    keys.commitsByTime,
    keys.byFingerprint(commit.fingerprint),
    keys.head(commit.fingerprint),
    keys.byFunc(commit.task.name),
    keys.byStatus(commit.status),
    ...Object.entries(commit.tags).map(([key, value]) => keys.byTag(key, value)),
  ]
}

/** The narrowest index that covers a query: every commit it holds is a candidate, in time order. */
export function indexFor(keys: KeyLayout, q: CommitQuery): string {
  if (q.fingerprint !== undefined) return keys.byFingerprint(q.fingerprint)
  if (q.func !== undefined) return keys.byFunc(q.func)
  const firstTag = Object.entries(q.tags ?? {})[0]
  if (firstTag) return keys.byTag(firstTag[0], firstTag[1])
  if (q.status !== undefined) return keys.byStatus(q.status)
  return keys.commitsByTime
}

const PAGE = 256

/**
 * Walks a time index newest first (equal times: larger hash first, which is how Redis orders equal
 * scores in reverse) and yields the commits matching the query. Pages continue from the last score
 * seen, so commits added meanwhile do not shift the walk.
 */
export async function* walkIndex(
  client: Redis,
  keys: KeyLayout,
  index: string,
  q: CommitQuery,
  check: () => void,
): AsyncGenerator<Commit> {
  let max = q.before === undefined ? '+inf' : `(${q.before}`
  let skip = 0
  let remaining = q.limit ?? Number.POSITIVE_INFINITY
  for (;;) {
    check()
    const page = await guard('listCommits', () =>
      client.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', skip, PAGE),
    )
    if (page.length === 0) return
    const hashes: string[] = []
    const scores: string[] = []
    for (let i = 0; i < page.length; i += 2) {
      hashes.push(page[i] as string)
      scores.push(page[i + 1] as string)
    }
    const jsons = await guard('listCommits', () => client.mget(...hashes.map((h) => keys.commit(h))))
    for (const json of jsons) {
      if (json === null) continue // deleted since the index was read
      const commit = JSON.parse(json) as Commit
      if (!matchesQuery(commit, q)) continue
      check()
      yield commit
      if (--remaining <= 0) return
    }
    if (hashes.length < PAGE) return
    const lastScore = scores[scores.length - 1] as string
    // Continue at the last score, skipping the entries with that score already walked.
    skip = scores.filter((s) => s === lastScore).length + (max === lastScore ? skip : 0)
    max = lastScore
  }
}
