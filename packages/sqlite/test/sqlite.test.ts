import { execFile } from 'node:child_process'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeCommit, pseudoRandomBytes } from '@cairn/conformance'
import { isCairnError } from '@cairn/core'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../src/index.js'

const run = promisify(execFile)
let dir: string
let path: string
const stores: SqliteStore[] = []
const open = async (options: { inlineBlobBytes?: number; busyTimeoutMs?: number } = {}) => {
  const store = await SqliteStore.open({ path, ...options })
  stores.push(store)
  return store
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-sqlite-test-'))
  path = join(dir, 'cairn.db')
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  await rm(dir, { recursive: true, force: true })
})

describe('SqliteStore', () => {
  it('runs in WAL mode with full sync, and every log query uses an index', async () => {
    const store = await open()
    await store.putCommit(makeCommit({ seed: 'x', tags: { team: 'ml' } }))
    const db = new Database(path, { readonly: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      const plan = (sql: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
          .map((r) => r.detail)
          .join('; ')
      const queries: [string, string][] = [
        [
          "SELECT json FROM commits WHERE fingerprint = 'f' AND status = 'completed' ORDER BY created_at DESC, hash DESC LIMIT 1",
          'commits_by_fingerprint',
        ],
        [
          "SELECT json FROM commits WHERE func = 't' ORDER BY created_at DESC, hash DESC LIMIT 20",
          'commits_by_func',
        ],
        [
          "SELECT json FROM commits WHERE status = 'failed' ORDER BY created_at DESC, hash DESC LIMIT 20",
          'commits_by_status',
        ],
        [
          'SELECT json FROM commits WHERE created_at < 5 ORDER BY created_at DESC, hash DESC LIMIT 20',
          'commits_by_time',
        ],
        ["SELECT hash FROM commits WHERE hash >= 'ab' AND hash < 'abg'", 'PRIMARY KEY'],
        ["SELECT 1 FROM tags t WHERE t.key = 'team' AND t.value = 'ml'", 'tags_by_value'],
      ]
      for (const [sql, index] of queries) {
        const detail = plan(sql)
        expect(detail, sql).toContain(index)
        expect(detail, sql).not.toContain('USE TEMP B-TREE')
      }
    } finally {
      db.close()
    }
  })

  it('keeps blobs up to the inline limit as rows and larger ones as files', async () => {
    const store = await open({ inlineBlobBytes: 1000 })
    const small = await store.putBlob(pseudoRandomBytes(1000, 1))
    const large = await store.putBlob(pseudoRandomBytes(1001, 2))
    const file = (hash: string) => join(`${path}.blobs`, hash.slice(0, 2), hash)
    expect(existsSync(file(small.hash))).toBe(false)
    expect(statSync(file(large.hash)).size).toBe(1001)
    const db = new Database(path, { readonly: true })
    const rows = db.prepare('SELECT hash, size, data IS NULL AS external FROM blobs ORDER BY size').all()
    db.close()
    expect(rows).toEqual([
      { hash: small.hash, size: 1000, external: 0 },
      { hash: large.hash, size: 1001, external: 1 },
    ])
  })

  it('gives space back after gc deletes blobs and commits', async () => {
    const store = await open({ inlineBlobBytes: 64 * 1024 })
    const hashes: string[] = []
    for (let i = 0; i < 600; i++) hashes.push((await store.putBlob(pseudoRandomBytes(60_000, i + 1))).hash)
    const commits = Array.from({ length: 2000 }, (_, i) => makeCommit({ seed: `c${i}` }))
    for (const c of commits) await store.putCommit(c)
    const db = new Database(path, { readonly: true })
    const pages = () => db.pragma('page_count', { simple: true }) as number
    const full = pages()
    for (const hash of hashes) await store.deleteBlob(hash)
    await store.deleteCommits(commits.map((c) => c.hash))
    const after = pages()
    db.close()
    expect(full).toBeGreaterThan(8000)
    expect(after).toBeLessThan(full / 10)
    expect(await store.stats()).toEqual({ blobs: 0, blobBytes: 0, commits: 0, refs: 0 })
  })

  it('a write lock held too long by another process is CAIRN_BACKEND, never a refusal or a miss', async () => {
    const store = await open({ busyTimeoutMs: 200 })
    await store.setRef('main', 'v1')
    const other = new Database(path)
    other.prepare('BEGIN IMMEDIATE').run()
    try {
      const error = await store.setRef('main', 'v2', 'v1').catch((e) => e)
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
      const put = await store.putCommit(makeCommit({ seed: 'blocked' })).catch((e) => e)
      expect(isCairnError(put, 'CAIRN_BACKEND')).toBe(true)
      // Readers are not blocked by a writer in WAL mode.
      expect(await store.getRef('main')).toBe('v1')
    } finally {
      other.prepare('ROLLBACK').run()
      other.close()
    }
    expect(await store.setRef('main', 'v2', 'v1')).toBe(true)
  })

  it('a path it cannot open is CAIRN_BACKEND', async () => {
    writeFileSync(join(dir, 'not-a-dir'), 'x')
    const error = await SqliteStore.open({ path: join(dir, 'not-a-dir', 'cairn.db') }).catch((e) => e)
    expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
    writeFileSync(
      join(dir, 'garbage.db'),
      'this is not a database, just text that is long enough'.repeat(100),
    )
    const garbage = await SqliteStore.open({ path: join(dir, 'garbage.db') }).catch((e) => e)
    expect(isCairnError(garbage, 'CAIRN_BACKEND')).toBe(true)
  })

  it('two processes putting and deleting the same file blob never leave a row without its file', async () => {
    const first = await open()
    await first.close()
    const churn = fileURLToPath(new URL('./scripts/churn.mjs', import.meta.url))
    const outputs = await Promise.all([1, 2].map(() => run(process.execPath, [churn, path, '300'])))
    const corrupt = outputs.map((o) => (JSON.parse(o.stdout) as { corrupt: number }).corrupt)
    expect(corrupt).toEqual([0, 0])
    const store = await open()
    expect(await store.stats()).toMatchObject({ blobs: 0, blobBytes: 0 })
  })

  it('several processes on one file: one winner per race, no lost CAS update, every commit once', async () => {
    const first = await open()
    await first.close()
    const contender = fileURLToPath(new URL('./scripts/contender.mjs', import.meta.url))
    const processes = 3
    const rounds = 30
    const outputs = await Promise.all(
      Array.from({ length: processes }, (_, i) =>
        run(process.execPath, [contender, path, `p${i}`, String(rounds)]),
      ),
    )
    const wins = outputs
      .flatMap((o) => (JSON.parse(o.stdout) as { wins: number[] }).wins)
      .sort((a, b) => a - b)
    expect(wins).toEqual(Array.from({ length: rounds }, (_, i) => i))
    const store = await open()
    expect(await store.getRef('counter')).toBe(String(processes * rounds))
    const stats = await store.stats()
    expect(stats.commits).toBe(rounds + processes * rounds)
    expect(stats.blobs).toBe(rounds)
    for (let f = 0; f < 5; f++) {
      const base = makeCommit({ seed: `fp-${f}` })
      const all = []
      for await (const c of store.listCommits({ fingerprint: base.fingerprint })) all.push(c)
      expect(all.length).toBe((processes * rounds) / 5)
      expect((await store.findByFingerprint(base.fingerprint))?.hash).toBe(all[0]?.hash)
    }
  })
})
