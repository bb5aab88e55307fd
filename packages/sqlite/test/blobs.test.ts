import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { makeCommit, pseudoRandomBytes } from '@cairn/conformance'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { useTempDatabase } from './helpers.js'

const db = useTempDatabase()

describe('blob placement and space', () => {
  it('keeps blobs up to the inline limit as rows and larger ones as files', async () => {
    const store = await db.open({ inlineBlobBytes: 1000 })
    const small = await store.putBlob(pseudoRandomBytes(1000, 1))
    const large = await store.putBlob(pseudoRandomBytes(1001, 2))
    async function* chunks() {
      for (let i = 0; i < 4; i++) yield pseudoRandomBytes(400, 10 + i)
    }
    const streamed = await store.putBlob(chunks())
    expect(existsSync(db.blobFile(small.hash))).toBe(false)
    expect(statSync(db.blobFile(large.hash)).size).toBe(1001)
    expect(statSync(db.blobFile(streamed.hash)).size).toBe(1600)
    const raw = new Database(db.path(), { readonly: true })
    const rows = raw.prepare('SELECT hash, size, data IS NULL AS external FROM blobs ORDER BY size').all()
    raw.close()
    expect(rows).toEqual([
      { hash: small.hash, size: 1000, external: 0 },
      { hash: large.hash, size: 1001, external: 1 },
      { hash: streamed.hash, size: 1600, external: 1 },
    ])
    // No temp file is left behind.
    expect(readdirSync(join(`${db.path()}.blobs`, 'tmp'))).toEqual([])
  })

  it('gives space back after gc deletes blobs and commits', async () => {
    const store = await db.open({ inlineBlobBytes: 64 * 1024 })
    const hashes: string[] = []
    for (let i = 0; i < 600; i++) hashes.push((await store.putBlob(pseudoRandomBytes(60_000, i + 1))).hash)
    const files: string[] = []
    for (let i = 0; i < 5; i++) files.push((await store.putBlob(pseudoRandomBytes(100_000, 1000 + i))).hash)
    const commits = Array.from({ length: 2000 }, (_, i) =>
      makeCommit({ seed: `c${i}`, tags: { run: String(i) } }),
    )
    for (const c of commits) await store.putCommit(c)
    const raw = new Database(db.path(), { readonly: true })
    const pages = () => raw.pragma('page_count', { simple: true }) as number
    const full = pages()
    const fileBytes = statSync(db.path()).size
    for (const hash of [...hashes, ...files]) await store.deleteBlob(hash)
    await store.deleteCommits(commits.map((c) => c.hash))
    const after = pages()
    raw.close()
    expect(full).toBeGreaterThan(8000)
    expect(after).toBeLessThan(full / 10)
    // The file itself shrinks once the WAL is checkpointed into it.
    await store.close()
    expect(statSync(db.path()).size).toBeLessThan(fileBytes / 10)
    for (const hash of files) expect(existsSync(db.blobFile(hash))).toBe(false)
    const reopened = await db.open()
    expect(await reopened.stats()).toEqual({ blobs: 0, blobBytes: 0, commits: 0, refs: 0 })
  })
})
