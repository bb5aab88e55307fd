import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StoreOracle } from '@cairn/conformance'
import Database from 'better-sqlite3'

/** A second connection and the blob files: what really landed, bypassing the store. */
export function rawOracle(path: string): StoreOracle & { db: Database.Database; close(): void } {
  const db = new Database(path)
  const file = (hash: string) => join(`${path}.blobs`, hash.slice(0, 2), hash)
  const row = (hash: string) =>
    db.prepare('SELECT size, data FROM blobs WHERE hash = ?').get(hash) as
      | { size: number; data: Buffer | null }
      | undefined
  return {
    db,
    readBlob: async (hash) => {
      const r = row(hash)
      if (r === undefined) return undefined
      return new Uint8Array(r.data ?? readFileSync(file(hash)))
    },
    writeBlob: async (hash, bytes) => {
      const r = row(hash)
      if (r?.data === null) writeFileSync(file(hash), bytes)
      else
        db.prepare('INSERT OR REPLACE INTO blobs (hash, size, data) VALUES (?, ?, ?)').run(
          hash,
          bytes.byteLength,
          bytes,
        )
    },
    deleteBlobRaw: async (hash) => {
      db.prepare('DELETE FROM blobs WHERE hash = ?').run(hash)
    },
    readRef: async (name) =>
      (db.prepare('SELECT value FROM refs WHERE name = ?').get(name) as { value: string } | undefined)?.value,
    readCommit: async (hash) => {
      const r = db.prepare('SELECT json FROM commits WHERE hash = ?').get(hash) as
        | { json: string }
        | undefined
      return r === undefined ? undefined : JSON.parse(r.json)
    },
    close: () => db.close(),
  }
}
