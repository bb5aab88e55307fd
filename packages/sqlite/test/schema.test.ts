import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { makeCommit } from '@cairn/conformance'
import {
  type Commit,
  type CommitQuery,
  compareNewestFirst,
  ErrorCode,
  isCairnError,
  matchesQuery,
  sha256Hex,
} from '@cairn/core'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { FIND_BY_FINGERPRINT, listCommitsStatement } from '../src/commit-queries.js'
import { SCHEMA_VERSION, SqliteStore } from '../src/index.js'
import { collect, useTempDatabase } from './helpers.js'

const db = useTempDatabase()

/** `EXPLAIN QUERY PLAN` of a statement, its steps joined. */
function plan(raw: Database.Database, sql: string, params: unknown[]): string {
  return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((r) => r.detail)
    .join('; ')
}

/**
 * A file as an older @cairn/sqlite left it: the tables no version changed (blobs, quarantine, commits,
 * refs), that version's `tags`, and its user_version. Returned open, for rows to be added.
 */
function oldDatabase(version: number, tags: string): Database.Database {
  mkdirSync(dirname(db.path()), { recursive: true })
  const raw = new Database(db.path())
  raw.pragma('journal_mode = WAL')
  raw.exec(`
      CREATE TABLE blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB);
      CREATE TABLE quarantine (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB, at INTEGER NOT NULL);
      CREATE TABLE commits (hash TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, func TEXT NOT NULL,
        status TEXT NOT NULL, created_at NUMERIC NOT NULL, json TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX commits_by_fingerprint ON commits (fingerprint, status, created_at DESC, hash DESC);
      CREATE INDEX commits_by_func ON commits (func, created_at DESC, hash DESC);
      CREATE INDEX commits_by_status ON commits (status, created_at DESC, hash DESC);
      CREATE INDEX commits_by_time ON commits (created_at DESC, hash DESC);
      CREATE TABLE refs (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      ${tags}
      PRAGMA user_version = ${version};
  `)
  return raw
}

