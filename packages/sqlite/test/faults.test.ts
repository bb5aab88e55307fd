import {
  closeSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { makeCommit, pseudoRandomBytes } from '@cairn/conformance'
import { isCairnError } from '@cairn/core'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { SqliteStore } from '../src/index.js'
import { collect, useTempDatabase } from './helpers.js'

const db = useTempDatabase()
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error) => (isCairnError(error) ? error.code : `not a CairnError: ${error}`),
  )

describe('backend failures are CAIRN_BACKEND, never a miss', () => {
  it('a write lock held past busyTimeoutMs by another connection', async () => {
    const store = await db.open({ busyTimeoutMs: 200 })
    await store.setRef('main', 'v1')
    const other = new Database(db.path())
    other.prepare('BEGIN IMMEDIATE').run()
    try {
      const error = await store.setRef('main', 'v2', 'v1').catch((e) => e)
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
      expect((error as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' })
      expect(await code(store.putCommit(makeCommit({ seed: 'blocked' })))).toBe('CAIRN_BACKEND')
      expect(await code(store.putBlob(pseudoRandomBytes(100, 1)))).toBe('CAIRN_BACKEND')
      // Readers are not blocked by a writer in WAL mode.
      expect(await store.getRef('main')).toBe('v1')
    } finally {
      other.prepare('ROLLBACK').run()
      other.close()
    }
    expect(await store.setRef('main', 'v2', 'v1')).toBe(true)
  })

  it('a path that cannot be opened, or a file that is not a database', async () => {
    writeFileSync(join(db.dir(), 'not-a-dir'), 'x')
    expect(await code(SqliteStore.open({ path: join(db.dir(), 'not-a-dir', 'cairn.db') }))).toBe(
      'CAIRN_BACKEND',
    )
    writeFileSync(
      join(db.dir(), 'garbage.db'),
      'this is not a database, just text that is long enough'.repeat(100),
    )
    expect(await code(SqliteStore.open({ path: join(db.dir(), 'garbage.db') }))).toBe('CAIRN_BACKEND')
  })

  it('damaged database pages (SQLITE_CORRUPT)', async () => {
    const store = await db.open()
    await store.putCommit(makeCommit({ seed: 'first' }))
    await store.close()
    const raw = new Database(db.path())
    const insert = raw.prepare(
      'INSERT INTO commits (hash, fingerprint, func, status, created_at, json) VALUES (?, ?, ?, ?, ?, ?)',
    )
    raw.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const c = makeCommit({ seed: `bulk-${i}`, createdAt: i })
        insert.run(c.hash, c.fingerprint, c.task.name, c.status, c.createdAt, JSON.stringify(c))
      }
    })()
    raw.close() // the last connection checkpoints the WAL into the file
    const size = statSync(db.path()).size
    const fd = openSync(db.path(), 'r+')
    const junk = Buffer.alloc(size / 2, 0xab)
    writeSync(fd, junk, 0, junk.length, Math.floor(size / 4 / 4096) * 4096)
    closeSync(fd)
    const reopened = await db.open()
    const listing = await collect(reopened.listCommits()).catch((e) => e)
    expect(isCairnError(listing, 'CAIRN_BACKEND')).toBe(true)
    expect((listing as Error).cause).toMatchObject({ code: 'SQLITE_CORRUPT' })
    expect(await code(reopened.stats())).toBe('CAIRN_BACKEND')
  })

  it('a database file deleted or replaced while open: writes fail instead of going to a ghost file', async () => {
    const store = await db.open()
    await store.setRef('main', 'v1')
    for (const suffix of ['', '-wal', '-shm']) unlinkSync(`${db.path()}${suffix}`)
    expect(await code(store.setRef('main', 'v2'))).toBe('CAIRN_BACKEND')
    expect(await code(store.putCommit(makeCommit({ seed: 'lost' })))).toBe('CAIRN_BACKEND')
    expect(await code(store.putBlob(pseudoRandomBytes(10, 2)))).toBe('CAIRN_BACKEND')
    expect(await code(store.deleteCommits([makeCommit().hash]))).toBe('CAIRN_BACKEND')

    // Replaced: another database renamed over the path.
    const second = await db.open()
    await second.setRef('main', 'second')
    const other = join(db.dir(), 'other.db')
    const third = await SqliteStore.open({ path: other })
    await third.close()
    renameSync(other, db.path())
    expect(await code(second.setRef('main', 'v3'))).toBe('CAIRN_BACKEND')
    expect(await code(second.putCommit(makeCommit({ seed: 'lost too' })))).toBe('CAIRN_BACKEND')
  })
})

