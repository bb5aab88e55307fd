import type { CommitQuery } from '@cairn/core'

/** A hit: the newest completed commits of a fingerprint, in one seek of `commits_by_fingerprint`. */
export const FIND_BY_FINGERPRINT: string =
  "SELECT hash, json FROM commits WHERE fingerprint = ? AND status = 'completed' ORDER BY created_at DESC, hash DESC"

/** Where a listing page resumes: strictly after this row in newest-first order. */
export interface ListCursor {
  createdAt: number
  hash: string
}

export interface ListStatement {
  sql: string
  params: unknown[]
}

/**
 * One page of `listCommits`, newest first. The most selective filter drives the query through its
 * index, read in `created_at DESC, hash DESC` order: fingerprint, then the consumed input, then the
 * first tag (the inputs and tags indexes carry the time), then task name, then status, else time alone. The other filters are written as
 * `+column = ?`, which keeps SQLite from picking a less selective index of its own (it has no
 * statistics to choose by). The page resumes by keyset, so no statement stays open between pages.
 */
export function listCommitsStatement(
  q: CommitQuery,
  cursor: ListCursor | undefined,
  limit: number,
): ListStatement {
  const tags = Object.entries(q.tags ?? {})
  const driver =
    q.fingerprint !== undefined
      ? 'fingerprint'
      : q.input !== undefined
        ? 'input'
        : tags.length > 0
          ? 'tag'
          : 'commits'
  const where: string[] = []
  const params: unknown[] = []
  const filter = (clause: string, ...values: unknown[]) => {
    where.push(clause)
    params.push(...values)
  }
  // The columns the driving index is ordered by: the tag's or input's own copy when one drives.
  const alias = driver === 'tag' ? 't0' : driver === 'input' ? 'i0' : 'c'
  const time = `${alias}.created_at`
  const hash = `${alias}.hash`
  let from = 'commits c'
  if (driver === 'fingerprint') {
    filter('c.fingerprint = ?', q.fingerprint)
  } else if (driver === 'tag') {
    const [key, value] = tags.shift() as [string, string]
    // CROSS JOIN keeps tags as the outer loop: the planner may not reorder it.
    from = 'tags t0 CROSS JOIN commits c ON c.hash = t0.hash'
    filter('t0.key = ?', key)
    filter('t0.value = ?', value)
  } else if (driver === 'input') {
    from = 'inputs i0 CROSS JOIN commits c ON c.hash = i0.hash'
    filter('i0.input = ?', q.input)
  }
  if (q.input !== undefined && driver !== 'input') {
    filter('EXISTS (SELECT 1 FROM inputs i WHERE i.hash = c.hash AND i.input = ?)', q.input)
  }
  const indexed = driver === 'commits' ? (q.func !== undefined ? 'func' : 'status') : undefined
  if (q.func !== undefined) filter(indexed === 'func' ? 'c.func = ?' : '+c.func = ?', q.func)
  // The fingerprint index has the status next: completed commits of a fingerprint come in order.
  const statusIndexed = indexed === 'status' || driver === 'fingerprint'
  if (q.status !== undefined) filter(statusIndexed ? 'c.status = ?' : '+c.status = ?', q.status)
  if (q.before !== undefined) filter(`${time} < ?`, q.before)
  for (const [key, value] of tags) {
    filter('EXISTS (SELECT 1 FROM tags t WHERE t.hash = c.hash AND t.key = ? AND t.value = ?)', key, value)
  }
  if (cursor !== undefined) filter(`(${time}, ${hash}) < (?, ?)`, cursor.createdAt, cursor.hash)
  params.push(limit)
  const sql =
    `SELECT c.json AS json, c.created_at AS created_at, c.hash AS hash FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${time} DESC, ${hash} DESC LIMIT ?`
  return { sql, params }
}
