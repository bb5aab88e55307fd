import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreSuite } from '@cairn/conformance/vitest'
import { FsStore } from '../src/index.js'

const blobFile = (root: string, hash: string) => join(root, 'blobs', 'sha256', hash.slice(0, 2), hash)

runStoreSuite({
  name: 'FsStore',
  factory: async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-fs-conformance-'))
    return {
      store: await FsStore.open({ root }),
      oracle: {
        readBlob: (hash) =>
          readFile(blobFile(root, hash)).then(
            (b) => new Uint8Array(b),
            () => undefined,
          ),
        writeBlob: (hash, bytes) => writeFile(blobFile(root, hash), bytes),
        deleteBlobRaw: (hash) => rm(blobFile(root, hash), { force: true }),
      },
      reopen: () => FsStore.open({ root }),
      teardown: () => rm(root, { recursive: true, force: true }),
    }
  },
  capabilities: FsStore.capabilities,
  oracle: true,
})
