import { assertValidCommit, type Commit, corrupt } from '@cairn/core'

/** Rows whose verification is remembered; beyond this the oldest are forgotten (and checked again). */
const REMEMBERED = 10_000

/**
 * Commit rows back into commits. SQLite keeps no checksums, so a commit served by hash or as a hit
 * (getCommit, findByFingerprint, history) is checked the first time this connection reads its row:
 * its content must hash to its hash, and that hash must be the row's. The check costs about 25 µs,
 * so the row text that passed is remembered and an identical row is not hashed again. Listings
 * (log, gc) only parse: they trust a row that parses, like FsStore trusts a record's checksum.
 */
export class CommitRows {
  readonly #verified = new Map<string, string>()

  /** A row's commit; text that is not JSON is CAIRN_CORRUPT naming the row (it can be deleted by hash). */
  parse(hash: string, json: string): Commit {
    try {
      return JSON.parse(json) as Commit
    } catch {
      throw corrupt(`commit ${hash} is damaged in the database (not JSON)`, { hash })
    }
  }

  /** A row's commit if it is what its hash says, else undefined (the caller decides: corrupt, or skip). */
  verified(hash: string, json: string): Commit | undefined {
    let commit: Commit
    try {
      commit = JSON.parse(json) as Commit
    } catch {
      return undefined
    }
    if (this.#verified.get(hash) === json) return commit
    try {
      assertValidCommit(commit)
    } catch {
      return undefined
    }
    if (commit.hash !== hash) return undefined
    this.remember(hash, json)
    return commit
  }

  /** Notes a row this process wrote from a commit it checked. */
  remember(hash: string, json: string): void {
    if (this.#verified.size >= REMEMBERED) this.#verified.delete(this.#verified.keys().next().value as string)
    this.#verified.set(hash, json)
  }

  /** `verified`, or CAIRN_CORRUPT: for a commit asked for by hash. */
  exact(hash: string, json: string): Commit {
    const commit = this.verified(hash, json)
    if (commit === undefined) {
      throw corrupt(`commit ${hash} is damaged in the database (its content does not hash to it)`, { hash })
    }
    return commit
  }
}
