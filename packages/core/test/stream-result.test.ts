import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { openDefaultStore } from '../src/cairn/default-store.js'
import {
  Cairn,
  createMemoryBacking,
  ErrorCode,
  isCairnError,
  type MemoryBacking,
  MemoryStore,
  type ResultRef,
  type Store,
} from '../src/index.js'

const dirs: string[] = []
const stores: Store[] = []
afterEach(async () => {
  // A client leaves a store it was given open: close them before removing their files.
  await Promise.all(stores.splice(0).map((store) => store.close()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** Deterministic bytes, `count` chunks of `size` bytes each (chunk i filled with a pattern from i). */
function chunkBytes(index: number, size: number): Uint8Array {
  const chunk = new Uint8Array(size)
  for (let j = 0; j < size; j++) chunk[j] = (index * 31 + j * 7) & 0xff
  return chunk
}
async function* byteChunks(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield chunkBytes(i, size)
}
function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}
async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return concat(chunks)
}
async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  )
}

interface Backend {
  store: Store
  /** Replaces the stored bytes of a blob with other bytes of the same length. */
  damage(hash: string): Promise<void>
}

const backends: [string, () => Promise<Backend>][] = [
  [
    'MemoryStore',
    async () => {
      const backing: MemoryBacking = createMemoryBacking()
      return {
        store: new MemoryStore({ backing }),
        async damage(hash) {
          const bytes = backing.blobs.get(hash)!
          bytes[bytes.byteLength - 1] = (bytes[bytes.byteLength - 1]! + 1) & 0xff
        },
      }
    },
  ],
  [
    'FsStore',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'cairn-stream-'))
      dirs.push(root)
      const path = (hash: string) => join(root, 'blobs', 'sha256', hash.slice(0, 2), hash)
      const store = await openDefaultStore(root)
      stores.push(store)
      return {
        store,
        async damage(hash) {
          const bytes = await readFile(path(hash))
          bytes[bytes.byteLength - 1] = (bytes[bytes.byteLength - 1]! + 1) & 0xff
          await writeFile(path(hash), bytes)
        },
      }
    },
  ],
]

