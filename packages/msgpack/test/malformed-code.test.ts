import { expectValueOrCode, prng, seededBytes } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { decodeSample, encodeSample, msgpackSerializer, ndarray } from '../src/index.js'

/**
 * Property: bytes that are not an encoding this serializer writes are refused with one code,
 * CAIRN_CORRUPT (README, "Decoding untrusted bytes"), whatever is wrong with them: valid msgpack it
 * never writes (other extension types, sub-millisecond timestamps) included. CAIRN_UNSERIALIZABLE on
 * decode is left for nesting deeper than `maxDepth`, which these inputs never reach.
 */
const { encode, decode } = msgpackSerializer
const MALFORMED = [ErrorCode.Corrupt]

const encodings: Uint8Array[] = [
  encode({ a: [1, 'two', { b: null }], c: 'x'.repeat(40), d: 1.5, e: -(2 ** 40), f: 2n ** 60n }),
  encode(
    new Map<unknown, unknown>([
      [1, new Uint8Array(40)],
      ['k', new Date(1500)],
      [-3, [true, false, 0xffff, -129]],
    ]),
  ),
  encode(['é'.repeat(30), new Date(-1), new Date(2 ** 40 * 1000), new Date(1e12 + 1), 65536, -40000]),
  encode([{ x: 1, y: 2 }, { x: 3, y: 4 }, 'ü🙂', new Uint8Array([1, 2, 3]), 2n ** 64n - 1n, -(2n ** 63n)]),
  encodeSample({ x: ndarray(new Float64Array([1, 2, 3]), [3, 1]), y: 'label' }),
]

/** One seeded mutation of `base`: a byte replaced, a bit flipped, bytes inserted, removed or cut off. */
function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const bytes = [...base]
  const steps = 1 + Math.floor(random() * 3)
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (bytes.length + 1))
    const kind = Math.floor(random() * 5)
    if (kind === 0 && at < bytes.length) bytes[at] = Math.floor(random() * 256)
    else if (kind === 1 && at < bytes.length)
      bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(random() * 8))
    else if (kind === 2) bytes.splice(at, 0, ...seededBytes(1 + Math.floor(random() * 6), 1 + at + s))
    else if (kind === 3) bytes.splice(at, 1 + Math.floor(random() * 4))
    else bytes.length = at
  }
  return new Uint8Array(bytes)
}

describe('malformed input has one code: CAIRN_CORRUPT', () => {
  it('20 000 seeded random buffers of 0 to 200 bytes', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const bytes = seededBytes(seed % 201, seed)
      expectValueOrCode(decode, bytes, MALFORMED)
      expectValueOrCode(decodeSample, bytes, MALFORMED)
    }
  })

  it('20 000 seeded mutations of valid encodings (replaced, flipped, inserted, removed, cut bytes)', () => {
    const random = prng(11)
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutate(encodings[i % encodings.length] as Uint8Array, random)
      expectValueOrCode(decode, bytes, MALFORMED)
      expectValueOrCode(decodeSample, bytes, MALFORMED)
    }
  })

  it('every extension type, with every data length msgpack has, behind every cut', () => {
    // The inputs random bytes hit most often among those that used to get CAIRN_UNSERIALIZABLE.
    for (let type = -128; type < 128; type++) {
      for (const [header, length] of [
        [0xd4, 1],
        [0xd5, 2],
        [0xd6, 4],
        [0xd7, 8],
        [0xd8, 16],
        [0xc7, 12],
      ] as const) {
        const bytes = new Uint8Array([header, ...(header === 0xc7 ? [length] : []), type & 0xff])
        const full = new Uint8Array([...bytes, ...seededBytes(length, type + 200)])
        for (let cut = 0; cut <= full.byteLength; cut++) {
          expectValueOrCode(decode, full.subarray(0, cut), MALFORMED)
        }
      }
    }
    expect(() => decode(new Uint8Array([0xd4, 0x05, 0x00]))).toThrow(/extension type 5/)
  })
})
