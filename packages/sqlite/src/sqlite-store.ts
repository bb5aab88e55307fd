import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { open as openFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import {
  assertBlobInput,
  assertCommitQuery,
  assertHash,
  assertHashPrefix,
  assertRefExpected,
  assertRefName,
  assertRefPrefix,
  assertRefValue,
  assertStorableCommit,
  type BlobRef,
  backendError,
  blobRangeOptions,
  CairnError,
  type Commit,
  type CommitQuery,
  checkExpectedHash,
  closedError,
  corrupt,
  createHasher,
  ErrorCode,
  type Hash,
  invalidArgument,
  notFound,
  type OpenBlobOptions,
  type OpOptions,
  ownChunk,
  type PutBlobOptions,
  SPEC_VERSION,
  type Store,
  type StoreCapabilities,
  type StoreStats,
  sha256Hex,
  throwIfAborted,
  verifiedRange,
} from '@cairn/core'
import Database from 'better-sqlite3'
import { BlobFiles } from './blob-files.js'
import { plainBytes, readWhole, readWholeAsync } from './blob-reads.js'
import { FIND_BY_FINGERPRINT, type ListCursor, listCommitsStatement } from './commit-queries.js'
import { CommitRows } from './commit-rows.js'
import { prepareDatabase } from './schema.js'

export interface SqliteStoreOptions {
  /** The database file (created if missing). Large blobs go to `<path>.blobs/` beside it. */
  path: string
  /** Blobs up to this many bytes are rows in the database; larger ones are files (default 64 KiB). */
  inlineBlobBytes?: number
  /** How long a write waits for another process's transaction before CAIRN_BACKEND (default 10 s). */
  busyTimeoutMs?: number
  /** Create the database when it is missing (default true); false opens an existing one only (CAIRN_NOT_FOUND otherwise). */
  create?: boolean
}

const CAPABILITIES: StoreCapabilities = {
  streamingWrites: true,
  streamingReads: true,
  crossProcessCas: true,
  persistent: true,
  quarantine: true,
}
const PAGE = 256
const MAX_AMBIGUOUS_CANDIDATES = 20
/** Blob files up to this size are read synchronously. */
const SYNC_READ_BYTES = 1024 * 1024
/** Free pages above this are handed back to the file system after deletes. */
const VACUUM_THRESHOLD_PAGES = 256

/**
 * A Store in one SQLite file (WAL) and a directory of large blobs beside it: metadata indexed for
 * `log`, CAS refs in immediate transactions, several processes on one file. See the README for the
 * blob placement measurement.
 */
export class SqliteStore implements Store {
  static readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly path: string
  readonly inlineBlobBytes: number
  readonly #db: Database.Database
  readonly #files: BlobFiles
  readonly #commits = new CommitRows()
  /** The database file's identity when opened: a write checks it is still the file at `path`. */
  readonly #identity: FileIdentity
  /** One IMMEDIATE-capable transaction wrapper, made once (making one per call costs a few µs). */
  readonly #transaction: Database.Transaction<(body: () => unknown) => unknown>
  #closed = false

  private constructor(
    path: string,
    db: Database.Database,
    identity: FileIdentity,
    files: BlobFiles,
    inlineBlobBytes: number,
  ) {
    this.path = path
    this.#db = db
    this.#identity = identity
    this.#files = files
    this.inlineBlobBytes = inlineBlobBytes
    this.#transaction = db.transaction((body: () => unknown) => {
      this.#assertSameFile()
      return body()
    })
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw invalidArgument('SqliteStore.open needs { path }')
    }
    const inline = options.inlineBlobBytes ?? 64 * 1024
    if (!Number.isSafeInteger(inline) || inline < 0) {
      throw invalidArgument('inlineBlobBytes must be a non-negative integer')
    }
    const busy = options.busyTimeoutMs ?? 10_000
    if (!Number.isSafeInteger(busy) || busy < 0)
      throw invalidArgument('busyTimeoutMs must be a non-negative integer')
    const path = resolve(options.path)
    if (options.create === false && !existsSync(path)) {
      throw notFound(`no SQLite store at ${path}`, { path })
    }
    let db: Database.Database | undefined
    try {
      mkdirSync(dirname(path), { recursive: true })
      db = new Database(path)
      prepareDatabase(db, busy)
      const identity = fileIdentity(path)
      if (identity === undefined) throw new Error('the database file disappeared while being opened')
      return new SqliteStore(path, db, identity, new BlobFiles(`${path}.blobs`), inline)
    } catch (error) {
      db?.close()
      if (CairnError.isInstance(error)) throw error
      throw backendError(`cannot open SQLite database ${path}: ${(error as Error).message}`, error)
    }
  }

  /** Prepared statements, kept: preparing costs more than running a point query. */
  readonly #statements = new Map<string, Database.Statement>()

  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  /**
   * Runs `body` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before anything is read,
   * so a read-check-write (CAS, put-if-absent) is atomic across processes, and a writer waits up to
   * `busyTimeoutMs` for another instead of failing on a stale snapshot.
   */
  #write<T>(what: string, body: () => T): T {
    return this.#run(what, () => this.#transaction.immediate(body) as T)
  }

  /**
   * SQLite keeps writing to a database file that was deleted (or renamed over) while open, and the
   * writes would be lost with it: a write checks first that `path` is still the file it opened.
   */
  #assertSameFile(): void {
    const now = fileIdentity(this.path)
    if (now === undefined || now.dev !== this.#identity.dev || now.ino !== this.#identity.ino) {
      throw backendError(
        `the database file ${this.path} was ${now === undefined ? 'deleted' : 'replaced'} while open; reopen the store`,
        new Error(now === undefined ? 'ENOENT' : 'file identity changed'),
      )
    }
  }

  #check(opts: OpOptions | undefined): void {
    if (this.#closed) throw closedError('SqliteStore')
    throwIfAborted(opts?.signal)
  }

  /** Runs SQL; SQLite and file-system errors become CAIRN_BACKEND (coded errors pass through). */
  #run<T>(what: string, body: () => T): T {
    try {
      return body()
    } catch (error) {
      if (CairnError.isInstance(error)) throw error
      throw backendError(`sqlite ${what} failed: ${(error as Error).message}`, error)
    }
  }

  // ---- blobs ----

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutBlobOptions): Promise<BlobRef> {
    this.#check(opts)
    const expected = opts?.expectedHash
    if (expected !== undefined) assertHash(expected, 'expectedHash')
    assertBlobInput(data)
    if (data instanceof Uint8Array) {
      const hash = sha256Hex(data)
      checkExpectedHash(hash, expected)
      this.#storeBytes(hash, data)
      return { hash, size: data.byteLength }
    }
    return this.#putStream(data, expected, opts)
  }

  #has(hash: Hash): boolean {
    return this.#run('hasBlob', () => this.#sql('SELECT 1 FROM blobs WHERE hash = ?').get(hash) !== undefined)
  }

  #storeBytes(hash: Hash, bytes: Uint8Array): void {
    if (this.#has(hash)) return
    if (bytes.byteLength <= this.inlineBlobBytes) {
      this.#write('putBlob', () =>
        this.#sql('INSERT OR IGNORE INTO blobs (hash, size, data) VALUES (?, ?, ?)').run(
          hash,
          bytes.byteLength,
          bytes,
        ),
      )
      return
    }
    const temp = this.#run('putBlob', () => this.#files.writeTempSync(bytes))
    this.#publishFile(temp, hash, bytes.byteLength)
  }

  /**
   * Moves a finished temp file into place and inserts its row in one IMMEDIATE transaction: the write
   * lock orders it against a `deleteBlob` in another process (row and file go together), and a row
   * never points at a missing file.
   */
  #publishFile(temp: string, hash: Hash, size: number): void {
    try {
      this.#write('putBlob', () => {
        if (this.#sql('SELECT 1 FROM blobs WHERE hash = ?').get(hash) !== undefined) return
        this.#files.publishSync(temp, hash)
        this.#sql('INSERT INTO blobs (hash, size, data) VALUES (?, ?, NULL)').run(hash, size)
      })
    } finally {
      this.#files.removeSync(temp) // already moved, unless the blob was there or something failed
    }
  }

  /** Up to the inline limit in memory; beyond it, the stream goes to a temp file while it is hashed. */
  async #putStream(
    data: AsyncIterable<Uint8Array>,
    expected: Hash | undefined,
    opts?: OpOptions,
  ): Promise<BlobRef> {
    const hasher = createHasher()
    const held: Uint8Array[] = []
    let size = 0
    let temp: { path: string; handle: FileHandle } | undefined
    try {
      let index = 0
      for await (const chunk of data) {
        this.#check(opts)
        // A copy: a producer may reuse one buffer for every chunk.
        const piece = ownChunk(chunk, index++)
        hasher.update(piece)
        size += piece.byteLength
        if (temp === undefined && size <= this.inlineBlobBytes) {
          held.push(piece)
          continue
        }
        if (temp === undefined) {
          temp = await this.#files.openTemp()
          for (const earlier of held.splice(0)) await temp.handle.write(earlier)
        }
        await temp.handle.write(piece)
      }
      this.#check(opts)
      const hash = hasher.digest()
      checkExpectedHash(hash, expected)
      if (temp === undefined) {
        const bytes = Buffer.concat(held)
        this.#storeBytes(hash, bytes)
      } else {
        await temp.handle.sync()
        await temp.handle.close()
        const path = temp.path
        temp = undefined
        this.#publishFile(path, hash, size)
      }
      return { hash, size }
    } catch (error) {
      if (CairnError.isInstance(error) || !(error instanceof Error) || !('errno' in error)) throw error
      throw backendError(`sqlite putBlob failed: ${error.message}`, error)
    } finally {
      if (temp !== undefined) {
        await temp.handle.close().catch(() => {})
        this.#files.removeSync(temp.path)
      }
    }
  }

  #row(hash: Hash): { size: number; data: Buffer | null } | undefined {
    return this.#run(
      'read',
      () =>
        this.#sql('SELECT size, data FROM blobs WHERE hash = ?').get(hash) as
          | { size: number; data: Buffer | null }
          | undefined,
    )
  }

  async getBlob(hash: Hash, opts?: OpOptions): Promise<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    const row = this.#row(hash)
    if (row === undefined) throw notFound(`blob ${hash} not found`, { hash })
    const bytes = row.data !== null ? plainBytes(row.data) : await this.#readFileOf(hash, row.size)
    const actual = sha256Hex(bytes)
    if (actual !== hash || bytes.byteLength !== row.size) {
      throw corrupt(`blob ${hash} does not match its hash (${actual})`, { hash, actual })
    }
    return bytes
  }

  async *openBlob(hash: Hash, opts?: OpenBlobOptions): AsyncIterable<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    const range = blobRangeOptions(opts)
    const row = this.#row(hash)
    if (row === undefined) throw notFound(`blob ${hash} not found`, { hash })
    const source = row.data !== null ? [plainBytes(row.data)] : this.#fileChunks(hash)
    yield* verifiedRange(source, { hash, size: row.size }, range, () => this.#check(opts))
  }

  /**
   * Opens a blob's file with `open`. A file missing under an existing row may be mid-delete, or
   * deleted and put back, by another process, so it is looked for again; a row gone means the blob
   * was deleted (not found), a row that stays without its file is corruption.
   */
  async #openFileOf<T>(hash: Hash, open: (path: string) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await open(this.#files.path(hash))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw backendError(`sqlite read of blob ${hash} failed: ${(error as Error).message}`, error)
        }
        // A delete in another process unlinks the file before its transaction commits: wait for the
        // write lock (an empty IMMEDIATE transaction), so the row read next is settled.
        this.#write('read', () => {})
        if (!this.#has(hash)) throw notFound(`blob ${hash} not found (deleted while being read)`, { hash })
        if (attempt >= 4) throw corrupt(`blob ${hash} has lost its file`, { hash })
      }
    }
  }

  /**
   * Reads a blob file whole into one buffer of the recorded size. Up to 1 MiB synchronously, like
   * SQLite's own reads (a few µs, where each thread-pool round trip of an async read costs more than
   * the read); larger files with one async read call for the lot (`readFile` makes one per 512 KiB,
   * then a copy). A file longer or shorter than its row says is CAIRN_CORRUPT.
   */
  async #readFileOf(hash: Hash, size: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(size)
    let read: { offset: number; beyond: number }
    try {
      if (size <= SYNC_READ_BYTES) {
        const fd = await this.#openFileOf(hash, (path) => openSync(path, 'r'))
        try {
          read = readWhole(bytes, (buffer, offset, length, position) =>
            readSync(fd, buffer, offset, length, position),
          )
        } finally {
          closeSync(fd)
        }
      } else {
        const handle = await this.#openFileOf(hash, (path) => openFile(path, 'r'))
        try {
          read = await readWholeAsync(bytes, async (buffer, offset, length, position) => {
            return (await handle.read(buffer, offset, length, position)).bytesRead
          })
        } finally {
          await handle.close()
        }
      }
    } catch (error) {
      if (CairnError.isInstance(error)) throw error
      throw backendError(`sqlite read of blob ${hash} failed: ${(error as Error).message}`, error)
    }
    if (read.offset < size || read.beyond > 0) {
      const wrong = read.offset < size ? 'shorter' : 'longer'
      throw corrupt(`blob ${hash}'s file is ${wrong} than its ${size} bytes`, { hash })
    }
    return bytes
  }

  /** A blob file's chunks, 1 MiB at a time; an I/O error is CAIRN_BACKEND. */
  async *#fileChunks(hash: Hash): AsyncGenerator<Uint8Array> {
    const handle = await this.#openFileOf(hash, (path) => openFile(path, 'r'))
    try {
      for (;;) {
        const buffer = new Uint8Array(1024 * 1024)
        let bytesRead: number
        try {
          ;({ bytesRead } = await handle.read(buffer, 0, buffer.byteLength, null))
        } catch (error) {
          throw backendError(`sqlite read of blob ${hash} failed: ${(error as Error).message}`, error)
        }
        if (bytesRead === 0) return
        yield buffer.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
  }

  async hasBlob(hash: Hash, opts?: OpOptions): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    return this.#has(hash)
  }

  /**
   * Row and file go in one IMMEDIATE transaction (a put of the same blob in another process waits for
   * it); if the file cannot be removed, the row stays. Free pages are then handed back.
   */
  async deleteBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const removed = this.#write('deleteBlob', () => {
      const row = this.#sql('SELECT data IS NULL AS external FROM blobs WHERE hash = ?').get(hash) as
        | { external: number }
        | undefined
      if (row === undefined) return undefined
      this.#sql('DELETE FROM blobs WHERE hash = ?').run(hash)
      if (row.external) this.#files.removeSync(this.#files.path(hash))
      return row
    })
    if (removed && !removed.external) this.#giveBackSpace()
  }

  /** Once enough pages are free, hands them back to the file system (the file shrinks). */
  #giveBackSpace(): void {
    this.#run('vacuum', () => {
      const free = this.#db.pragma('freelist_count', { simple: true }) as number
      if (free > VACUUM_THRESHOLD_PAGES) this.#db.pragma('incremental_vacuum')
    })
  }

  /**
   * Moves the row to the quarantine table and the file (if any) to `quarantine/`, in one IMMEDIATE
   * transaction like a delete. A row whose file is already gone is moved all the same: `hasBlob` is
   * false afterwards, so the blob can be put again.
   */
  async quarantineBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    this.#write('quarantineBlob', () => {
      const row = this.#sql('SELECT size, data FROM blobs WHERE hash = ?').get(hash) as
        | { size: number; data: Buffer | null }
        | undefined
      if (row === undefined) return
      if (row.data === null) this.#files.quarantineSync(hash)
      this.#sql('INSERT OR REPLACE INTO quarantine (hash, size, data, at) VALUES (?, ?, ?, ?)').run(
        hash,
        row.size,
        row.data,
        Date.now(),
      )
      this.#sql('DELETE FROM blobs WHERE hash = ?').run(hash)
    })
  }

  async *listBlobs(opts?: OpOptions): AsyncIterable<BlobRef> {
    this.#check(opts)
    let after = ''
    for (;;) {
      const rows = this.#run(
        'listBlobs',
        () =>
          this.#sql('SELECT hash, size FROM blobs WHERE hash > ? ORDER BY hash LIMIT ?').all(
            after,
            PAGE,
          ) as BlobRef[],
      )
      for (const row of rows) {
        this.#check(opts)
        yield { hash: row.hash, size: row.size }
      }
      if (rows.length < PAGE) return
      after = (rows[rows.length - 1] as BlobRef).hash
    }
  }

  // ---- commits ----

  async putCommit(commit: Commit, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertStorableCommit(commit)
    const json = JSON.stringify(commit)
    const c = JSON.parse(json) as Commit
    const inserted = this.#write('putCommit', () => {
      const { changes } = this.#sql(
        'INSERT OR IGNORE INTO commits (hash, fingerprint, func, status, created_at, json) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(c.hash, c.fingerprint, c.task.name, c.status, c.createdAt, json)
      if (changes === 0) return false
      const tag = this.#sql('INSERT INTO tags (hash, key, value, created_at) VALUES (?, ?, ?, ?)')
      for (const [key, value] of Object.entries(c.tags)) tag.run(c.hash, key, value, c.createdAt)
      // OR IGNORE: the same commit passed twice is one input.
      const input = this.#sql('INSERT OR IGNORE INTO inputs (input, hash, created_at) VALUES (?, ?, ?)')
      for (const consumed of c.inputs) input.run(consumed, c.hash, c.createdAt)
      return true
    })
    // Checked by assertStorableCommit just now: the first hit on it need not hash it again.
    if (inserted) this.#commits.remember(c.hash, json)
  }

  #rowByHash(hash: string): { hash: string; json: string } | undefined {
    return this.#run(
      'read commits',
      () =>
        this.#sql('SELECT hash, json FROM commits WHERE hash = ?').get(hash) as
          | { hash: string; json: string }
          | undefined,
    )
  }

  /** By full hash or unique prefix; a commit whose row does not hash to it is CAIRN_CORRUPT. */
  async getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    let hash: string | undefined = hashOrPrefix
    if (hashOrPrefix.length < 64) {
      // Hex prefixes: every hash starting with `prefix` lies in [prefix, prefix + 'g'), a PK range.
      const range = [hashOrPrefix, `${hashOrPrefix}g`]
      const matches = this.#run('getCommit', () =>
        (
          this.#sql('SELECT hash FROM commits WHERE hash >= ? AND hash < ? ORDER BY hash LIMIT ?').all(
            ...range,
            MAX_AMBIGUOUS_CANDIDATES,
          ) as { hash: string }[]
        ).map((r) => r.hash),
      )
      if (matches.length > 1) {
        const { count } = this.#run(
          'getCommit',
          () =>
            this.#sql('SELECT count(*) AS count FROM commits WHERE hash >= ? AND hash < ?').get(...range) as {
              count: number
            },
        )
        throw new CairnError(
          ErrorCode.Ambiguous,
          `prefix ${hashOrPrefix} matches ${count} commits: ${matches.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}`,
          { details: { prefix: hashOrPrefix, count, candidates: matches } },
        )
      }
      hash = matches[0]
      if (hash === undefined) return undefined
    }
    const row = this.#rowByHash(hash)
    return row === undefined ? undefined : this.#commits.exact(row.hash, row.json)
  }

  /**
   * One indexed read (the newest completed commit of the fingerprint). A row that does not hash to
   * its commit is passed over for the next newest, as FsStore does: a hit never serves a damaged commit.
   */
  async findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    const newest = this.#run(
      'findByFingerprint',
      () =>
        this.#sql(`${FIND_BY_FINGERPRINT} LIMIT 1`).get(fingerprint) as
          | { hash: string; json: string }
          | undefined,
    )
    if (newest === undefined) return undefined
    const commit = this.#commits.verified(newest.hash, newest.json)
    if (commit !== undefined) return commit
    const rows = this.#run(
      'findByFingerprint',
      () => this.#sql(FIND_BY_FINGERPRINT).all(fingerprint) as { hash: string; json: string }[],
    )
    for (const row of rows) {
      const next = this.#commits.verified(row.hash, row.json)
      if (next !== undefined) return next
    }
    return undefined
  }

  /** Pages of 256 through the index of the most selective filter (see `listCommitsStatement`). */
  async *listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    let remaining = q.limit ?? Number.POSITIVE_INFINITY
    if (remaining === 0) return
    let cursor: ListCursor | undefined
    for (;;) {
      const { sql, params } = listCommitsStatement(q, cursor, Math.min(PAGE, remaining))
      const rows = this.#run(
        'listCommits',
        () => this.#sql(sql).all(...params) as { json: string; created_at: number; hash: string }[],
      )
      for (const row of rows) {
        this.#check(opts)
        yield this.#commits.parse(row.hash, row.json)
        if (--remaining <= 0) return
      }
      if (rows.length < PAGE) return
      const last = rows[rows.length - 1] as { created_at: number; hash: string }
      cursor = { createdAt: last.created_at, hash: last.hash }
    }
  }

  /** The named commit must be sound (else CAIRN_CORRUPT); damaged siblings are left out. */
  async history(hash: Hash, opts?: OpOptions): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const row = this.#rowByHash(hash)
    if (row === undefined) throw notFound(`commit ${hash} not found`, { hash })
    const commit = this.#commits.exact(row.hash, row.json)
    const rows = this.#run(
      'history',
      () =>
        this.#sql(
          'SELECT hash, json FROM commits WHERE fingerprint = ? ORDER BY created_at DESC, hash DESC',
        ).all(commit.fingerprint) as { hash: string; json: string }[],
    )
    const commits: Commit[] = []
    for (const r of rows) {
      const sibling = this.#commits.verified(r.hash, r.json)
      if (sibling !== undefined) commits.push(sibling)
    }
    return commits
  }

  async deleteCommit(hash: Hash, opts?: OpOptions): Promise<void> {
    await this.deleteCommits([hash], opts)
  }

  /** One transaction for the whole batch, then free pages back to the file system. */
  async deleteCommits(hashes: readonly Hash[], opts?: OpOptions): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    this.#write('deleteCommits', () => {
      const commit = this.#sql('DELETE FROM commits WHERE hash = ?')
      const tags = this.#sql('DELETE FROM tags WHERE hash = ?')
      const inputs = this.#sql('DELETE FROM inputs WHERE hash = ?')
      for (const hash of hashes) {
        commit.run(hash)
        tags.run(hash)
        inputs.run(hash)
      }
    })
    this.#giveBackSpace()
  }

  // ---- refs ----

  async getRef(name: string, opts?: OpOptions): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    const row = this.#run(
      'getRef',
      () => this.#sql('SELECT value FROM refs WHERE name = ?').get(name) as { value: string } | undefined,
    )
    return row?.value
  }

  /** Compare and set in one IMMEDIATE transaction: the write lock is taken before the read. */
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
    return this.#write('setRef', () => {
      const current = (
        this.#sql('SELECT value FROM refs WHERE name = ?').get(name) as { value: string } | undefined
      )?.value
      if (expected === null && current !== undefined) return false
      if (typeof expected === 'string' && current !== expected) return false
      if (value === undefined) this.#sql('DELETE FROM refs WHERE name = ?').run(name)
      else this.#sql('INSERT OR REPLACE INTO refs (name, value) VALUES (?, ?)').run(name, value)
      return true
    })
  }

  async *listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    // Names with the prefix are contiguous in SQLite's byte order from the prefix on; the protocol's
    // order is UTF-16's, so they are sorted again here.
    const rows = this.#run('listRefs', () => {
      const found: { name: string; value: string }[] = []
      for (const row of this.#sql('SELECT name, value FROM refs WHERE name >= ? ORDER BY name').iterate(
        prefix,
      ) as IterableIterator<{ name: string; value: string }>) {
        if (!row.name.startsWith(prefix)) break
        found.push(row)
      }
      return found
    })
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const row of rows) {
      this.#check(opts)
      yield [row.name, row.value]
    }
  }

  // ---- maintenance ----

  async stats(opts?: OpOptions): Promise<StoreStats> {
    this.#check(opts)
    return this.#run('stats', () => {
      const blobs = this.#sql('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM blobs').get() as {
        n: number
        bytes: number
      }
      const commits = (this.#sql('SELECT count(*) AS n FROM commits').get() as { n: number }).n
      const refs = (this.#sql('SELECT count(*) AS n FROM refs').get() as { n: number }).n
      return { blobs: blobs.n, blobBytes: blobs.bytes, commits, refs }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#db.close()
  }
}

interface FileIdentity {
  dev: number
  ino: number
}

function fileIdentity(path: string): FileIdentity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false })
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino }
}
