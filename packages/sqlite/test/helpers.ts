import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { SqliteStore, type SqliteStoreOptions } from '../src/index.js'

/** A fresh directory and database path per test; stores opened through `open` are closed after it. */
export function useTempDatabase(): {
  dir(): string
  path(): string
  open(options?: Omit<SqliteStoreOptions, 'path'>): Promise<SqliteStore>
  blobFile(hash: string): string
} {
  let dir = ''
  const stores: SqliteStore[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-sqlite-test-'))
  })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  const path = () => join(dir, 'cairn.db')
  return {
    dir: () => dir,
    path,
    open: async (options = {}) => {
      const store = await SqliteStore.open({ path: path(), ...options })
      stores.push(store)
      return store
    },
    blobFile: (hash) => join(`${path()}.blobs`, hash.slice(0, 2), hash),
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}
