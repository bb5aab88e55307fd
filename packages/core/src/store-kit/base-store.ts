import { assertCommitQuery } from '../commit-query.js'
import { CairnError, closedError, ErrorCode, invalidArgument, throwIfAborted } from '../errors.js'
import { assertHash, assertHashPrefix, type Hash } from '../hash.js'
import { isUint8Array } from '../memory/bytes.js'
import type { Commit, CommitQuery } from '../protocols/commit.js'
import { type OpOptions, SPEC_VERSION } from '../protocols/common.js'
import type {
  BlobRef,
  OpenBlobOptions,
  PutBlobOptions,
  Store,
  StoreCapabilities,
  StoreStats,
} from '../protocols/store.js'
import { assertBlobInput, assertStorableCommit, blobRangeOptions } from '../store-support.js'
import { assertRefExpected, assertRefName, assertRefPrefix, assertRefValue } from '../validate.js'
import { ambiguousPrefix, MAX_AMBIGUOUS_CANDIDATES, type PrefixMatches } from './ambiguity.js'

/** `openBlob`'s range after the shape check (non-negative integers, start <= end); the size check is the backend's. */
export interface BlobRange {
  start?: number
  end?: number
}

/**
 * The Store contract's checks in one place. A backend extends this class and implements the `do*`
 * primitives; each public method first refuses a closed store, a fired signal and malformed
 * arguments (hash, ref name/value/expected/prefix, commit, blob input, range shape, query), so a
 * primitive only ever sees validated input. Streams are checked again before every item.
 * `check()` is protected so a backend's own methods (and loops) use the same closed/abort rule.
 */
export abstract class BaseStore implements Store {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  abstract readonly capabilities: StoreCapabilities
  readonly #name: string
  #closed = false

  /** `name` is what `CAIRN_CLOSED` messages call the store. */
  constructor(name: string) {
    this.#name = name
  }

  /** Closed or aborted: throw before anything changes. */
  protected check(opts?: OpOptions): void {
    if (this.#closed) throw closedError(this.#name)
    throwIfAborted(opts?.signal)
  }

  /** `source` with `check(opts)` before each item is delivered and again when the consumer asks for the next. */
  async *#checked<T>(source: AsyncIterable<T>, opts: OpOptions | undefined): AsyncGenerator<T> {
    for await (const item of source) {
      this.check(opts)
      yield item
      this.check(opts)
    }
  }

  // ---- primitives: arguments already checked ----

  protected abstract doPutBlob(
    data: Uint8Array | AsyncIterable<Uint8Array>,
    expectedHash: Hash | undefined,
    opts: OpOptions,
  ): Promise<BlobRef>
  protected abstract doGetBlob(hash: Hash, opts: OpOptions): Promise<Uint8Array>
  protected abstract doOpenBlob(hash: Hash, range: BlobRange, opts: OpOptions): AsyncIterable<Uint8Array>
  protected abstract doHasBlob(hash: Hash, opts: OpOptions): Promise<boolean>
  protected abstract doDeleteBlob(hash: Hash, opts: OpOptions): Promise<void>
  protected abstract doListBlobs(opts: OpOptions): AsyncIterable<BlobRef>
  /** Default: CAIRN_UNSUPPORTED (a backend with `capabilities.quarantine` overrides it). */
  protected async doQuarantineBlob(hash: Hash, _opts: OpOptions): Promise<void> {
    throw new CairnError(ErrorCode.Unsupported, `${this.#name} cannot quarantine blobs`, {
      details: { hash },
    })
  }
  protected abstract doPutCommit(commit: Commit, opts: OpOptions): Promise<void>
  /** A commit by full hash, or `undefined`. */
  protected abstract doGetCommit(hash: Hash, opts: OpOptions): Promise<Commit | undefined>
  /** The stored hashes starting with `prefix` (4 to 63 hex digits): the first `limit` ascending and the count. */
  protected abstract doMatchCommitPrefix(
    prefix: string,
    limit: number,
    opts: OpOptions,
  ): Promise<PrefixMatches>
  protected abstract doFindByFingerprint(fingerprint: string, opts: OpOptions): Promise<Commit | undefined>
  /** Newest first; `query` is checked and its `limit`, if any, is at least 1. */
  protected abstract doListCommits(query: CommitQuery, opts: OpOptions): AsyncIterable<Commit>
  protected abstract doHistory(hash: Hash, opts: OpOptions): Promise<Commit[]>
  protected abstract doDeleteCommit(hash: Hash, opts: OpOptions): Promise<void>
  /** Default: one `doDeleteCommit` per hash; backends with a batched write override it. */
  protected async doDeleteCommits(hashes: readonly Hash[], opts: OpOptions): Promise<void> {
    for (const hash of hashes) {
      this.check(opts)
      await this.doDeleteCommit(hash, opts)
    }
  }
  protected abstract doGetRef(name: string, opts: OpOptions): Promise<string | undefined>
  protected abstract doSetRef(
    name: string,
    value: string | undefined,
    expected: string | null | undefined,
    opts: OpOptions,
  ): Promise<boolean>
  /** Sorted by name (UTF-16 code unit order). */
  protected abstract doListRefs(prefix: string, opts: OpOptions): AsyncIterable<[name: string, value: string]>
  protected abstract doStats(opts: OpOptions): Promise<StoreStats>
  /** Runs once, on the first `close()`. */
  protected abstract doClose(): Promise<void>

