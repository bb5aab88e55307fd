import type { Commit } from '../protocols/commit.js'

/**
 * The maps behind a MemoryStore. Share one between instances to simulate several processes on one
 * backend; a new MemoryStore on the same backing is a "reopen". Tests may read and tamper with the
 * maps directly (blobs are verified on every read, so tampering shows up as `CAIRN_CORRUPT`).
 */
export interface MemoryBacking {
  blobs: Map<string, Uint8Array>
  commits: Map<string, Commit>
  refs: Map<string, string>
  quarantine: Map<string, Uint8Array>
}

export function createMemoryBacking(): MemoryBacking {
  return { blobs: new Map(), commits: new Map(), refs: new Map(), quarantine: new Map() }
}

/**
 * Commit hashes by fingerprint, so `findByFingerprint` and `history` do not scan every commit.
 *
 * One index per commits map (kept in a WeakMap), so every store on a backing sees the same index.
 * It is a cache over the map, never the truth: entries are checked against the map on every read,
 * and the index is rebuilt when the map's size shows that someone changed it behind the stores' back.
 */
export class FingerprintIndex {
  readonly #commits: Map<string, Commit>
  #byFingerprint = new Map<string, Set<string>>()
  #count = 0

  constructor(commits: Map<string, Commit>) {
    this.#commits = commits
    this.#rebuild()
  }

  /** Records a commit the caller has just added to the map under `hash`. */
  added(hash: string, commit: Commit): void {
    this.#index(hash, commit)
    this.#count++
  }

  /** Forgets a commit the caller has just removed from the map. */
  removed(hash: string, commit: Commit): void {
    const hashes = this.#byFingerprint.get(commit.fingerprint)
    hashes?.delete(hash)
    if (hashes?.size === 0) this.#byFingerprint.delete(commit.fingerprint)
    this.#count--
  }

  /** The stored commits (not copies) with this fingerprint, in no particular order. */
  commitsWith(fingerprint: string): Commit[] {
    if (this.#count !== this.#commits.size) this.#rebuild()
    const found: Commit[] = []
    for (const hash of this.#byFingerprint.get(fingerprint) ?? []) {
      const commit = this.#commits.get(hash)
      if (commit?.fingerprint === fingerprint) found.push(commit)
    }
    return found
  }

  #index(hash: string, commit: Commit): void {
    // The map may hold anything a test put there; only index what looks like a commit.
    const fingerprint = (commit as Partial<Commit> | undefined)?.fingerprint
    if (typeof fingerprint !== 'string') return
    let hashes = this.#byFingerprint.get(fingerprint)
    if (!hashes) {
      hashes = new Set()
      this.#byFingerprint.set(fingerprint, hashes)
    }
    hashes.add(hash)
  }

  #rebuild(): void {
    this.#byFingerprint = new Map()
    for (const [hash, commit] of this.#commits) this.#index(hash, commit)
    this.#count = this.#commits.size
  }
}

const indexes = new WeakMap<Map<string, Commit>, FingerprintIndex>()

/** The fingerprint index shared by every store on this commits map. */
export function fingerprintIndexFor(commits: Map<string, Commit>): FingerprintIndex {
  let index = indexes.get(commits)
  if (!index) {
    index = new FingerprintIndex(commits)
    indexes.set(commits, index)
  }
  return index
}