describe.each(backends)('streamed results on %s', (_name, open) => {
  const CHUNKS = 5
  const CHUNK_SIZE = 700 * 1024 // several of FsStore's 1 MiB read chunks in all
  const expected = concat(Array.from({ length: CHUNKS }, (_, i) => chunkBytes(i, CHUNK_SIZE)))

  it('stores a task’s async iterable of bytes; load() gives a Uint8Array, stream() the bytes, a second call is a hit that streams', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    let runs = 0
    // Identity refuses generator functions themselves: a task returns the stream a generator makes.
    const produce = cairn.task(
      (count: number, size: number) => {
        runs++
        return byteChunks(count, size)
      },
      { name: 'produce', allowFreeVariables: ['runs', 'byteChunks'] },
    )
    const first = await produce(CHUNKS, CHUNK_SIZE)
    expect(first.cached).toBe(false)
    expect(first.size).toBe(expected.byteLength)
    const loaded: Uint8Array = await first.load()
    expect(loaded).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(loaded).equals(Buffer.from(expected))).toBe(true)
    expect(Buffer.from(await collect(first.stream())).equals(Buffer.from(expected))).toBe(true)

    const again = await produce(CHUNKS, CHUNK_SIZE)
    expect(again.cached).toBe(true)
    expect(runs).toBe(1)
    expect(again.hash).toBe(first.hash)
    expect(Buffer.from(await collect(again.stream())).equals(Buffer.from(expected))).toBe(true)
    // Recorded exactly as a Uint8Array result of the same bytes would be.
    const asBytes = await cairn.run(() => expected, [], {
      name: 'as-bytes',
      allowFreeVariables: ['expected'],
    })
    expect(asBytes.hash).toBe(first.hash)
    const [commit] = await cairn.log({ func: 'produce' })
    expect(commit!.output).toMatchObject({
      kind: 'blob',
      instructions: { packager: { id: 'bytes' }, class: 'Uint8Array' },
    })
    await cairn.close()
  })

  it('takes a Node Readable and a web ReadableStream of bytes', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    const parts = [chunkBytes(1, 1000), chunkBytes(2, 3000)]
    const viaReadable = await cairn.run(() => Readable.from(parts.map((p) => Buffer.from(p))), [], {
      name: 'readable',
      allowFreeVariables: true,
    })
    const viaWeb = await cairn.run(
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const p of parts) controller.enqueue(p)
            controller.close()
          },
        }),
      [],
      { name: 'web', allowFreeVariables: ['parts', 'ReadableStream'] },
    )
    const bytes = Buffer.from(concat(parts))
    expect(Buffer.from(await viaReadable.load()).equals(bytes)).toBe(true)
    expect(Buffer.from(await collect(viaWeb.stream())).equals(bytes)).toBe(true)
    expect(viaWeb.hash).toBe(viaReadable.hash)
    await cairn.close()
  })

  it('throws CAIRN_CORRUPT before a damaged blob’s stream completes, and the next call computes again', async () => {
    const backend = await open()
    const cairn = new Cairn({ store: backend.store, onWarning: () => {} })
    let runs = 0
    const produce = (count: number, size: number) => {
      runs++
      return byteChunks(count, size)
    }
    const counted = { allowFreeVariables: ['runs', 'byteChunks'] }
    const ref = await cairn.run(produce, [CHUNKS, CHUNK_SIZE], counted)
    await backend.damage(ref.hash)
    let completed = false
    const error = await (async () => {
      for await (const _chunk of (await cairn.ref(ref.commit)).stream()) {
        // consume
      }
      completed = true
    })().catch((e: unknown) => e)
    expect(completed).toBe(false)
    expect(isCairnError(error, ErrorCode.Corrupt)).toBe(true)
    // The damaged blob was moved aside: the next identical call is a miss that runs again.
    expect(await backend.store.hasBlob(ref.hash)).toBe(false)
    const again = await cairn.run(produce, [CHUNKS, CHUNK_SIZE], counted)
    expect(again.cached).toBe(false)
    expect(runs).toBe(2)
    expect(Buffer.from(await collect(again.stream())).equals(Buffer.from(expected))).toBe(true)
    await cairn.close()
  })

  it('a task stream that fails midway records a failed commit, stores no blob, and the caller gets its error', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    const boom = new Error('source broke')
    let runs = 0
    const breaking = () => {
      runs++
      return (async function* () {
        yield chunkBytes(0, CHUNK_SIZE)
        yield chunkBytes(1, CHUNK_SIZE)
        throw boom
      })()
    }
    const unkeyed = { allowFreeVariables: true }
    expect(await cairn.run(breaking, [], unkeyed).catch((e: unknown) => e)).toBe(boom)
    const commits = await cairn.log()
    expect(commits.map((c) => c.status)).toEqual(['failed'])
    expect(commits[0]!.error).toMatchObject({ name: 'Error', message: 'source broke' })
    expect((await store.stats()).blobs).toBe(0)
    // Failures are not cached: the next call runs again.
    expect(await cairn.run(breaking, [], unkeyed).catch((e: unknown) => e)).toBe(boom)
    expect(runs).toBe(2)
    await cairn.close()
  })

  it('an abort while the stream is stored stores and records nothing, and closes the stream', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    const controller = new AbortController()
    let closed = false
    const aborting = () =>
      (async function* () {
        try {
          for (let i = 0; ; i++) {
            if (i === 2) controller.abort()
            yield chunkBytes(i, 1000)
          }
        } finally {
          closed = true
        }
      })()
    const run = cairn.run(aborting, [], {
      cache: false,
      signal: controller.signal,
      allowFreeVariables: true,
    })
    expect(await codeOf(run)).toBe(ErrorCode.Aborted)
    expect(closed).toBe(true)
    expect(await cairn.log()).toEqual([])
    expect((await store.stats()).blobs).toBe(0)
    await cairn.close()
  })

  it('a stream that yields something other than bytes is a failed commit with CAIRN_UNSERIALIZABLE', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    const texts = () =>
      (async function* () {
        yield chunkBytes(0, 10)
        yield 'text' as unknown as Uint8Array
      })()
    expect(await codeOf(cairn.run(texts, [], { allowFreeVariables: ['chunkBytes'] }))).toBe(
      ErrorCode.Unserializable,
    )
    const [commit] = await cairn.log()
    expect(commit).toMatchObject({ status: 'failed', error: { code: ErrorCode.Unserializable } })
    expect((await store.stats()).blobs).toBe(0)
    await cairn.close()
  })

  it('stream() of a missing blob computes it again before the first chunk', async () => {
    const { store } = await open()
    const cairn = new Cairn({ store, onWarning: () => {} })
    let runs = 0
    const produce = (n: number) => {
      runs++
      return new Uint8Array(n).fill(9)
    }
    const ref: ResultRef<Uint8Array> = await cairn.run(produce, [5000], { allowFreeVariables: ['runs'] })
    await store.deleteBlob(ref.hash)
    const bytes = await collect(ref.stream())
    expect(bytes).toEqual(new Uint8Array(5000).fill(9))
    expect(runs).toBe(2)
    await cairn.close()
  })
})

describe('ResultRef.stream', () => {
  it('refuses outputs that are not one blob with CAIRN_UNSUPPORTED', async () => {
    const cairn = new Cairn({ store: new MemoryStore() })
    const inline = await cairn.submit((n: number) => n + 1, 1)
    const bundle = await cairn.submit(() => ({ a: new Uint8Array(3), b: new Float32Array(2) }))
    expect(await codeOf(collect(inline.stream()))).toBe(ErrorCode.Unsupported)
    expect(await codeOf(collect(bundle.stream()))).toBe(ErrorCode.Unsupported)
    await cairn.close()
  })

  it('fails a stream that grows past the store’s maxBlobSize at the limit, recorded as a failed commit', async () => {
    class SmallBlobStore extends MemoryStore {
      override readonly capabilities = { ...new MemoryStore().capabilities, maxBlobSize: 1000 }
    }
    const store = new SmallBlobStore()
    const cairn = new Cairn({ store, onWarning: () => {} })
    let pulled = 0
    const endless = () =>
      (async function* () {
        for (;;) {
          pulled++
          yield new Uint8Array(400)
        }
      })()
    expect(await codeOf(cairn.run(endless, [], { allowFreeVariables: ['pulled'] }))).toBe(
      ErrorCode.Unsupported,
    )
    expect(pulled).toBe(3)
    expect((await cairn.log()).map((c) => c.status)).toEqual(['failed'])
    expect((await store.stats()).blobs).toBe(0)
    await cairn.close()
  })
})
