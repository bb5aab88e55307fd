import { compareNewestFirst, matchesQuery } from './commit-query.js'
import { notFound } from './errors.js'
import type { Hash } from './hash.js'
import { createMemoryBacking, fingerprintIndexFor, type MemoryBacking } from './memory/backing.js'
import { collectBlobInput, copyBytes, resolveRange } from './memory/bytes.js'
import type { Commit, CommitQuery } from './protocols/commit.js'
import type { OpOptions } from './protocols/common.js'
import type { BlobRef, StoreCapabilities, StoreStats } from './protocols/store.js'
import { matchPrefix, type PrefixMatches } from './store-kit/ambiguity.js'
import { BaseStore, type BlobRange } from './store-kit/base-store.js'
import { verifiedBytes } from './store-kit/verified-chunks.js'
import { checkExpectedHash } from './store-support.js'

export { createMemoryBacking, type MemoryBacking } from './memory/backing.js'

/** Size of the chunks `openBlob` yields. */
const READ_CHUNK_BYTES = 64 * 1024

export interface MemoryStoreOptions {
  /** The maps to keep data in; pass the same backing to several stores to share data. */
  backing?: MemoryBacking
}

/**
 * A Store in memory: the reference every rule of the protocol is checked against.
 *
 * Bytes and commits are copied in and out, so nothing a caller does to a value it passed in or got
 * back changes the store. Blobs are verified against their hash on every read. Commits are kept as
 * their JSON form (what a document store would keep). The argument checks are `BaseStore`'s.
 */
export class MemoryStore extends BaseStore {
  readonly capabilities: StoreCapabilities = {
    streamingWrites: false,
    streamingReads: false,
    crossProcessCas: false,
    persistent: false,
    quarantine: true,
  }
  readonly #backing: MemoryBacking

  constructor(options: MemoryStoreOptions = {}) {
    super('MemoryStore')
    this.#backing = options?.backing ?? createMemoryBacking()
  }

  /** A private copy of the blob's bytes, checked against its hash. */
  #readVerified(hash: Hash): Uint8Array {
    const stored = this.#backing.blobs.get(hash)
    if (stored === undefined) throw notFound(`blob ${hash} not found`, { hash })
    return verifiedBytes(hash, copyBytes(stored))
  }

  // ---- blobs ----

  protected async doPutBlob(
    data: Uint8Array | AsyncIterable<Uint8Array>,
    expected: Hash | undefined,
    opts: OpOptions,
  ): Promise<BlobRef> {
    const { bytes, hash } = await collectBlobInput(data, () => this.check(opts))
    this.check(opts)
    checkExpectedHash(hash, expected)
    if (!this.#backing.blobs.has(hash)) this.#backing.blobs.set(hash, bytes)
    return { hash, size: bytes.byteLength }
  }

  protected async doGetBlob(hash: Hash): Promise<Uint8Array> {
    return this.#readVerified(hash)
  }

  protected async *doOpenBlob(hash: Hash, range: BlobRange): AsyncIterable<Uint8Array> {
    // Verify the whole blob before the first chunk: a reader never sees a byte of a corrupt blob.
    const bytes = this.#readVerified(hash)
    const [start, end] = resolveRange(range.start, range.end, bytes.byteLength, hash)
    for (let offset = start; offset < end; offset += READ_CHUNK_BYTES) {
      yield bytes.slice(offset, Math.min(end, offset + READ_CHUNK_BYTES))
    }
  }

  protected async doHasBlob(hash: Hash): Promise<boolean> {
    return this.#backing.blobs.has(hash)
  }

  protected async doDeleteBlob(hash: Hash): Promise<void> {
    this.#backing.blobs.delete(hash)
  }

  protected async *doListBlobs(): AsyncIterable<BlobRef> {
    for (const [hash, bytes] of [...this.#backing.blobs]) yield { hash, size: bytes.byteLength }
  }

  /** Moves the bytes to `backing.quarantine` (for inspection); absent blobs are ignored. */
  protected override async doQuarantineBlob(hash: Hash): Promise<void> {
    const bytes = this.#backing.blobs.get(hash)
    if (bytes === undefined) return
    this.#backing.quarantine.set(hash, bytes)
    this.#backing.blobs.delete(hash)
  }

  // ---- commits ----

  protected async doPutCommit(commit: Commit): Promise<void> {
    if (this.#backing.commits.has(commit.hash)) return
    // The JSON form is what the hash covers and what any document store would give back.
    const copy = JSON.parse(JSON.stringify(commit)) as Commit
    this.#backing.commits.set(copy.hash, copy)
    fingerprintIndexFor(this.#backing.commits).added(copy.hash, copy)
  }

  protected async doGetCommit(hash: Hash): Promise<Commit | undefined> {
    const commit = this.#backing.commits.get(hash)
    return commit === undefined ? undefined : structuredClone(commit)
  }

  protected async doMatchCommitPrefix(prefix: string, limit: number): Promise<PrefixMatches> {
    return matchPrefix(this.#backing.commits.keys(), prefix, limit)
  }

  protected async doFindByFingerprint(fingerprint: string): Promise<Commit | undefined> {
    const newest = fingerprintIndexFor(this.#backing.commits)
      .commitsWith(fingerprint)
      .filter((c) => c.status === 'completed')
      .sort(compareNewestFirst)[0]
    return newest === undefined ? undefined : structuredClone(newest)
  }

  protected async *doListCommits(q: CommitQuery): AsyncIterable<Commit> {
    const candidates =
      q.fingerprint === undefined
        ? [...this.#backing.commits.values()]
        : fingerprintIndexFor(this.#backing.commits).commitsWith(q.fingerprint)
    const matching = candidates.filter((c) => matchesQuery(c, q)).sort(compareNewestFirst)
    for (const commit of matching) yield structuredClone(commit)
  }

  protected async doHistory(hash: Hash): Promise<Commit[]> {
    const commit = this.#backing.commits.get(hash)
    if (commit === undefined) throw notFound(`commit ${hash} not found`, { hash })
    return fingerprintIndexFor(this.#backing.commits)
      .commitsWith(commit.fingerprint)
      .sort(compareNewestFirst)
      .map((c) => structuredClone(c))
  }

  protected async doDeleteCommit(hash: Hash): Promise<void> {
    const commit = this.#backing.commits.get(hash)
    if (commit === undefined) return
    this.#backing.commits.delete(hash)
    fingerprintIndexFor(this.#backing.commits).removed(hash, commit)
  }

  // ---- refs ----

  protected async doGetRef(name: string): Promise<string | undefined> {
    return this.#backing.refs.get(name)
  }

  protected async doSetRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
  ): Promise<boolean> {
    // No await between the read and the write: compare-and-swap is atomic within this process.
    const current = this.#backing.refs.get(name)
    if (expected === null && current !== undefined) return false
    if (typeof expected === 'string' && current !== expected) return false
    if (value === undefined) this.#backing.refs.delete(name)
    else this.#backing.refs.set(name, value)
    return true
  }

  protected async *doListRefs(prefix: string): AsyncIterable<[name: string, value: string]> {
    const entries = [...this.#backing.refs].filter(([name]) => name.startsWith(prefix))
    // Plain `<` compares UTF-16 code units, which is the order the protocol promises.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    yield* entries
  }

  // ---- maintenance ----

  protected async doStats(): Promise<StoreStats> {
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
  protected async doClose(): Promise<void> {}
}
