import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeCommit } from '@cairn/conformance'
import { SqliteStore } from '@cairn/sqlite'
import Database from 'better-sqlite3'
import { rawDurableWrite } from '../baselines.js'
import { median, type Sample, summarize, timeOps } from '../measure.js'
import { benchStoreAgainstBare } from './common.js'
import type { StoreBenchContext } from './context.js'

/**
 * SqliteStore next to a bare better-sqlite3 connection (one indexed SELECT; one INSERT in a
 * synchronous=FULL WAL transaction) and raw fs for 64 MiB; then where blobs should live: the same
 * puts and gets with every blob in a row and with every blob in a file.
 */
export async function benchSqliteStore(context: StoreBenchContext): Promise<Sample[]> {
  const path = join(context.work, 'cairn.db')
  const store = await SqliteStore.open({ path })
  const bare = new Database(join(context.work, 'bare.db'))
  bare.pragma('journal_mode = WAL')
  bare.pragma('synchronous = FULL')
  bare.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID')
  bare.prepare('INSERT INTO kv VALUES (?, ?)').run('small', JSON.stringify(makeCommit({ seed: 'bare' })))
  const select = bare.prepare('SELECT value FROM kv WHERE key = ?')
  const insert = bare.prepare('INSERT INTO kv VALUES (?, ?)')
  const rawDir = join(context.work, 'raw')
  mkdirSync(rawDir, { recursive: true })
  const samples: Sample[] = []
  try {
    samples.push(
      ...(await benchStoreAgainstBare('sqlite', context, store, {
        // The minimal equivalent of a hit: read the commit by an indexed key and parse it.
        get: async () => JSON.parse((select.get('small') as { value: string }).value),
        put: async (i) => bare.transaction(() => insert.run(`put-${i}`, 'c'.repeat(600))).immediate(),
        putLarge: async (bytes, i) => rawDurableWrite(rawDir, bytes, `large-${i}`),
        getLarge: async () => readFileSync(join(rawDir, 'large-0')),
      })),
    )
  } finally {
    await store.close()
    bare.close()
  }
  context.log('blob placement: rows vs files')
  const MiB = 1024 * 1024
  for (const size of [1024, 16 * 1024, 64 * 1024, 256 * 1024, MiB, 16 * MiB, 64 * MiB]) {
    const label = size >= MiB ? `${size / MiB} MiB` : `${size / 1024} KiB`
    const rounds = context.n(size >= 16 * MiB ? 5 : size >= MiB ? 20 : 300)
    const results: Record<string, { put: number[]; get: number[] }> = {}
    for (const [placement, inlineBlobBytes] of [
      ['rows', Number.MAX_SAFE_INTEGER],
      ['files', 0],
    ] as const) {
      const placed = await SqliteStore.open({
        path: join(context.work, `${placement}-${size}.db`),
        inlineBlobBytes,
      })
      const hashes: string[] = []
      const put = await timeOps(
        rounds,
        async (i) => {
          const bytes = new Uint8Array(size)
          new DataView(bytes.buffer).setUint32(0, i + 10)
          hashes.push((await placed.putBlob(bytes)).hash)
        },
        2,
      )
      const get = await timeOps(
        rounds,
        (i) => placed.getBlob(hashes[Math.max(0, i) % hashes.length] as string),
        2,
      )
      results[placement] = { put, get }
      await placed.close()
    }
    const rows = results.rows as { put: number[]; get: number[] }
    const files = results.files as { put: number[]; get: number[] }
    samples.push(
      summarize('sqlite placement', `${label} blob in a row: put`, rows.put, {
        baseline: 'in a file',
        ratio: median(rows.put) / median(files.put),
        note: `file ${median(files.put).toFixed(0)} µs`,
      }),
      summarize('sqlite placement', `${label} blob in a row: get`, rows.get, {
        baseline: 'in a file',
        ratio: median(rows.get) / median(files.get),
        note: `file ${median(files.get).toFixed(0)} µs`,
      }),
    )
  }
  return samples
}
