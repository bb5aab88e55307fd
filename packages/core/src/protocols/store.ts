import type { Hash } from '../hash.js'
import type { Commit, CommitQuery } from './commit.js'
import type { OpOptions, SpecVersion } from './common.js'

export interface BlobRef {
  hash: Hash
  size: number
}

export interface PutBlobOptions extends OpOptions {
  /**
   * The hash the caller expects. When given and the data hashes to something else, the put
   * throws `CAIRN_CORRUPT` and stores nothing.
   */
  expectedHash?: Hash
}

export interface OpenBlobOptions extends OpOptions {
  /** First byte to deliver (inclusive, default 0). */
  start?: number
  /** Byte to stop before (exclusive, default the blob's size). */
  end?: number
}

export interface SetRefOptions extends OpOptions {
  /**
   * `false`: the caller can afford to lose this write (and a delete) in a power cut, so the store
   * MAY skip making it durable (fsync and the like). A hint: a store may ignore it and write
   * durably. Compare-and-swap stays atomic either way, and a non-durable write is never torn: after
   * a crash the ref holds the old value, the new one, or (for a ref created this way) nothing.
   * Cairn's lease refs use it: a lost lease only lets another process compute the same call again,
   * and content addressing keeps that result right.
   */
  durable?: boolean
}

export interface StoreStats {
  blobs: number
  blobBytes: number
  commits: number
  refs: number
}

/** What a store can do; the conformance suite runs the groups that apply and reports the rest as skipped. */
export interface StoreCapabilities {
  /** `putBlob` accepts an AsyncIterable and does not hold the whole blob in memory. */
  streamingWrites: boolean
  /** `openBlob` delivers chunks as they are read rather than after loading the whole blob. */
  streamingReads: boolean
  /** Refs support compare-and-swap that is atomic across processes/clients sharing the backend. */
  crossProcessCas: boolean
  /** Data survives `close()` and reopening (false for in-memory stores). */
  persistent: boolean
  /** The store can move a corrupt blob aside (`quarantineBlob`). */
  quarantine: boolean
  /** The largest blob the store accepts, in bytes (undefined: no limit beyond memory/disk). */
  maxBlobSize?: number
}

/**
 * Where Cairn keeps blobs, commits and refs.
 *
 * Rules every implementation follows (the conformance suite checks each one):
 *
 * - Every method is async (or returns an async iterable) and accepts `{ signal }`. A fired signal
 *   gives `CAIRN_ABORTED` and no change.
 * - After `close()`, every method throws (or its iterator throws) `CAIRN_CLOSED`. `close()` itself
 *   is idempotent.
 * - Bad input gives `CAIRN_INVALID_ARGUMENT` and changes nothing: a hash that is not 64 lowercase hex
 *   characters, a malformed ref name (see `assertRefName`), a commit whose `hash` is not
 *   `commitHash(commit)`.
 * - A backend failure gives `CAIRN_BACKEND` (with `cause`); it is never reported as "not found".
 */
export interface Store {
  readonly specVersion: SpecVersion
  readonly capabilities: StoreCapabilities

  // ---- blobs: content-addressed, immutable, verified ----

