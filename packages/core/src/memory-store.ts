import { assertCommitQuery, compareNewestFirst, matchesQuery } from './commit-query.js'
import {
  CairnError,
  closedError,
  corrupt,
  ErrorCode,
  invalidArgument,
  notFound,
  throwIfAborted,
} from './errors.js'
import { assertHash, assertHashPrefix, type Hash, sha256Hex } from './hash.js'
import { createMemoryBacking, fingerprintIndexFor, type MemoryBacking } from './memory/backing.js'
import { assertRangeShape, collectBlobInput, copyBytes, resolveRange } from './memory/bytes.js'
import type { Commit, CommitQuery } from './protocols/commit.js'
import { type OpOptions, SPEC_VERSION } from './protocols/common.js'
import type {
  BlobRef,
  OpenBlobOptions,
  PutBlobOptions,
  Store,
  StoreCapabilities,
  StoreStats,
} from './protocols/store.js'
import { assertStorableCommit } from './store-support.js'
import { assertRefExpected, assertRefName, assertRefPrefix, assertRefValue } from './validate.js'

export { createMemoryBacking, type MemoryBacking } from './memory/backing.js'

/** Size of the chunks `openBlob` yields. */
const READ_CHUNK_BYTES = 64 * 1024
/** How many candidates a `CAIRN_AMBIGUOUS` error lists (`details.count` has the full number). */
const MAX_AMBIGUOUS_CANDIDATES = 20

export interface MemoryStoreOptions {
  /** The maps to keep data in; pass the same backing to several stores to share data. */
  backing?: MemoryBacking
}

/**
 * A Store in memory: the reference every rule of the protocol is checked against.
 *
 * Bytes and commits are copied in and out, so nothing a caller does to a value it passed in or got
 * back changes the store. Blobs are verified against their hash on every read. Commits are kept as
 * their JSON form (what a document store would keep).
 */
export class MemoryStore implements Store {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = {
    streamingWrites: false,
    streamingReads: false,
    crossProcessCas: false,
    persistent: false,
    quarantine: true,
  }
  readonly #backing: MemoryBacking
  #closed = false

  constructor(options: MemoryStoreOptions = {}) {
    this.#backing = options?.backing ?? createMemoryBacking()
  }

  /** Closed or aborted: throw before anything changes. */
  #check(opts: OpOptions | undefined): void {
    if (this.#closed) throw closedError('MemoryStore')
    throwIfAborted(opts?.signal)
  }

