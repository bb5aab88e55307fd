import type Database from 'better-sqlite3'

/** Bumped when the layout changes; a newer file is refused rather than misread. */
export const SCHEMA_VERSION = 1

/**
 * Commits are indexed for each query `log` makes (fingerprint, task, status, tag, time), always ending
 * in `created_at DESC, hash DESC`, the order the protocol lists in. Blobs up to the inline limit are
 * rows; larger ones are files beside the database, their row holding only the size.
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB);
CREATE TABLE IF NOT EXISTS quarantine (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS commits (
  hash TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  func TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at NUMERIC NOT NULL,
  json TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS commits_by_fingerprint ON commits (fingerprint, status, created_at DESC, hash DESC);
CREATE INDEX IF NOT EXISTS commits_by_func ON commits (func, created_at DESC, hash DESC);
CREATE INDEX IF NOT EXISTS commits_by_status ON commits (status, created_at DESC, hash DESC);
CREATE INDEX IF NOT EXISTS commits_by_time ON commits (created_at DESC, hash DESC);
CREATE TABLE IF NOT EXISTS tags (hash TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (hash, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_value ON tags (key, value, hash);
CREATE TABLE IF NOT EXISTS refs (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`

/**
 * WAL (readers never block the writer, several processes share the file), `synchronous = FULL`
 * (a commit that returned survives power loss), a busy timeout (writers from other processes wait
 * instead of failing), incremental auto-vacuum (gc gives pages back to the file system).
 */
export function prepareDatabase(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  // auto_vacuum only takes effect on a database without tables: set it before creating them.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this @cairn/sqlite (${SCHEMA_VERSION})`)
  }
  db.transaction(() => {
    db.exec(TABLES)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}
