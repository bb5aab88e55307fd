import type Database from 'better-sqlite3'

/** Bumped when the layout changes; an older file is migrated, a newer one refused rather than misread. */
export const SCHEMA_VERSION = 3

/**
 * Commits are indexed for each query `log` makes (fingerprint, task, status, tag, time), always ending
 * in `created_at DESC, hash DESC`, the order the protocol lists in. Tags carry their commit's
 * `created_at`, so a tag query reads its index in that order instead of scanning every commit. Blobs
 * up to the inline limit are rows; larger ones are files beside the database, their row holding only
 * the size.
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
CREATE TABLE IF NOT EXISTS tags (
  hash TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at NUMERIC NOT NULL,
  PRIMARY KEY (hash, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_value ON tags (key, value, created_at DESC, hash DESC);
CREATE TABLE IF NOT EXISTS inputs (
  input TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at NUMERIC NOT NULL,
  PRIMARY KEY (hash, input)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inputs_by_input ON inputs (input, created_at DESC, hash DESC);
CREATE TABLE IF NOT EXISTS refs (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`

/** Version 1 indexed tags by `(key, value, hash)` without the time: give them their commit's. */
const FROM_V1 = `
ALTER TABLE tags ADD COLUMN created_at NUMERIC NOT NULL DEFAULT 0;
UPDATE tags SET created_at = coalesce((SELECT c.created_at FROM commits c WHERE c.hash = tags.hash), 0);
DROP INDEX IF EXISTS tags_by_value;
`

/**
 * Versions 1 and 2 had no inputs table: fill it from the commits' own `inputs`. A damaged row (not
 * JSON, or inputs that are not a list) gets none rather than failing the migration.
 */
const FILL_INPUTS = `
INSERT OR IGNORE INTO inputs (input, hash, created_at)
SELECT i.value, c.hash, c.created_at
FROM commits c, json_each(c.json, '$.inputs') i
WHERE json_valid(c.json) AND json_type(c.json, '$.inputs') = 'array' AND i.type = 'text';
`

/**
 * WAL (readers never block the writer, several processes share the file), `synchronous = FULL`
 * (a commit that returned survives power loss), a busy timeout (writers from other processes wait
 * instead of failing), incremental auto-vacuum (gc gives pages back to the file system), a cap on
 * the WAL file's size. The schema is created or migrated inside one IMMEDIATE transaction, so
 * processes opening a new file at the same time take turns.
 */
export function prepareDatabase(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  // auto_vacuum only takes effect on a database without tables: set it before creating them.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  // A checkpoint leaves the WAL file at its largest size; past this it is truncated (after a gc, say).
  db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`)
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${version} is newer than this @cairn/sqlite understands (${SCHEMA_VERSION})`,
      )
    }
    if (version === SCHEMA_VERSION) return
    if (version === 1) db.exec(FROM_V1)
    db.exec(TABLES)
    if (version === 1 || version === 2) db.exec(FILL_INPUTS)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}
