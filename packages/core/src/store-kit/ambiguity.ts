import { CairnError, ErrorCode } from '../errors.js'
import type { Hash } from '../hash.js'

/** How many candidates a `CAIRN_AMBIGUOUS` error lists (`details.count` has the full number). */
export const MAX_AMBIGUOUS_CANDIDATES = 20

/** The commits a hash prefix matches: the first `hashes` (ascending, at most the asked limit) and how many in all. */
export interface PrefixMatches {
  hashes: readonly Hash[]
  count: number
}

/** The `CAIRN_AMBIGUOUS` error for a prefix matching `count` commits, listing at most MAX_AMBIGUOUS_CANDIDATES. */
export function ambiguousPrefix(prefix: string, matches: PrefixMatches): CairnError {
  const candidates = [...matches.hashes].sort().slice(0, MAX_AMBIGUOUS_CANDIDATES)
  const { count } = matches
  return new CairnError(
    ErrorCode.Ambiguous,
    `prefix ${prefix} matches ${count} commits: ${candidates.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}`,
    { details: { prefix, count, candidates } },
  )
}

/** `PrefixMatches` by scanning every hash (for backends that keep their hashes in memory). */
export function matchPrefix(hashes: Iterable<Hash>, prefix: string, limit: number): PrefixMatches {
  const found: Hash[] = []
  for (const hash of hashes) if (hash.startsWith(prefix)) found.push(hash)
  found.sort()
  return { hashes: found.slice(0, limit), count: found.length }
}
