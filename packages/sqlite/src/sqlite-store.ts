import { mkdirSync, renameSync } from 'node:fs'
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
import { prepareDatabase } from './schema.js'

export interface SqliteStoreOptions {
  /** The database file (created if missing). Large blobs go to `<path>.blobs/` beside it. */
  path: string
  /** Blobs up to this many bytes are rows in the database; larger ones are files (default 64 KiB). */
  inlineBlobBytes?: number
  /** How long a write waits for another process's transaction before CAIRN_BACKEND (default 10 s). */
  busyTimeoutMs?: number
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
  #closed = false

  private constructor(path: string, db: Database.Database, files: BlobFiles, inlineBlobBytes: number) {
    this.path = path
    this.#db = db
    this.#files = files
    this.inlineBlobBytes = inlineBlobBytes
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
    let db: Database.Database | undefined
    try {
      mkdirSync(dirname(path), { recursive: true })
      db = new Database(path)
      prepareDatabase(db, busy)
      return new SqliteStore(path, db, new BlobFiles(`${path}.blobs`), inline)
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
      this.#run('putBlob', () =>
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
      this.#run('putBlob', () =>
        this.#db
          .transaction(() => {
            if (this.#sql('SELECT 1 FROM blobs WHERE hash = ?').get(hash) !== undefined) return
            this.#files.publishSync(temp, hash)
            this.#sql('INSERT INTO blobs (hash, size, data) VALUES (?, ?, NULL)').run(hash, size)
          })
          .immediate(),
      )
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
    let temp: { path: string; handle: Awaited<ReturnType<typeof openFile>> } | undefined
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
          const path = this.#files.tempPath()
          temp = { path, handle: await this.#run('putBlob', () => openFile(path, 'w')) }
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
    const bytes = row.data !== null ? new Uint8Array(row.data) : await this.#readFileOf(hash)
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
    const source = row.data !== null ? [new Uint8Array(row.data)] : this.#fileChunks(hash)
    yield* verifiedRange(source, { hash, size: row.size }, range, () => this.#check(opts))
  }

  /**
   * Opens a blob's file. A file missing under an existing row may be mid-delete, or deleted and put
   * back, by another process, so it is looked for again; a row gone means the blob was deleted (not
   * found), a row that stays without its file is corruption.
   */
  async #openFileOf(hash: Hash): Promise<Awaited<ReturnType<typeof openFile>>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await openFile(this.#files.path(hash), 'r')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw backendError(`sqlite read of blob ${hash} failed: ${(error as Error).message}`, error)
        }
        // A delete in another process unlinks the file before its transaction commits: wait for the
        // write lock (an empty IMMEDIATE transaction), so the row read next is settled.
        this.#run('read', () => this.#db.transaction(() => {}).immediate())
        if (!this.#has(hash)) throw notFound(`blob ${hash} not found (deleted while being read)`, { hash })
        if (attempt >= 4) throw corrupt(`blob ${hash} has lost its file`, { hash })
      }
    }
  }