  /** A private copy of the blob's bytes, checked against its hash. */
  #readVerified(hash: Hash): Uint8Array {
    const stored = this.#backing.blobs.get(hash)
    if (stored === undefined) throw notFound(`blob ${hash} not found`, { hash })
    const bytes = copyBytes(stored)
    const actual = sha256Hex(bytes)
    if (actual !== hash) throw corrupt(`blob ${hash} does not match its hash (${actual})`, { hash, actual })
    return bytes
  }

  // ---- blobs ----

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutBlobOptions): Promise<BlobRef> {
    this.#check(opts)
    const expected = opts?.expectedHash
    if (expected !== undefined) assertHash(expected, 'expectedHash')
    const { bytes, hash } = await collectBlobInput(data, () => this.#check(opts))
    this.#check(opts)
    if (expected !== undefined && expected !== hash) {
      throw corrupt(`data hashes to ${hash}, not the expected ${expected}`, { hash, expected })
    }
    if (!this.#backing.blobs.has(hash)) this.#backing.blobs.set(hash, bytes)
    return { hash, size: bytes.byteLength }
  }

  async getBlob(hash: Hash, opts?: OpOptions): Promise<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    return this.#readVerified(hash)
  }

  async *openBlob(hash: Hash, opts?: OpenBlobOptions): AsyncIterable<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    assertRangeShape(opts?.start, opts?.end)
    // Verify the whole blob before the first chunk: a reader never sees a byte of a corrupt blob.
    const bytes = this.#readVerified(hash)
    const [start, end] = resolveRange(opts?.start, opts?.end, bytes.byteLength, hash)
    for (let offset = start; offset < end; offset += READ_CHUNK_BYTES) {
      this.#check(opts)
      yield bytes.slice(offset, Math.min(end, offset + READ_CHUNK_BYTES))
    }
  }

  async hasBlob(hash: Hash, opts?: OpOptions): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    return this.#backing.blobs.has(hash)
  }

  async deleteBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    this.#backing.blobs.delete(hash)
  }

  async *listBlobs(opts?: OpOptions): AsyncIterable<BlobRef> {
    this.#check(opts)
    for (const [hash, bytes] of [...this.#backing.blobs]) {
      this.#check(opts)
      yield { hash, size: bytes.byteLength }
    }
  }

  /** Moves the bytes to `backing.quarantine` (for inspection); absent blobs are ignored. */
  async quarantineBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const bytes = this.#backing.blobs.get(hash)
    if (bytes === undefined) return
    this.#backing.quarantine.set(hash, bytes)
    this.#backing.blobs.delete(hash)
  }

  // ---- commits ----

  async putCommit(commit: Commit, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertStorableCommit(commit)
    if (this.#backing.commits.has(commit.hash)) return
    // The JSON form is what the hash covers and what any document store would give back.
    const copy = JSON.parse(JSON.stringify(commit)) as Commit
    this.#backing.commits.set(copy.hash, copy)
    fingerprintIndexFor(this.#backing.commits).added(copy.hash, copy)
  }

  async getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    const exact = this.#backing.commits.get(hashOrPrefix)
    if (exact !== undefined) return structuredClone(exact)
    if (hashOrPrefix.length === 64) return undefined
    const matches: string[] = []
    for (const hash of this.#backing.commits.keys()) if (hash.startsWith(hashOrPrefix)) matches.push(hash)
    if (matches.length > 1) {
      matches.sort()
      throw new CairnError(
        ErrorCode.Ambiguous,
        `prefix ${hashOrPrefix} matches ${matches.length} commits: ${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', …' : ''}`,
        {
          details: {
            prefix: hashOrPrefix,
            count: matches.length,
            candidates: matches.slice(0, MAX_AMBIGUOUS_CANDIDATES),
          },
        },
      )
    }
    const only = matches[0]
    return only === undefined ? undefined : structuredClone(this.#backing.commits.get(only))
  }

  async findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    const newest = fingerprintIndexFor(this.#backing.commits)
      .commitsWith(fingerprint)
      .filter((c) => c.status === 'completed')
      .sort(compareNewestFirst)[0]
    return newest === undefined ? undefined : structuredClone(newest)
  }

  async *listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    const limit = q.limit ?? Number.POSITIVE_INFINITY
    if (limit === 0) return
    const candidates =
      q.fingerprint === undefined
        ? [...this.#backing.commits.values()]
        : fingerprintIndexFor(this.#backing.commits).commitsWith(q.fingerprint)
    const matching = candidates.filter((c) => matchesQuery(c, q)).sort(compareNewestFirst)
    for (let i = 0; i < matching.length && i < limit; i++) {
      this.#check(opts)
      yield structuredClone(matching[i] as Commit)
    }
  }

  async history(hash: Hash, opts?: OpOptions): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const commit = this.#backing.commits.get(hash)
    if (commit === undefined) throw notFound(`commit ${hash} not found`, { hash })
    return fingerprintIndexFor(this.#backing.commits)
      .commitsWith(commit.fingerprint)
      .sort(compareNewestFirst)
      .map((c) => structuredClone(c))
  }

  async deleteCommit(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const commit = this.#backing.commits.get(hash)
    if (commit === undefined) return
    this.#backing.commits.delete(hash)
    fingerprintIndexFor(this.#backing.commits).removed(hash, commit)
  }

  // ---- refs ----

  async deleteCommits(hashes: readonly Hash[], opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    for (const hash of hashes) this.#backing.commits.delete(hash)
  }

  async getRef(name: string, opts?: OpOptions): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    return this.#backing.refs.get(name)
  }

  async setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts?: OpOptions,
  ): Promise<boolean> {
    this.#check(opts)
    assertRefName(name)
    if (value !== undefined) assertRefValue(value)
    assertRefExpected(expected)
    // No await between the read and the write: compare-and-swap is atomic within this process.
    const current = this.#backing.refs.get(name)
    if (expected === null && current !== undefined) return false
    if (typeof expected === 'string' && current !== expected) return false
    if (value === undefined) this.#backing.refs.delete(name)
    else this.#backing.refs.set(name, value)
    return true
  }

  async *listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    const entries = [...this.#backing.refs].filter(([name]) => name.startsWith(prefix))
    // Plain `<` compares UTF-16 code units, which is the order the protocol promises.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const [name, value] of entries) {
      this.#check(opts)
      yield [name, value]
    }
  }

  // ---- maintenance ----

  async stats(opts?: OpOptions): Promise<StoreStats> {
    this.#check(opts)
    let blobBytes = 0
    for (const bytes of this.#backing.blobs.values()) blobBytes += bytes.byteLength
    return {
      blobs: this.#backing.blobs.size,
      blobBytes,
      commits: this.#backing.commits.size,
      refs: this.#backing.refs.size,
    }
  }

  /** Marks this instance closed; the backing (and other stores on it) are untouched. */
  async close(): Promise<void> {
    this.#closed = true
  }
}
