import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreSuite } from '@cairn/conformance/vitest'
import { sha256Hex } from '@cairn/core'
import { FsStore } from '../src/index.js'
import { blobFile } from './helpers.js'

/** The last record about `hash` in the raw commit log (bypassing the store and its index). */
function readCommitRaw(root: string, hash: string): unknown {
  let found: unknown
  for (const line of readFileSync(join(root, 'commits.log'), 'utf8').split('\n')) {
    const record = line.length > 17 ? JSON.parse(line.slice(17)) : undefined
    if (record?.op === 'put' && record.commit.hash === hash) found = record.commit
    if (record?.op === 'del' && record.hash === hash) found = undefined
  }
  return found
}

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
        readRef: (name) =>
          readFile(join(root, 'refs', `${sha256Hex(name)}.json`), 'utf8').then(
            (text) => JSON.parse(text).value,
            () => undefined,
          ),
        readCommit: async (hash) => readCommitRaw(root, hash),
      },
      reopen: () => FsStore.open({ root }),
      teardown: () => rm(root, { recursive: true, force: true }),
    }
  },
  capabilities: FsStore.capabilities,
  oracle: true,
})
