import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode, isCairnError, sha256Hex } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { blobFile, tempRoot, utf8 } from './helpers.js'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    return isCairnError(error) ? error.code : `not a CairnError: ${error}`
  }
}

describe('FsStore blobs', () => {
  it('stores each blob at blobs/sha256/<2 hex>/<hash> and leaves no temp file after many parallel puts', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const contents = Array.from({ length: 20 }, (_, i) => utf8.encode(`blob ${i}`))
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const bytes = contents[i % 20] as Uint8Array
        return i % 3
          ? store.putBlob(bytes)
          : store.putBlob(
              (async function* () {
                yield bytes
              })(),
            )
      }),
    )
    for (const bytes of contents)
      expect(readFileSync(blobFile(root, sha256Hex(bytes)))).toEqual(Buffer.from(bytes))
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    expect((await collect(store.listBlobs())).length).toBe(20)
    await store.close()
  })

  it('replaces a stored copy of the wrong size on put (a damaged file is not "already stored")', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const bytes = utf8.encode('the real content')
    const { hash } = await store.putBlob(bytes)
    await writeFile(blobFile(root, hash), 'trunc')
    expect(await codeOf(store.getBlob(hash))).toBe(ErrorCode.Corrupt)
    await store.putBlob(bytes)
    expect(await store.getBlob(hash)).toEqual(bytes)
    await writeFile(blobFile(root, hash), 'truncated again')
    await store.putBlob(
      (async function* () {
        yield bytes
      })(),
    )
    expect(await store.getBlob(hash)).toEqual(bytes)
    await store.close()
  })

  it('reports a range past the end of a damaged blob as corrupt, and of a sound one as a bad range', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const bytes = utf8.encode('0123456789'.repeat(10))
    const { hash } = await store.putBlob(bytes)
    expect(await codeOf(collect(store.openBlob(hash, { start: 0, end: 101 })))).toBe(
      ErrorCode.InvalidArgument,
    )
    await writeFile(blobFile(root, hash), bytes.subarray(0, 50))
    expect(await codeOf(collect(store.openBlob(hash, { start: 60, end: 70 })))).toBe(ErrorCode.Corrupt)
    expect(await codeOf(collect(store.openBlob(hash, { start: 10, end: 20 })))).toBe(ErrorCode.Corrupt)
    await store.close()
  })

  it('hands out bytes that own their memory (no view into a shared pool)', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const { hash } = await store.putBlob(utf8.encode('small'))
    const bytes = await store.getBlob(hash)
    expect(bytes.byteOffset).toBe(0)
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength)
    for (const chunk of await collect(store.openBlob(hash, { start: 1, end: 3 }))) {
      expect(new Uint8Array(chunk.buffer).subarray(0, 5)).toEqual(utf8.encode('small'))
    }
    await store.close()
  })

  it('streams a multi-chunk blob with a range that spans chunk boundaries', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 255)
    const { hash } = await store.putBlob(bytes)
    const start = 1024 * 1024 - 5
    const end = 2 * 1024 * 1024 + 9
    const chunks = await collect(store.openBlob(hash, { start, end }))
    // Buffer.equals: vitest's toEqual walks a megabyte element by element.
    expect(Buffer.concat(chunks).equals(bytes.subarray(start, end))).toBe(true)
    expect(Buffer.from(await store.getBlob(hash)).equals(bytes)).toBe(true)
    await store.close()
  })

  it('quarantines a blob into quarantine/ and skips foreign files when listing', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const { hash } = await store.putBlob(utf8.encode('bad apple'))
    await store.quarantineBlob(hash)
    expect(await store.hasBlob(hash)).toBe(false)
    const [moved] = readdirSync(join(root, 'quarantine'))
    expect(moved).toMatch(new RegExp(`^${hash}\\.\\d+$`))
    expect(readFileSync(join(root, 'quarantine', moved as string), 'utf8')).toBe('bad apple')
    await store.quarantineBlob(hash) // absent: nothing to do
    const other = sha256Hex('x')
    mkdirSync(join(root, 'blobs', 'sha256', 'zz'), { recursive: true })
    writeFileSync(join(root, 'blobs', 'sha256', 'zz', other), 'misfiled')
    writeFileSync(join(root, 'blobs', 'sha256', 'zz', 'notes.txt'), 'hello')
    expect(await collect(store.listBlobs())).toEqual([])
    await store.close()
  })

  it('maps an I/O failure other than "absent" to CAIRN_BACKEND, never to a miss', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const hash = sha256Hex('somewhere')
    // A file where the shard directory should be: every path through it fails with ENOTDIR.
    writeFileSync(join(root, 'blobs', 'sha256', hash.slice(0, 2)), 'not a directory')
    const error = await store.getBlob(hash).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Backend)).toBe(true)
    expect(error.cause.code).toBe('ENOTDIR')
    expect(await codeOf(store.hasBlob(hash))).toBe(ErrorCode.Backend)
    expect(await codeOf(collect(store.openBlob(hash)))).toBe(ErrorCode.Backend)
    expect(await codeOf(store.deleteBlob(hash))).toBe(ErrorCode.Backend)
    expect(await codeOf(store.putBlob(utf8.encode('somewhere')))).toBe(ErrorCode.Backend)
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    // A tmp/ that is a file: writes fail loudly and store nothing.
    await rm(join(root, 'tmp'), { recursive: true })
    writeFileSync(join(root, 'tmp'), '')
    expect(await codeOf(store.putBlob(utf8.encode('cannot land')))).toBe(ErrorCode.Backend)
    expect(await store.hasBlob(sha256Hex('cannot land'))).toBe(false)
    expect(await codeOf(store.setRef('r', 'v'))).toBe(ErrorCode.Backend)
    expect(await store.getRef('r')).toBeUndefined()
    expect(readdirSync(join(root, 'locks')).filter((f) => !f.startsWith('holder-'))).toEqual([])
    await store.close()
  })
})
