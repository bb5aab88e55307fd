import { createHasher, ErrorCode, sha256Hex } from '@cairn/core'
import { bytesEqual, check, collect, equal, expectCode } from './assert.js'
import { chunksOf, pseudoRandomBytes, pseudoRandomStream } from './fixtures.js'
import type { StoreTestContext } from './store-harness.js'

type Case = [name: string, body: (ctx: StoreTestContext) => Promise<void>, needs?: 'oracle']

const utf8 = new TextEncoder()
const ABSENT = sha256Hex('cairn conformance: never stored')

async function readAll(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts = await collect(iterable)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0
  for (const p of parts) {
    check(p instanceof Uint8Array, 'openBlob must yield Uint8Array chunks')
    out.set(p, offset)
    offset += p.byteLength
  }
  return out
}

export const blobCases: Case[] = [
  [
    'round-trips the empty blob, one byte, a few KiB and unicode text',
    async ({ store }) => {
      const samples = [
        new Uint8Array(0),
        new Uint8Array([7]),
        pseudoRandomBytes(5000, 3),
        utf8.encode('héllo 日本語 🚀 \u0000'),
      ]
      for (const bytes of samples) {
        const ref = await store.putBlob(bytes)
        equal(ref.hash, sha256Hex(bytes), 'putBlob returns the SHA-256 of the bytes')
        equal(ref.size, bytes.byteLength, 'putBlob returns the size')
        bytesEqual(await store.getBlob(ref.hash), bytes, 'getBlob returns the bytes')
        check(await store.hasBlob(ref.hash), 'hasBlob is true after put')
      }
    },
  ],
  [
    'accepts an AsyncIterable of chunks, including empty chunks',
    async ({ store }) => {
      const bytes = pseudoRandomBytes(100_000, 9)
      const ref = await store.putBlob(chunksOf(bytes, [1, 0, 4096, 7, 0, 65536]))
      equal(ref.hash, sha256Hex(bytes), 'streamed put hashes the concatenation')
      equal(ref.size, bytes.byteLength, 'streamed put size')
      bytesEqual(await store.getBlob(ref.hash), bytes, 'streamed put round trip')
      const empty = await store.putBlob((async function* () {})())
      equal(empty.hash, sha256Hex(new Uint8Array(0)), 'an empty stream is the empty blob')
    },
  ],
  [
    'is idempotent and stores one copy under parallel puts of the same content',
    async ({ store, options }) => {
      const bytes = pseudoRandomBytes(200_000, 5)
      const refs = await Promise.all(
        Array.from({ length: options.concurrency }, (_, i) =>
          i % 2 ? store.putBlob(bytes) : store.putBlob(chunksOf(bytes, [65536])),
        ),
      )
      for (const ref of refs) equal(ref.hash, sha256Hex(bytes), 'every parallel put returns the same hash')
      await store.putBlob(bytes)
      const listed = (await collect(store.listBlobs())).filter((b) => b.hash === refs[0]?.hash)
      equal(listed.length, 1, 'listBlobs lists the blob once')
      equal(listed[0]?.size, bytes.byteLength, 'listBlobs reports the size')
      bytesEqual(await store.getBlob(sha256Hex(bytes)), bytes, 'the stored copy is whole')
    },
  ],
  [
    'isolates stored bytes from the caller mutating its input or output',
    async ({ store }) => {
      const bytes = new Uint8Array([1, 2, 3, 4])
      const ref = await store.putBlob(bytes)
      bytes[0] = 99
      const out = await store.getBlob(ref.hash)
      bytesEqual(out, new Uint8Array([1, 2, 3, 4]), 'mutating the input after put changes nothing')
      out[1] = 99
      bytesEqual(
        await store.getBlob(ref.hash),
        new Uint8Array([1, 2, 3, 4]),
        'mutating a returned buffer changes nothing',
      )
    },
  ],
  [
    'refuses data that does not match expectedHash, storing nothing',
    async ({ store }) => {
      const bytes = utf8.encode('expected hash test')
      await expectCode(
        store.putBlob(bytes, { expectedHash: ABSENT }),
        ErrorCode.Corrupt,
        'expectedHash mismatch',
      )
      check(!(await store.hasBlob(sha256Hex(bytes))), 'nothing is stored after an expectedHash mismatch')
      const ok = await store.putBlob(bytes, { expectedHash: sha256Hex(bytes) })
      equal(ok.hash, sha256Hex(bytes), 'a matching expectedHash is accepted')
    },
  ],
  [
    'reports absent blobs as CAIRN_NOT_FOUND, and deletes idempotently',
    async ({ store }) => {
      await expectCode(store.getBlob(ABSENT), ErrorCode.NotFound, 'getBlob of an absent hash')
      await expectCode(collect(store.openBlob(ABSENT)), ErrorCode.NotFound, 'openBlob of an absent hash')
      check(!(await store.hasBlob(ABSENT)), 'hasBlob of an absent hash')
      await store.deleteBlob(ABSENT)
      const ref = await store.putBlob(utf8.encode('to delete'))
      await store.deleteBlob(ref.hash)
      await store.deleteBlob(ref.hash)
      check(!(await store.hasBlob(ref.hash)), 'hasBlob is false after delete')
      await expectCode(store.getBlob(ref.hash), ErrorCode.NotFound, 'getBlob after delete')
    },
  ],
  [
    'lists every blob once with its size',
    async ({ store }) => {
      const blobs = [utf8.encode('a'), utf8.encode('bb'), new Uint8Array(0), pseudoRandomBytes(3000, 2)]
      for (const b of blobs) await store.putBlob(b)
      const listed = await collect(store.listBlobs())
      const byHash = new Map(listed.map((b) => [b.hash, b.size]))
      equal(listed.length, byHash.size, 'no blob is listed twice')
      for (const b of blobs)
        equal(byHash.get(sha256Hex(b)), b.byteLength, 'each blob is listed with its size')
    },
  ],
  [
    'streams whole blobs and byte ranges, and refuses bad ranges',
    async ({ store }) => {
      const bytes = pseudoRandomBytes(300_000, 11)
      const { hash } = await store.putBlob(bytes)
      bytesEqual(await readAll(store.openBlob(hash)), bytes, 'openBlob whole')
      const ranges: [number | undefined, number | undefined][] = [
        [0, 0],
        [10, undefined],
        [undefined, 20],
        [1000, 250_001],
        [0, bytes.byteLength],
        [bytes.byteLength, bytes.byteLength],
      ]
      for (const [start, end] of ranges) {
        const got = await readAll(store.openBlob(hash, { start, end }))
        bytesEqual(got, bytes.slice(start ?? 0, end ?? bytes.byteLength), `openBlob range [${start}, ${end})`)
      }
      for (const [start, end] of [
        [-1, 5],
        [5, 4],
        [0, bytes.byteLength + 1],
        [1.5, 3],
      ] as const) {
        await expectCode(
          collect(store.openBlob(hash, { start, end })),
          ErrorCode.InvalidArgument,
          `range [${start}, ${end})`,
        )
      }
    },
  ],
  [
    'streams a large blob in and out, verified end to end',
    async ({ store, options, capabilities }) => {
      const total = capabilities.maxBlobSize
        ? Math.min(options.largeBlobBytes, capabilities.maxBlobSize)
        : options.largeBlobBytes
      const expected = createHasher()
      for await (const chunk of pseudoRandomStream(total, 1024 * 1024, 42)) expected.update(chunk)
      const hash = expected.digest()
      const ref = await store.putBlob(pseudoRandomStream(total, 1024 * 1024, 42))
      equal(ref.hash, hash, 'large streamed put hash')
      equal(ref.size, total, 'large streamed put size')
      const actual = createHasher()
      let size = 0
      for await (const chunk of store.openBlob(hash)) {
        actual.update(chunk)
        size += chunk.byteLength
      }
      equal(size, total, 'large streamed read size')
      equal(actual.digest(), hash, 'large streamed read hash')
    },
  ],
  [
    'never returns tampered bytes: getBlob and openBlob throw CAIRN_CORRUPT',
    async ({ store, harness }) => {
      const oracle = harness.oracle!
      const bytes = pseudoRandomBytes(200_000, 13)
      const { hash } = await store.putBlob(bytes)
      bytesEqual(
        (await oracle.readBlob(hash)) as Uint8Array,
        bytes,
        'what landed in the backend is the input',
      )
      const flipped = bytes.slice()
      flipped[123_456] = (flipped[123_456] as number) ^ 1
      await oracle.writeBlob(hash, flipped)
      await expectCode(store.getBlob(hash), ErrorCode.Corrupt, 'getBlob of a flipped byte')
      let endedCleanly = false
      await expectCode(
        (async () => {
          for await (const _ of store.openBlob(hash)) {
            // consume everything; the error must come before a clean end
          }
          endedCleanly = true
        })(),
        ErrorCode.Corrupt,
        'openBlob of a flipped byte',
      )
      check(!endedCleanly, 'openBlob must not end cleanly after corrupt data')
      await expectCode(
        collect(store.openBlob(hash, { start: 0, end: 10 })),
        ErrorCode.Corrupt,
        'ranged openBlob of a corrupt blob',
      )
      await oracle.writeBlob(hash, bytes.slice(0, 1000))
      await expectCode(store.getBlob(hash), ErrorCode.Corrupt, 'getBlob of a truncated blob')
      await expectCode(collect(store.openBlob(hash)), ErrorCode.Corrupt, 'openBlob of a truncated blob')
    },
    'oracle',
  ],
]