  async #readFileOf(hash: Hash): Promise<Uint8Array> {
    const handle = await this.#openFileOf(hash)
    try {
      return new Uint8Array(await handle.readFile())
    } catch (error) {
      throw backendError(`sqlite read of blob ${hash} failed: ${(error as Error).message}`, error)
    } finally {
      await handle.close()
    }
  }

  /** A blob file's chunks, 1 MiB at a time; an I/O error is CAIRN_BACKEND. */
  async *#fileChunks(hash: Hash): AsyncGenerator<Uint8Array> {
    const handle = await this.#openFileOf(hash)
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
    const removed = this.#run('deleteBlob', () =>
      this.#db
        .transaction(() => {
          const row = this.#sql('SELECT data IS NULL AS external FROM blobs WHERE hash = ?').get(hash) as
            | { external: number }
            | undefined
          if (row === undefined) return undefined
          this.#sql('DELETE FROM blobs WHERE hash = ?').run(hash)
          if (row.external) this.#files.removeSync(this.#files.path(hash))
          return row
        })
        .immediate(),
    )
    if (removed && !removed.external) this.#giveBackSpace()
  }

  #giveBackSpace(): void {
    const free = this.#db.pragma('freelist_count', { simple: true }) as number
    if (free > VACUUM_THRESHOLD_PAGES) this.#run('vacuum', () => this.#db.pragma('incremental_vacuum'))
  }

  async quarantineBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const row = this.#row(hash)
    if (row === undefined) return
    if (row.data === null) {
      this.#run('quarantineBlob', () => renameSync(this.#files.path(hash), this.#files.quarantinePath(hash)))
    }
    this.#run('quarantineBlob', () =>
      this.#db
        .transaction(() => {
          this.#db
            .prepare('INSERT OR REPLACE INTO quarantine (hash, size, data, at) VALUES (?, ?, ?, ?)')
            .run(hash, row.size, row.data, Date.now())
          this.#sql('DELETE FROM blobs WHERE hash = ?').run(hash)
        })
        .immediate(),
    )
  }

  async *listBlobs(opts?: OpOptions): AsyncIterable<BlobRef> {
    this.#check(opts)
    let after = ''
    for (;;) {
      const rows = this.#run(
        'listBlobs',
        () =>
          this.#db
            .prepare('SELECT hash, size FROM blobs WHERE hash > ? ORDER BY hash LIMIT ?')
            .all(after, PAGE) as BlobRef[],
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
    this.#run('putCommit', () =>
      this.#db
        .transaction(() => {
          const inserted = this.#db
            .prepare(
              'INSERT OR IGNORE INTO commits (hash, fingerprint, func, status, created_at, json) VALUES (?, ?, ?, ?, ?, ?)',
            )
            .run(c.hash, c.fingerprint, c.task.name, c.status, c.createdAt, json)
          if (inserted.changes === 0) return
          const tag = this.#sql('INSERT INTO tags (hash, key, value) VALUES (?, ?, ?)')
          for (const [key, value] of Object.entries(c.tags)) tag.run(c.hash, key, value)
        })
        .immediate(),
    )
  }

  #json(sql: string, ...params: unknown[]): Commit | undefined {
    const row = this.#run('read commits', () => this.#sql(sql).get(...params) as { json: string } | undefined)
    return row === undefined ? undefined : (JSON.parse(row.json) as Commit)
  }

  async getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    if (hashOrPrefix.length === 64) return this.#json('SELECT json FROM commits WHERE hash = ?', hashOrPrefix)
    const matches = this.#run('getCommit', () =>
      (
        this.#db
          .prepare('SELECT hash FROM commits WHERE hash >= ? AND hash < ? ORDER BY hash LIMIT ?')
          .all(hashOrPrefix, `${hashOrPrefix}g`, MAX_AMBIGUOUS_CANDIDATES) as { hash: string }[]
      ).map((r) => r.hash),
    )
    if (matches.length > 1) {
      const { count } = this.#db
        .prepare('SELECT count(*) AS count FROM commits WHERE hash >= ? AND hash < ?')
        .get(hashOrPrefix, `${hashOrPrefix}g`) as { count: number }
      throw new CairnError(
        ErrorCode.Ambiguous,
        `prefix ${hashOrPrefix} matches ${count} commits: ${matches.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}`,
        { details: { prefix: hashOrPrefix, count, candidates: matches } },
      )
    }
    const only = matches[0]
    return only === undefined ? undefined : this.#json('SELECT json FROM commits WHERE hash = ?', only)
  }

  async findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    return this.#json(
      "SELECT json FROM commits WHERE fingerprint = ? AND status = 'completed' ORDER BY created_at DESC, hash DESC LIMIT 1",
      fingerprint,
    )
  }

  /** Pages of 256 by keyset (`(created_at, hash) <` the last row), so no statement stays open across a yield. */
  async *listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    let remaining = q.limit ?? Number.POSITIVE_INFINITY
    if (remaining === 0) return
    const where: string[] = []
    const params: unknown[] = []
    if (q.fingerprint !== undefined) where.push('fingerprint = ?') && params.push(q.fingerprint)
    if (q.func !== undefined) where.push('func = ?') && params.push(q.func)
    if (q.status !== undefined) where.push('status = ?') && params.push(q.status)
    if (q.before !== undefined) where.push('created_at < ?') && params.push(q.before)
    for (const [key, value] of Object.entries(q.tags ?? {})) {
      where.push('EXISTS (SELECT 1 FROM tags t WHERE t.hash = commits.hash AND t.key = ? AND t.value = ?)')
      params.push(key, value)
    }
    let cursor: { createdAt: number; hash: string } | undefined
    for (;;) {
      const clauses = cursor === undefined ? where : [...where, '(created_at, hash) < (?, ?)']
      const sql = `SELECT json, created_at, hash FROM commits ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY created_at DESC, hash DESC LIMIT ?`
      const rows = this.#run('listCommits', () =>
        this.#db
          .prepare(sql)
          .all(
            ...params,
            ...(cursor === undefined ? [] : [cursor.createdAt, cursor.hash]),
            Math.min(PAGE, remaining),
          ),
      ) as { json: string; created_at: number; hash: string }[]
      for (const row of rows) {
        this.#check(opts)
        yield JSON.parse(row.json) as Commit
        if (--remaining <= 0) return
      }
      if (rows.length < PAGE) return
      const last = rows[rows.length - 1] as { created_at: number; hash: string }
      cursor = { createdAt: last.created_at, hash: last.hash }
    }
  }

  async history(hash: Hash, opts?: OpOptions): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const commit = this.#json('SELECT json FROM commits WHERE hash = ?', hash)
    if (commit === undefined) throw notFound(`commit ${hash} not found`, { hash })
    const rows = this.#run(
      'history',
      () =>
        this.#db
          .prepare('SELECT json FROM commits WHERE fingerprint = ? ORDER BY created_at DESC, hash DESC')
          .all(commit.fingerprint) as { json: string }[],
    )
    return rows.map((r) => JSON.parse(r.json) as Commit)
  }

  async deleteCommit(hash: Hash, opts?: OpOptions): Promise<void> {
    await this.deleteCommits([hash], opts)
  }

  /** One transaction for the whole batch, then free pages back to the file system. */
  async deleteCommits(hashes: readonly Hash[], opts?: OpOptions): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    this.#run('deleteCommits', () =>
      this.#db
        .transaction(() => {
          const commit = this.#sql('DELETE FROM commits WHERE hash = ?')
          const tags = this.#sql('DELETE FROM tags WHERE hash = ?')
          for (const hash of hashes) {
            commit.run(hash)
            tags.run(hash)
          }
        })
        .immediate(),
    )
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
    return this.#run('setRef', () =>
      this.#db
        .transaction(() => {
          const current = (
            this.#sql('SELECT value FROM refs WHERE name = ?').get(name) as { value: string } | undefined
          )?.value
          if (expected === null && current !== undefined) return false
          if (typeof expected === 'string' && current !== expected) return false
          if (value === undefined) this.#sql('DELETE FROM refs WHERE name = ?').run(name)
          else this.#sql('INSERT OR REPLACE INTO refs (name, value) VALUES (?, ?)').run(name, value)
          return true
        })
        .immediate(),
    )
  }

  async *listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    // Names with the prefix are contiguous in SQLite's byte order from the prefix on; the protocol's
    // order is UTF-16's, so they are sorted again here.
    const rows = this.#run('listRefs', () => {
      const found: { name: string; value: string }[] = []
      for (const row of this.#db
        .prepare('SELECT name, value FROM refs WHERE name >= ? ORDER BY name')
        .iterate(prefix) as IterableIterator<{ name: string; value: string }>) {
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