describe('damaged data is CAIRN_CORRUPT, never served', () => {
  it('a commit row that does not hash to its commit is never returned by hash or as a hit', async () => {
    const store = await db.open()
    const older = makeCommit({ seed: 'older', createdAt: 1 })
    const newer = makeCommit({ task: older.task, seed: 'newer', createdAt: 2 })
    const unparseable = makeCommit({ seed: 'garbled', createdAt: 3 })
    for (const c of [older, newer, unparseable]) await store.putCommit(c)
    expect((await store.findByFingerprint(older.fingerprint))?.hash).toBe(newer.hash)

    // Another process (the raw connection) changes the newer commit's result, and garbles the third.
    const raw = new Database(db.path())
    const tampered = { ...newer, output: { kind: 'inline', value: 'not what was computed' } }
    raw.prepare('UPDATE commits SET json = ? WHERE hash = ?').run(JSON.stringify(tampered), newer.hash)
    raw.prepare('UPDATE commits SET json = \'{"hash": tru\' WHERE hash = ?').run(unparseable.hash)
    raw.close()

    expect(await code(store.getCommit(newer.hash))).toBe('CAIRN_CORRUPT')
    expect(await code(store.getCommit(newer.hash.slice(0, 8)))).toBe('CAIRN_CORRUPT')
    expect(await code(store.getCommit(unparseable.hash))).toBe('CAIRN_CORRUPT')
    // A hit passes over the damaged commit to the newest sound one.
    expect(await store.findByFingerprint(older.fingerprint)).toEqual(older)
    expect((await store.history(older.hash)).map((c) => c.hash)).toEqual([older.hash])
    expect(await code(store.history(newer.hash))).toBe('CAIRN_CORRUPT')
    // A listing cannot skip a row it cannot read (gc would miss what it references): it names it.
    const listing = await collect(store.listCommits()).catch((e) => e)
    expect(isCairnError(listing, 'CAIRN_CORRUPT')).toBe(true)
    expect((listing as { details?: { hash?: string } }).details?.hash).toBe(unparseable.hash)
    // Deleting by hash clears it.
    await store.deleteCommits([unparseable.hash, newer.hash])
    expect((await collect(store.listCommits())).map((c) => c.hash)).toEqual([older.hash])
  })

  it('a file blob whose file is lost reads CAIRN_CORRUPT; quarantine frees the hash and a put restores it', async () => {
    const store = await db.open({ inlineBlobBytes: 0 })
    const bytes = pseudoRandomBytes(5000, 3)
    const { hash } = await store.putBlob(bytes)
    rmSync(`${db.path()}.blobs`, { recursive: true, force: true })
    expect(await store.hasBlob(hash)).toBe(true) // not verified, by the protocol
    expect(await code(store.getBlob(hash))).toBe('CAIRN_CORRUPT')
    expect(await code(collect(store.openBlob(hash)))).toBe('CAIRN_CORRUPT')
    // What the client's self-healing does: quarantine, then compute and put again.
    await store.quarantineBlob(hash)
    expect(await store.hasBlob(hash)).toBe(false)
    expect(await code(store.getBlob(hash))).toBe('CAIRN_NOT_FOUND')
    expect(await store.putBlob(bytes)).toEqual({ hash, size: 5000 })
    expect(await store.getBlob(hash)).toEqual(bytes)
    expect(statSync(db.blobFile(hash)).size).toBe(5000)
  })

  it('a blob file cut short or grown is CAIRN_CORRUPT, whole or streamed, small or large', async () => {
    const store = await db.open({ inlineBlobBytes: 0 })
    // Files up to 1 MiB are read synchronously, larger ones asynchronously: both paths.
    for (const size of [200_000, 1_500_000]) {
      const bytes = pseudoRandomBytes(size, 6)
      const { hash } = await store.putBlob(bytes)
      const longer = new Uint8Array(size + 1)
      longer.set(bytes)
      for (const wrong of [bytes.subarray(0, size - 1000), longer]) {
        writeFileSync(db.blobFile(hash), wrong)
        expect(await code(store.getBlob(hash))).toBe('CAIRN_CORRUPT')
        expect(await code(collect(store.openBlob(hash)))).toBe('CAIRN_CORRUPT')
        expect(await code(collect(store.openBlob(hash, { start: 0, end: 10 })))).toBe('CAIRN_CORRUPT')
      }
      writeFileSync(db.blobFile(hash), bytes)
      expect(await store.getBlob(hash)).toEqual(bytes)
    }
  })

  it('a tampered file blob is quarantined beside the store, kept for inspection', async () => {
    const store = await db.open({ inlineBlobBytes: 0 })
    const { hash } = await store.putBlob(pseudoRandomBytes(3000, 4))
    writeFileSync(db.blobFile(hash), pseudoRandomBytes(3000, 5))
    expect(await code(store.getBlob(hash))).toBe('CAIRN_CORRUPT')
    await store.quarantineBlob(hash)
    expect(await store.hasBlob(hash)).toBe(false)
    expect(statSync(join(`${db.path()}.blobs`, 'quarantine', hash)).size).toBe(3000)
    const raw = new Database(db.path(), { readonly: true })
    expect(raw.prepare('SELECT size, data FROM quarantine WHERE hash = ?').get(hash)).toEqual({
      size: 3000,
      data: null,
    })
    raw.close()
    expect(await store.stats()).toMatchObject({ blobs: 0, blobBytes: 0 })
  })
})