  /**
   * Stores bytes under their SHA-256 and returns `{ hash, size }`. Idempotent: putting content
   * that is already stored succeeds and leaves the stored copy untouched. Parallel puts of the
   * same content all succeed with the same ref. A put either stores the whole blob or nothing
   * (no partially written blob is ever visible).
   */
  putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutBlobOptions): Promise<BlobRef>

  /**
   * Returns the blob's bytes after checking they hash to `hash`. Unknown hash: `CAIRN_NOT_FOUND`.
   * Bytes that do not match: `CAIRN_CORRUPT` — wrong bytes are never returned.
   */
  getBlob(hash: Hash, opts?: OpOptions): Promise<Uint8Array>

  /**
   * Streams the blob, optionally the byte range `[start, end)`. Verified: the whole blob is hashed
   * as it is read, and if it does not match, the iterator throws `CAIRN_CORRUPT` before it
   * finishes (a consumer that reads to the end never mistakes corrupt data for good data).
   * Unknown hash: `CAIRN_NOT_FOUND` (thrown by the first `next()` at the latest).
   * A range outside `0 <= start <= end <= size`: `CAIRN_INVALID_ARGUMENT`.
   */
  openBlob(hash: Hash, opts?: OpenBlobOptions): AsyncIterable<Uint8Array>

  /** Whether a blob is stored (not verified). */
  hasBlob(hash: Hash, opts?: OpOptions): Promise<boolean>

  /** Removes a blob. Idempotent: removing an absent blob succeeds. */
  deleteBlob(hash: Hash, opts?: OpOptions): Promise<void>

  /** Every stored blob once, in no particular order. */
  listBlobs(opts?: OpOptions): AsyncIterable<BlobRef>

  /**
   * Moves a corrupt blob out of the addressable space (kept for inspection where the backend can),
   * so `hasBlob` is false afterwards. Optional: see `capabilities.quarantine`.
   */
  quarantineBlob?(hash: Hash, opts?: OpOptions): Promise<void>

  // ---- commits ----

  /**
   * Records a commit. Idempotent by hash: putting the same commit again succeeds and changes nothing.
   * A commit whose `hash` is not `commitHash(commit)` is refused with `CAIRN_INVALID_ARGUMENT`.
   */
  putCommit(commit: Commit, opts?: OpOptions): Promise<void>

  /**
   * A commit by full hash or by a unique prefix of 4 to 64 hex characters. No match: `undefined`.
   * A prefix that matches several commits: `CAIRN_AMBIGUOUS`. A malformed prefix: `CAIRN_INVALID_ARGUMENT`.
   */
  getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined>

  /** The newest *completed* commit with this fingerprint (largest `createdAt`, ties broken by larger hash), or `undefined`. */
  findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined>

  /**
   * Commits matching every given filter, newest first: by `createdAt` descending, ties broken by
   * hash descending. `limit` caps the count (0 yields nothing).
   *
   * - `input` (lineage): exactly the commits whose `inputs` contain that hash, each once (even if it
   *   names the input twice), combined with the other filters and `limit` like any filter; a hash
   *   nothing consumed, stored or not, yields nothing; one that is not 64 lowercase hex characters
   *   is `CAIRN_INVALID_ARGUMENT`. A deleted consumer is no longer listed.
   */
  listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit>

  /**
   * Every commit sharing the fingerprint of commit `hash` (that commit included), newest first
   * (same order as `listCommits`). Unknown hash: `CAIRN_NOT_FOUND`.
   */
  history(hash: Hash, opts?: OpOptions): Promise<Commit[]>

  /** Removes a commit (and its fingerprint index entry). Idempotent. Blobs are left to `gc`. */
  deleteCommit(hash: Hash, opts?: OpOptions): Promise<void>

  /**
   * Optional: removes many commits with one durable write where the backend can (gc uses it).
   * Same rules as `deleteCommit` for each hash; every hash is validated before anything changes.
   */
  deleteCommits?(hashes: readonly Hash[], opts?: OpOptions): Promise<void>

  // ---- refs: small mutable pointers with compare-and-swap ----

  /** The ref's value, or `undefined`. */
  getRef(name: string, opts?: OpOptions): Promise<string | undefined>

  /**
   * Sets (`value` a string) or deletes (`value` undefined) a ref, and returns whether it did.
   * `expected` omitted: unconditional, returns true. `expected === null`: only if the ref is absent.
   * `expected` a string: only if the current value equals it. Atomic: of N concurrent calls with
   * the same `expected`, exactly one returns true (across processes when `capabilities.crossProcessCas`).
   * `opts.durable === false` lets the store skip durability, never atomicity (see `SetRefOptions`).
   */
  setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts?: SetRefOptions,
  ): Promise<boolean>

  /** Every ref whose name starts with `prefix` (which may be ''), sorted by name (UTF-16 code unit order). */
  listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]>

  // ---- maintenance ----

  stats(opts?: OpOptions): Promise<StoreStats>

  /** Releases resources. Idempotent. Every other method then throws `CAIRN_CLOSED`. */
  close(): Promise<void>
}
