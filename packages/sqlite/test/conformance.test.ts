import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreSuite } from '@cairn/conformance/vitest'
import { SqliteStore } from '../src/index.js'
import { rawOracle } from './oracle.js'

for (const [label, inlineBlobBytes] of [
  ['small blobs in rows, large ones in files', 64 * 1024],
  ['every blob in a file', 0],
] as const) {
  runStoreSuite({
    name: `SqliteStore (${label})`,
    factory: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-sqlite-'))
      const path = join(dir, 'cairn.db')
      const open = () => SqliteStore.open({ path, inlineBlobBytes })
      const store = await open()
      const oracle = rawOracle(path)
      return {
        store,
        oracle,
        reopen: open,
        teardown: async () => {
          oracle.close()
          await rm(dir, { recursive: true, force: true })
        },
      }
    },
    capabilities: SqliteStore.capabilities,
    oracle: true,
  })
}
