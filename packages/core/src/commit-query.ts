import { invalidArgument } from './errors.js'
import { assertHash } from './hash.js'
import type { Commit, CommitQuery } from './protocols/commit.js'

/** Newest first: createdAt descending, then hash descending. */
export function compareNewestFirst(a: Commit, b: Commit): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt
  return a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0
}

/** Checks a `listCommits` query and returns it; throws CAIRN_INVALID_ARGUMENT naming the bad field. */
export function assertCommitQuery(query: unknown): CommitQuery {
  if (query === undefined) return {}
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw invalidArgument('query must be an object')
  const q = query as CommitQuery
  if (q.func !== undefined && typeof q.func !== 'string') throw invalidArgument('query.func must be a string')
  if (q.fingerprint !== undefined && typeof q.fingerprint !== 'string') {
    throw invalidArgument('query.fingerprint must be a string')
  }
  if (q.input !== undefined) assertHash(q.input, 'query.input')
  if (q.status !== undefined && q.status !== 'completed' && q.status !== 'failed') {
    throw invalidArgument('query.status must be "completed" or "failed"')
  }
  if (q.before !== undefined && !Number.isFinite(q.before))
    throw invalidArgument('query.before must be a finite number')
  if (q.limit !== undefined && !(Number.isInteger(q.limit) && q.limit >= 0)) {
    throw invalidArgument('query.limit must be a non-negative integer')
  }
  if (q.tags !== undefined) {
    if (typeof q.tags !== 'object' || q.tags === null || Array.isArray(q.tags)) {
      throw invalidArgument('query.tags must be an object of strings')
    }
    for (const v of Object.values(q.tags))
      if (typeof v !== 'string') throw invalidArgument('query.tags values must be strings')
  }
  return q
}

/** Whether a commit matches every filter of a query (except `limit`). */
export function matchesQuery(commit: Commit, q: CommitQuery): boolean {
  if (q.func !== undefined && commit.task.name !== q.func) return false
  if (q.status !== undefined && commit.status !== q.status) return false
  if (q.fingerprint !== undefined && commit.fingerprint !== q.fingerprint) return false
  if (q.before !== undefined && !(commit.createdAt < q.before)) return false
  // Listings trust stored records without re-validating them: a damaged one must not throw here.
  if (q.input !== undefined && !(Array.isArray(commit.inputs) && commit.inputs.includes(q.input)))
    return false
  if (q.tags) {
    for (const [k, v] of Object.entries(q.tags))
      if (!Object.hasOwn(commit.tags, k) || commit.tags[k] !== v) return false
  }
  return true
}
