import { readdir, rename, rm, stat } from 'node:fs/promises'
import { uptime } from 'node:os'
import { join, resolve } from 'node:path'
import {
  assertCommitQuery,
  assertHash,
  assertHashPrefix,
  assertRefExpected,
  assertRefName,
  assertRefPrefix,
  assertRefValue,
  assertValidCommit,
  type BlobRef,
  CairnError,
  type Commit,
  type CommitQuery,
  closedError,
  ErrorCode,
  type Hash,
  invalidArgument,
  matchesQuery,
  notFound,
  type OpenBlobOptions,
  type OpOptions,
  type PutBlobOptions,
  type SetRefOptions,
  SPEC_VERSION,
  type Store,
  type StoreCapabilities,
  type StoreStats,
  throwIfAborted,
} from '@cairn/core'
import { blobExists, listBlobFiles, readBlob, streamBlob, writeBlob } from './blob-files.js'
import { CommitLog, type LogEntry } from './commit-log.js'
import { errno, ioError } from './io-errors.js'
import { blobPath, ensureLayout, type Paths, pathsFor } from './layout.js'
import {
  isProcessAlive,
  releaseHolder,
  removeAbandonedLocks,
  removeDeadHolders,
  retainHolder,
} from './lock.js'
import { casRef, countRefs, listRefFiles, readRef } from './ref-files.js'

export interface FsStoreOptions {
  /** The store's directory (default `.cairn`, resolved against the working directory). */
  root?: string
  /** Compact the commit log on open when more than half of it is dead records (default true). */
  compactOnOpen?: boolean
  /** Create the store when the root has none (default true); false opens an existing store only (CAIRN_NOT_FOUND otherwise). */
  create?: boolean
}

const CAPABILITIES: StoreCapabilities = {
  streamingWrites: true,
  streamingReads: true,
  crossProcessCas: true,
  persistent: true,
  quarantine: true,
}
/** Temp files whose name carries no PID are removed once this old. */
const ORPHAN_TEMP_AGE_MS = 60 * 60 * 1000

const newestFirst = (a: LogEntry, b: LogEntry): number =>
  b.createdAt - a.createdAt || (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0)

/**
 * Cairn's embedded default store: blobs as content-addressed files written atomically and verified
 * on every read, commits in a checksummed append-only log, refs as files with cross-process
 * compare-and-swap. Several processes may share one root.
 */
export class FsStore implements Store {
  static readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly root: string
  readonly #paths: Paths
  readonly #log: CommitLog
  #closed = false

  private constructor(paths: Paths, log: CommitLog) {
    this.root = paths.root
    this.#paths = paths
    this.#log = log
  }

  static async open(options: FsStoreOptions = {}): Promise<FsStore> {
    if (options.root !== undefined && (typeof options.root !== 'string' || options.root === '')) {
      throw invalidArgument('FsStore root must be a non-empty path string')
    }
    const paths = pathsFor(resolve(options.root ?? '.cairn'))
    await ensureLayout(paths, options.create ?? true)
    await removeOrphanTemps(paths)
    retainHolder(paths.locks)
    let log: CommitLog | undefined
    try {
      removeAbandonedLocks(paths.locks)
      removeDeadHolders(paths.locks)
      log = CommitLog.open(paths.log, paths.locks, paths.tmp)
      const total = log.entries.size + log.deadRecords
      if ((options.compactOnOpen ?? true) && log.deadRecords > 1000 && log.deadRecords * 2 > total)
        await log.compact()
      return new FsStore(paths, log)
    } catch (error) {
      await log?.close().catch(() => undefined)
      releaseHolder(paths.locks)
      throw error
    }
  }

  #check(opts?: OpOptions): void {
    if (this.#closed) throw closedError('FsStore')
    throwIfAborted(opts?.signal)
  }