describe('schema', () => {
  it('with create: false opens an existing database only, and creates nothing', async () => {
    const missing = join(db.dir(), 'missing', 'cairn.db')
    const error = await SqliteStore.open({ path: missing, create: false }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.NotFound)).toBe(true)
    expect(existsSync(dirname(missing))).toBe(false)
    await (await db.open()).close()
    await (await db.open({ create: false })).close()
  })

  it('is WAL with incremental auto-vacuum, at the current version', async () => {
    await db.open()
    const raw = new Database(db.path(), { readonly: true })
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(raw.pragma('auto_vacuum', { simple: true })).toBe(2) // INCREMENTAL
      expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    } finally {
      raw.close()
    }
  })

  it('every query the store makes for log and hits reads an index in order, never sorting', async () => {
    await db.open()
    const raw = new Database(db.path(), { readonly: true })
    const fp = makeCommit().fingerprint
    const cursor = { createdAt: 5, hash: 'ab'.repeat(32) }
    const cases: [CommitQuery, string][] = [
      [{}, 'commits_by_time'],
      [{ before: 10 }, 'commits_by_time'],
      [{ func: 'train' }, 'commits_by_func'],
      [{ func: 'train', status: 'failed', before: 10 }, 'commits_by_func'],
      [{ status: 'failed' }, 'commits_by_status'],
      [{ fingerprint: fp, status: 'completed' }, 'commits_by_fingerprint'],
      [{ tags: { team: 'ml' } }, 'tags_by_value'],
      [{ input: 'cd'.repeat(32) }, 'inputs_by_input'],
      [{ input: 'cd'.repeat(32), func: 'train', tags: { team: 'ml' }, before: 10 }, 'inputs_by_input'],
      [
        { tags: { team: 'ml', env: 'prod' }, func: 'train', status: 'completed', before: 10 },
        'tags_by_value',
      ],
    ]
    try {
      for (const [query, index] of cases) {
        for (const at of [undefined, cursor]) {
          const { sql, params } = listCommitsStatement(query, at, 256)
          const detail = plan(raw, sql, params)
          const label = `${JSON.stringify(query)} ${at ? 'next page' : 'first page'}: ${detail}`
          // The first step is the outer loop: it reads the driving index.
          expect(detail.split('; ')[0], label).toContain(index)
          expect(detail, label).not.toContain('TEMP B-TREE')
        }
      }
      // A fingerprint alone: its index, then its handful of rows sorted.
      const { sql, params } = listCommitsStatement({ fingerprint: fp }, undefined, 256)
      expect(plan(raw, sql, params)).toContain('commits_by_fingerprint')
      const hit = plan(raw, `${FIND_BY_FINGERPRINT} LIMIT 1`, [fp])
      expect(hit).toContain('commits_by_fingerprint')
      expect(hit).not.toContain('TEMP B-TREE')
      const prefix = plan(raw, 'SELECT hash FROM commits WHERE hash >= ? AND hash < ? ORDER BY hash', [
        'ab',
        'abg',
      ])
      expect(prefix).toMatch(/SEARCH commits USING (COVERING INDEX|PRIMARY KEY)/)
    } finally {
      raw.close()
    }
  })

  it('listCommits answers every combination of filters like the reference, across pages and ties', async () => {
    const store = await db.open()
    const base = makeCommit({ seed: 'shared-fp' })
    const commits: Commit[] = []
    const sources = (i: number) => (commits[i % 6] as Commit).hash
    for (let i = 0; i < 700; i++) {
      const tags: Record<string, string> = {}
      if (i % 2 === 0) tags.team = i % 4 === 0 ? 'ml' : 'web'
      if (i % 3 === 0) tags.env = i % 9 === 0 ? 'prod' : 'dev'
      commits.push(
        makeCommit({
          ...(i % 7 === 0
            ? { task: { ...base.task, name: 'shared' } }
            : { task: { ...makeCommit({ seed: `t${i}` }).task, name: ['a', 'b', 'c'][i % 3] as string } }),
          seed: `c${i}`,
          durationMs: i, // failed commits have no output: keep them distinct
          createdAt: 1000 + (i % 40), // many ties: order falls to the hash
          status: i % 5 === 0 ? 'failed' : 'completed',
          tags,
          // Consumers of the first few commits; some consume two, one names its input twice.
          inputs: i < 6 ? [] : i % 11 === 0 ? [sources(i), sources(i)] : [sources(i), sources(i + 1)],
        }),
      )
    }
    for (const c of commits) await store.putCommit(c)
    const queries: CommitQuery[] = [
      {},
      { limit: 300 },
      { before: 1020 },
      { func: 'a' },
      { func: 'b', status: 'completed' },
      { status: 'failed' },
      { status: 'completed', before: 1030, limit: 270 },
      { fingerprint: base.fingerprint },
      { fingerprint: base.fingerprint, status: 'completed', limit: 3 },
      { tags: { team: 'ml' } },
      { tags: { team: 'web', env: 'dev' } },
      { tags: { env: 'prod' }, status: 'completed' },
      { tags: { team: 'ml' }, func: 'a', before: 1035 },
      { tags: { team: 'nobody' } },
      { func: 'a', fingerprint: base.fingerprint },
      { input: sources(0) },
      { input: sources(1), limit: 30 },
      { input: sources(2), tags: { team: 'ml' }, status: 'completed', before: 1030 },
      { input: sources(3), fingerprint: base.fingerprint },
      { input: 'ee'.repeat(32) },
    ]
    for (const query of queries) {
      const expected = commits
        .filter((c) => matchesQuery(c, query))
        .sort(compareNewestFirst)
        .slice(0, query.limit)
        .map((c) => c.hash)
      const got = (await collect(store.listCommits(query))).map((c) => c.hash)
      expect(got, JSON.stringify(query)).toEqual(expected)
    }
  })

  it('migrates a version 1 file: tags get their commit time and their new index', async () => {
    const commit = makeCommit({ seed: 'old', createdAt: 42, tags: { team: 'ml' } })
    const raw = oldDatabase(
      1,
      `CREATE TABLE tags (hash TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (hash, key)) WITHOUT ROWID;
      CREATE INDEX tags_by_value ON tags (key, value, hash);`,
    )
    raw
      .prepare('INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?)')
      .run(commit.hash, commit.fingerprint, commit.task.name, commit.status, 42, JSON.stringify(commit))
    raw.prepare("INSERT INTO tags VALUES (?, 'team', 'ml')").run(commit.hash)
    raw.close()

    const store = await db.open()
    const later = makeCommit({ seed: 'new', createdAt: 43, tags: { team: 'ml' } })
    await store.putCommit(later)
    expect((await collect(store.listCommits({ tags: { team: 'ml' } }))).map((c) => c.hash)).toEqual([
      later.hash,
      commit.hash,
    ])
    const check = new Database(db.path(), { readonly: true })
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      expect(check.prepare('SELECT created_at FROM tags WHERE hash = ?').get(commit.hash)).toEqual({
        created_at: 42,
      })
      const { sql, params } = listCommitsStatement({ tags: { team: 'ml' } }, undefined, 10)
      expect(plan(check, sql, params)).not.toContain('TEMP B-TREE')
    } finally {
      check.close()
    }
  })

  it('migrates a version 2 file: the inputs index is filled from the commits already there', async () => {
    const source = makeCommit({ seed: 'source', createdAt: 10 })
    const older = makeCommit({ seed: 'older', createdAt: 20, inputs: [source.hash] })
    const twice = makeCommit({ seed: 'twice', createdAt: 30, inputs: [source.hash, source.hash] })
    const unrelated = makeCommit({ seed: 'unrelated', createdAt: 40, inputs: [older.hash] })
    const raw = oldDatabase(
      2,
      `CREATE TABLE tags (hash TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        created_at NUMERIC NOT NULL, PRIMARY KEY (hash, key)) WITHOUT ROWID;
      CREATE INDEX tags_by_value ON tags (key, value, created_at DESC, hash DESC);`,
    )
    const insert = raw.prepare('INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?)')
    for (const c of [source, older, twice, unrelated]) {
      insert.run(c.hash, c.fingerprint, c.task.name, c.status, c.createdAt, JSON.stringify(c))
    }
    // A damaged row must not stop the migration.
    insert.run('ab'.repeat(32), 'fp', 'task', 'completed', 50, '{not json')
    raw.close()

    const store = await db.open()
    const later = makeCommit({ seed: 'later', createdAt: 60, inputs: [source.hash] })
    await store.putCommit(later)
    expect((await collect(store.listCommits({ input: source.hash }))).map((c) => c.hash)).toEqual([
      later.hash,
      twice.hash,
      older.hash,
    ])
    expect((await collect(store.listCommits({ input: older.hash }))).map((c) => c.hash)).toEqual([
      unrelated.hash,
    ])
    const check = new Database(db.path(), { readonly: true })
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      const { sql, params } = listCommitsStatement({ input: source.hash }, undefined, 10)
      expect(plan(check, sql, params).split('; ')[0]).toContain('inputs_by_input')
    } finally {
      check.close()
    }
  })

  it('deleting a commit deletes its inputs rows (no orphans left in the index)', async () => {
    const store = await db.open()
    const source = makeCommit({ seed: 'src' })
    const consumer = makeCommit({ seed: 'use', inputs: [source.hash, sha256Hex('other')] })
    await store.putCommit(source)
    await store.putCommit(consumer)
    const rows = () => {
      const raw = new Database(db.path(), { readonly: true })
      try {
        return (raw.prepare('SELECT count(*) AS n FROM inputs').get() as { n: number }).n
      } finally {
        raw.close()
      }
    }
    expect(rows()).toBe(2)
    await store.deleteCommit(consumer.hash)
    expect(rows()).toBe(0)
  })

  it('refuses a file from a newer version rather than misreading it (CAIRN_BACKEND)', async () => {
    const store = await db.open()
    await store.close()
    const raw = new Database(db.path())
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    raw.close()
    await expect(db.open()).rejects.toMatchObject({ code: 'CAIRN_BACKEND' })
  })
})
