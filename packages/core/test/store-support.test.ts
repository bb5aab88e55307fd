import { describe, expect, it } from 'vitest'
import {
  assertBlobInput,
  blobRangeOptions,
  checkExpectedHash,
  ErrorCode,
  ownChunk,
  sha256Hex,
  verifiedRange,
} from '../src/index.js'

const bytes = Uint8Array.from({ length: 100 }, (_, i) => i)
const blob = { hash: sha256Hex(bytes), size: 100 }
const chunks = (data: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size))

async function read(source: Iterable<Uint8Array>, meta = blob, range = {}) {
  const out: Uint8Array[] = []
  for await (const piece of verifiedRange(source, meta, range)) out.push(piece)
  return Buffer.concat(out)
}

describe('verifiedRange', () => {
  it('delivers exactly the range across chunk borders, as copies', async () => {
    expect([...(await read(chunks(bytes, 7), blob, { start: 5, end: 23 }))]).toEqual([
      ...bytes.subarray(5, 23),
    ])
    expect([...(await read(chunks(bytes, 7)))]).toEqual([...bytes])
    expect((await read(chunks(bytes, 7), blob, { start: 40, end: 40 })).length).toBe(0)
    const source = chunks(new Uint8Array(bytes), 100)
    const piece = (await verifiedRange(source, blob, {}).next()).value as Uint8Array
    expect(piece.buffer).not.toBe(source[0]?.buffer)
  })

  it('throws CAIRN_CORRUPT before the end, never after yielding every good-looking byte', async () => {
    const bad = new Uint8Array(bytes)
    bad[99] = 0
    const seen: number[] = []
    const error = await (async () => {
      for await (const piece of verifiedRange(chunks(bad, 10), blob, {})) seen.push(...piece)
    })().catch((e) => e)
    expect(error.code).toBe(ErrorCode.Corrupt)
    expect(seen.length).toBeLessThan(100)
    expect((await read(chunks(bytes.subarray(0, 90), 10)).catch((e) => e)).code).toBe(ErrorCode.Corrupt)
    expect((await read(chunks(bad, 10), blob, { start: 0, end: 5 }).catch((e) => e)).code).toBe(
      ErrorCode.Corrupt,
    )
  })

  it('refuses ranges outside the blob and malformed range options', async () => {
    expect((await read(chunks(bytes, 10), blob, { start: 0, end: 101 }).catch((e) => e)).code).toBe(
      ErrorCode.InvalidArgument,
    )
    for (const opts of [{ start: -1 }, { end: 1.5 }, { start: 5, end: 2 }, { start: Number.NaN }]) {
      expect(() => blobRangeOptions(opts)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidArgument }),
      )
    }
    expect(blobRangeOptions({ start: 2 })).toEqual({ start: 2 })
  })
})

describe('put checks', () => {
  it('expected hash, input shape and chunk copies', () => {
    expect(() => checkExpectedHash(blob.hash, sha256Hex('other'))).toThrow(
      expect.objectContaining({ code: ErrorCode.Corrupt }),
    )
    expect(() => checkExpectedHash(blob.hash, undefined)).not.toThrow()
    for (const bad of [null, 'text', 42, { length: 1 }]) {
      expect(() => assertBlobInput(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }))
    }
    const reused = new Uint8Array([1, 2])
    const own = ownChunk(reused, 0)
    reused[0] = 9
    expect([...own]).toEqual([1, 2])
    expect(() => ownChunk('x', 3)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }))
  })
})