  // ---- blobs ----

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts: PutBlobOptions = {}): Promise<BlobRef> {
    this.#check(opts)
    if (opts.expectedHash !== undefined) assertHash(opts.expectedHash, 'expectedHash')
    return writeBlob(this.#paths, data, opts.expectedHash, opts.signal)
  }

  async getBlob(hash: Hash, opts: OpOptions = {}): Promise<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    return readBlob(this.#paths, hash)
  }

  openBlob(hash: Hash, opts: OpenBlobOptions = {}): AsyncIterable<Uint8Array> {
    const check = () => {
      this.#check(opts)
      assertHash(hash)
    }
    const paths = this.#paths
    return (async function* () {
      check()
      yield* streamBlob(paths, hash, opts, opts.signal)
    })()
  }

  async hasBlob(hash: Hash, opts: OpOptions = {}): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    return blobExists(this.#paths, hash)
  }

  async deleteBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    await rm(blobPath(this.#paths, hash), { force: true }).catch((error) => {
      throw ioError('deleting blob', blobPath(this.#paths, hash), error)
    })
  }

  async *listBlobs(opts: OpOptions = {}): AsyncIterable<BlobRef> {
    this.#check(opts)
    yield* listBlobFiles(this.#paths, () => this.#check(opts))
  }

  /** Moves the blob file to `quarantine/<hash>.<ms>` (kept for inspection, out of the addressable space). */
  async quarantineBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const from = blobPath(this.#paths, hash)
    try {
      await rename(from, join(this.#paths.quarantine, `${hash}.${Date.now()}`))
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw ioError('quarantining blob', from, error)
    }
  }

  // ---- commits ----

  async putCommit(commit: Commit, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertValidCommit(commit)
    this.#refresh()
    if (this.#log.entries.has(commit.hash)) return
    await this.#log.append({ op: 'put', commit })
  }

  async getCommit(hashOrPrefix: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    this.#refresh()
    const exact = this.#log.entries.get(hashOrPrefix)
    if (exact) return this.#readExact(exact)
    this.#throwIfDamaged(hashOrPrefix)
    const matches: Hash[] = []
    for (const hash of this.#log.entries.keys()) if (hash.startsWith(hashOrPrefix)) matches.push(hash)
    if (matches.length > 1) {
      throw new CairnError(ErrorCode.Ambiguous, `prefix ${hashOrPrefix} matches ${matches.length} commits`, {
        details: { prefix: hashOrPrefix, candidates: matches.slice(0, 10) },
      })
    }
    const entry = matches[0] === undefined ? undefined : this.#log.entries.get(matches[0])
    return entry && this.#readExact(entry)
  }

  /** A commit asked for by hash: one whose record fails validation is CAIRN_CORRUPT, never returned. */
  #readExact(entry: LogEntry): Commit {
    const commit = this.#log.read(entry, true)
    if (commit) return commit
    return this.#throwIfDamaged(entry.hash) as never
  }

  #throwIfDamaged(hash: string): void {
    if (this.#log.damaged.has(hash)) {
      throw new CairnError(ErrorCode.Corrupt, `commit ${hash} is damaged in ${this.#log.path}`, {
        details: { hash },
      })
    }
  }

  async findByFingerprint(fingerprint: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') throw invalidArgument('fingerprint must be a string')
    this.#refresh()
    for (;;) {
      let best: LogEntry | undefined
      for (const hash of this.#log.byFingerprint.get(fingerprint) ?? []) {
        const entry = this.#log.entries.get(hash) as LogEntry
        if (entry.status !== 'completed') continue
        if (!best || newestFirst(entry, best) < 0) best = entry
      }
      if (!best) return undefined
      // A damaged record drops out of the index (counted in logHealth); the next best answers.
      const commit = this.#log.read(best, true)
      if (commit) return commit
    }
  }

  async *listCommits(query?: CommitQuery, opts: OpOptions = {}): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    this.#refresh()
    // The narrower index drives; matchesQuery applies every filter either way.
    const indexed =
      q.fingerprint !== undefined
        ? (this.#log.byFingerprint.get(q.fingerprint) ?? [])
        : q.input !== undefined
          ? (this.#log.byInput.get(q.input) ?? [])
          : undefined
    const candidates =
      indexed === undefined
        ? [...this.#log.entries.values()]
        : [...indexed].map((h) => this.#log.entries.get(h) as LogEntry)
    const matching = candidates.filter((e) => matchesQuery(entryAsCommitFields(e), q)).sort(newestFirst)
    let left = q.limit ?? Number.POSITIVE_INFINITY
    for (const entry of matching) {
      if (left <= 0) return
      this.#check(opts)
      // Listings (log, gc) trust the record's checksum and skip re-hashing each commit: re-hashing
      // is for lookups that serve a cached result or name a commit by hash.
      const commit = this.#log.read(entry, false) as Commit
      left--
      yield commit
    }
  }

  async history(hash: Hash, opts: OpOptions = {}): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    this.#refresh()
    const entry = this.#log.entries.get(hash)
    if (!entry) {
      this.#throwIfDamaged(hash)
      throw notFound(`commit ${hash} not found`, { hash })
    }
    this.#readExact(entry)
    const commits: Commit[] = []
    for (const e of [...(this.#log.byFingerprint.get(entry.fingerprint) ?? [])]
      .map((h) => this.#log.entries.get(h) as LogEntry)
      .sort(newestFirst)) {
      const commit = this.#log.read(e, true)
      if (commit) commits.push(commit)
    }
    return commits
  }

  async deleteCommit(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    this.#refresh()
    if (!this.#log.entries.has(hash)) return
    await this.#log.append({ op: 'del', hash })
  }

  async deleteCommits(hashes: readonly Hash[], opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    this.#refresh()
    const present = [...new Set(hashes)].filter((hash) => this.#log.entries.has(hash))
    if (present.length > 0) await this.#log.appendAll(present.map((hash) => ({ op: 'del' as const, hash })))
  }

  /** Rewrites the commit log without dead records, atomically; safe while other processes use the store. */
  async compact(): Promise<void> {
    this.#check()
    await this.#log.compact()
  }

  // ---- refs ----

  async getRef(name: string, opts: OpOptions = {}): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    return readRef(this.#paths, name)
  }

  async setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts: SetRefOptions = {},
  ): Promise<boolean> {
    this.#check(opts)
    assertRefName(name)
    if (value !== undefined) assertRefValue(value)
    assertRefExpected(expected)
    return casRef(this.#paths, name, value, expected, opts.signal, opts.durable !== false)
  }

  async *listRefs(prefix: string, opts: OpOptions = {}): AsyncIterable<[string, string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    for (const entry of await listRefFiles(this.#paths, prefix)) {
      this.#check(opts)
      yield entry
    }
  }

  // ---- maintenance ----

  async stats(opts: OpOptions = {}): Promise<StoreStats> {
    this.#check(opts)
    this.#refresh()
    let blobs = 0
    let blobBytes = 0
    for await (const blob of this.listBlobs(opts)) {
      blobs++
      blobBytes += blob.size
    }
    return { blobs, blobBytes, commits: this.#log.entries.size, refs: await countRefs(this.#paths) }
  }

  /**
   * The commit log's condition: `badRecords` are complete records that failed their checksum or
   * validation (a torn write that a later append terminated, or damage), `deadRecords` are ones a
   * compaction would drop.
   */
  logHealth(): { badRecords: number; deadRecords: number; liveCommits: number } {
    this.#check()
    this.#refresh()
    return {
      badRecords: this.#log.badRecords,
      deadRecords: this.#log.deadRecords,
      liveCommits: this.#log.entries.size,
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.#log.close()
    } finally {
      releaseHolder(this.#paths.locks)
    }
  }

  #refresh(): void {
    this.#log.refresh()
  }
}

function entryAsCommitFields(e: LogEntry): Commit {
  return {
    hash: e.hash,
    fingerprint: e.fingerprint,
    createdAt: e.createdAt,
    status: e.status,
    tags: e.tags,
    inputs: e.inputs,
    task: { name: e.name },
  } as Commit
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    if (errno(error) === 'ENOENT') return []
    throw ioError('listing', dir, error)
  }
}

/**
 * Temp files left by writers that are gone: a dead PID on this host, or written before this boot.
 * A temp file whose PID is alive is never touched, however old (a long streamed put); a name
 * without a PID is removed after an hour.
 */
async function removeOrphanTemps(paths: Paths): Promise<void> {
  const bootedAt = Date.now() - uptime() * 1000
  for (const name of await readdirOrEmpty(paths.tmp)) {
    const path = join(paths.tmp, name)
    const pid = Number(name.split('-')[0])
    const info = await stat(path).catch((error) => {
      if (errno(error) === 'ENOENT') return undefined // finished meanwhile
      throw ioError('checking', path, error)
    })
    if (!info) continue
    const orphan =
      info.mtimeMs < bootedAt - 60_000 ||
      (Number.isInteger(pid) && pid > 0
        ? pid !== process.pid && !isProcessAlive(pid)
        : Date.now() - info.mtimeMs > ORPHAN_TEMP_AGE_MS)
    if (orphan) {
      await rm(path, { force: true }).catch((error) => {
        throw ioError('removing stale temp file', path, error)
      })
    }
  }
}