  // ---- the Store protocol ----

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts: PutBlobOptions = {}): Promise<BlobRef> {
    this.check(opts)
    const expected = opts.expectedHash
    if (expected !== undefined) assertHash(expected, 'expectedHash')
    // A Uint8Array from another realm (vm, worker) is taken as bytes, as a plain same-realm copy.
    const input = isUint8Array(data) && !(data instanceof Uint8Array) ? new Uint8Array(data) : data
    assertBlobInput(input)
    return this.doPutBlob(input, expected, opts)
  }

  async getBlob(hash: Hash, opts: OpOptions = {}): Promise<Uint8Array> {
    this.check(opts)
    assertHash(hash)
    return this.doGetBlob(hash, opts)
  }

  async *openBlob(hash: Hash, opts: OpenBlobOptions = {}): AsyncIterable<Uint8Array> {
    this.check(opts)
    assertHash(hash)
    const range = blobRangeOptions(opts)
    yield* this.#checked(this.doOpenBlob(hash, range, opts), opts)
  }

  async hasBlob(hash: Hash, opts: OpOptions = {}): Promise<boolean> {
    this.check(opts)
    assertHash(hash)
    return this.doHasBlob(hash, opts)
  }

  async deleteBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.check(opts)
    assertHash(hash)
    return this.doDeleteBlob(hash, opts)
  }

  async *listBlobs(opts: OpOptions = {}): AsyncIterable<BlobRef> {
    this.check(opts)
    yield* this.#checked(this.doListBlobs(opts), opts)
  }

  async quarantineBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.check(opts)
    assertHash(hash)
    return this.doQuarantineBlob(hash, opts)
  }

  async putCommit(commit: Commit, opts: OpOptions = {}): Promise<void> {
    this.check(opts)
    assertStorableCommit(commit)
    return this.doPutCommit(commit, opts)
  }

  async getCommit(hashOrPrefix: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.check(opts)
    assertHashPrefix(hashOrPrefix)
    if (hashOrPrefix.length === 64) return this.doGetCommit(hashOrPrefix, opts)
    const matches = await this.doMatchCommitPrefix(hashOrPrefix, MAX_AMBIGUOUS_CANDIDATES, opts)
    if (matches.count > 1) throw ambiguousPrefix(hashOrPrefix, matches)
    const only = matches.hashes[0]
    return only === undefined ? undefined : this.doGetCommit(only, opts)
  }

  async findByFingerprint(fingerprint: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    return this.doFindByFingerprint(fingerprint, opts)
  }

  async *listCommits(query?: CommitQuery, opts: OpOptions = {}): AsyncIterable<Commit> {
    this.check(opts)
    const q = assertCommitQuery(query)
    let left = q.limit ?? Number.POSITIVE_INFINITY
    if (left <= 0) return
    for await (const commit of this.#checked(this.doListCommits(q, opts), opts)) {
      yield commit
      if (--left <= 0) return
    }
  }

  async history(hash: Hash, opts: OpOptions = {}): Promise<Commit[]> {
    this.check(opts)
    assertHash(hash)
    return this.doHistory(hash, opts)
  }

  async deleteCommit(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.check(opts)
    assertHash(hash)
    return this.doDeleteCommit(hash, opts)
  }

  async deleteCommits(hashes: readonly Hash[], opts: OpOptions = {}): Promise<void> {
    this.check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    return this.doDeleteCommits(hashes, opts)
  }

  async getRef(name: string, opts: OpOptions = {}): Promise<string | undefined> {
    this.check(opts)
    assertRefName(name)
    return this.doGetRef(name, opts)
  }

  async setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts: OpOptions = {},
  ): Promise<boolean> {
    this.check(opts)
    assertRefName(name)
    if (value !== undefined) assertRefValue(value)
    assertRefExpected(expected)
    return this.doSetRef(name, value, expected, opts)
  }

  async *listRefs(prefix: string, opts: OpOptions = {}): AsyncIterable<[name: string, value: string]> {
    this.check(opts)
    assertRefPrefix(prefix)
    yield* this.#checked(this.doListRefs(prefix, opts), opts)
  }

  async stats(opts: OpOptions = {}): Promise<StoreStats> {
    this.check(opts)
    return this.doStats(opts)
  }

  /** Idempotent: the backend's `doClose` runs once; every other method then throws CAIRN_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.doClose()
  }
}
