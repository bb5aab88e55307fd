import { prng } from '@cairn/conformance'
import { Packr, Unpackr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { msgpackSerializer } from '../src/index.js'

/**
 * msgpackr, the library the project's brief names, as a differential oracle (README, "msgpackr as an
 * oracle"): seeded random values encoded by each library are decoded by the other, and where both
 * write the value the same way the bytes must be identical.
 *
 * msgpackr is set up for plain msgpack, as in the benchmark (apps/bench/src/serializers/codecs.ts): no
 * records or structures, no msgpackr extensions, the smallest map header, bin decoded as a copy,
 * 64-bit integers decoded as BigInt, and every map decoded as a Map (so that non-string keys keep
 * their type; the comparison below reads objects and Maps alike as lists of entries).
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  variableMapSize: true,
})
const unpackr = new Unpackr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  mapsAsObjects: false,
  copyBuffers: true,
  int64AsType: 'bigint',
})

const INTEGERS = [
  0,
  1,
  31,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -31,
  -32,
  -33,
  -127,
  -128,
  -129,
  -32_767,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53 - 1),
]
const FLOATS = [0.5, -1.5, 1 / 3, 1e300, -1e-300, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, -Infinity, -0]
const BIGINTS = [
  -(2n ** 63n),
  -(2n ** 32n) - 1n,
  -1n,
  0n,
  1n,
  2n ** 53n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
]
/** Whole seconds in 32 bits, then ms in 34-bit seconds, then the 96-bit form (negative, far future). */
const DATES = [
  0,
  1_500,
  2 ** 32 * 1000 - 1000,
  2 ** 32 * 1000,
  2 ** 34 * 1000 - 1,
  2 ** 34 * 1000,
  -1,
  -8.64e15,
  8.64e15,
]
/** ASCII, two-, three- and four-byte UTF-8 (the last a surrogate pair in JavaScript). */
const CHARACTERS = ['a', 'Z', '0', ' ', '~', 'é', 'ß', 'ж', '中', '文', '€', '🙂', '𝄞']
/** Lengths at the str, bin, array and map format boundaries. */
const STRING_LENGTHS = [0, 31, 32, 255, 256, 65_535, 65_536, 70_000]
const BIN_LENGTHS = [0, 1, 255, 256, 65_535, 65_536, 70_000]
const CONTAINER_SIZES = [0, 1, 15, 16, 17]

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

function randomString(random: Random, longest = Number.POSITIVE_INFINITY): string {
  // Mostly short strings; now and then one at a boundary (its length in UTF-16 units: bytes vary).
  const wanted = random() < 0.1 ? pick(random, STRING_LENGTHS) : Math.floor(random() * 40)
  const length = Math.min(wanted, longest)
  const pool = random() < 0.5 ? CHARACTERS.slice(0, 5) : CHARACTERS
  let out = ''
  // Whole characters only: a surrogate pair cut in half is a lone surrogate, which is refused.
  for (let c = pick(random, pool); out.length + c.length <= length; c = pick(random, pool)) out += c
  return out
}

function randomNumber(random: Random): number {
  const r = random()
  if (r < 0.35) return pick(random, INTEGERS) + (random() < 0.5 ? 0 : pick(random, [-1, 1]))
  if (r < 0.6) {
    // An integer of 1 to 53 bits, either sign: every int width, and floats for the wider ones.
    const magnitude = Math.floor(2 ** (random() * 53))
    return random() < 0.5 ? -magnitude : magnitude
  }
  if (r < 0.8) return pick(random, FLOATS)
  return (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20)
}

function randomKey(random: Random): unknown {
  return random() < 0.5 ? randomString(random, 12) : pick(random, INTEGERS)
}

function randomValue(random: Random, depth: number): unknown {
  const kind = Math.floor(random() * (depth >= 4 ? 8 : 11))
  switch (kind) {
    case 0:
      return null
    case 1:
      return random() < 0.5
    case 2:
    case 3:
      return randomNumber(random)
    case 4:
      return randomString(random)
    case 5: {
      const length = random() < 0.3 ? pick(random, BIN_LENGTHS) : Math.floor(random() * 20)
      return Uint8Array.from({ length }, () => Math.floor(random() * 256))
    }
    case 6:
      return new Date(random() < 0.6 ? pick(random, DATES) : Math.floor((random() - 0.5) * 2 ** 45))
    case 7:
      return pick(random, BIGINTS)
    case 8:
      return Array.from({ length: containerSize(random) }, () => randomValue(random, depth + 1))
    case 9: {
      const object: Record<string, unknown> = {}
      for (let i = containerSize(random); i > 0; i--)
        object[randomString(random, 10)] = randomValue(random, depth + 1)
      return object
    }
    default: {
      // At least one key that is not a string: a Map whose keys are all strings is refused.
      const map = new Map<unknown, unknown>([[pick(random, INTEGERS), randomValue(random, depth + 1)]])
      for (let i = containerSize(random); i > 1; i--)
        map.set(randomKey(random), randomValue(random, depth + 1))
      return map
    }
  }
}

function containerSize(random: Random): number {
  return random() < 0.2 ? pick(random, CONTAINER_SIZES) : Math.floor(random() * 5)
}

/** Objects and Maps as lists of entries, byte arrays (Buffer or not) and dates by content: comparable across the two libraries. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize)
  if (value instanceof Map) return { entries: [...value].map(([k, v]) => [normalize(k), normalize(v)]) }
  if (value instanceof Uint8Array)
    return { bin: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') }
  if (value instanceof Date) return { date: value.getTime() }
  if (value !== null && typeof value === 'object')
    return { entries: Object.entries(value).map(([k, v]) => [k, normalize(v)]) }
  return value
}

/**
 * The values the two write differently, both valid msgpack: -0 (msgpackr writes the integer 0, losing
 * the sign; this package writes float64 -0, which round-trips) and BigInts from 0 to 2^63 - 1 (msgpackr
 * writes int64 `d3`; this package uint64 `cf`, for every non-negative BigInt alike). Nothing else differs
 * on these values: integer widths, float64 for every other number, str/bin/array/map headers, the
 * timestamp widths and the key order (each writes an object's or Map's own order) are the same.
 */
function writtenDifferently(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0)
  if (typeof value === 'bigint') return value >= 0n && value < 2n ** 63n
  if (Array.isArray(value)) return value.some(writtenDifferently)
  if (value instanceof Map) return [...value].some(([k, v]) => writtenDifferently(k) || writtenDifferently(v))
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  ) {
    return Object.values(value).some(writtenDifferently)
  }
  return false
}

/** What msgpackr's bytes mean: the value with -0 as 0 (its one change to these values). */
function asMsgpackrWrites(value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(asMsgpackrWrites)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, asMsgpackrWrites(v)]))
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  ) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asMsgpackrWrites(v)]))
  }
  return value
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < Math.min(a.byteLength, b.byteLength); i++) {
    if (a[i] !== b[i]) return `at byte ${i}: ${a[i]?.toString(16)} vs ${b[i]?.toString(16)}`
  }
  return `lengths ${a.byteLength} vs ${b.byteLength}`
}

const COUNT = 3000
const SEED = 20_261_207

describe('msgpackr as a differential oracle (seeded random values)', () => {
  const values = Array.from({ length: COUNT }, (_, i) => randomValue(prng(SEED + i), 0))

  it('the comparison tells -0 from 0, a Map from an object with other keys, and bytes by content', () => {
    expect(() => expect(normalize(-0)).toStrictEqual(normalize(0))).toThrow()
    expect(normalize(new Map([[1, 2]]))).not.toStrictEqual(normalize({ 1: 2 }))
    expect(normalize(Buffer.from([1, 2]))).toStrictEqual(normalize(new Uint8Array([1, 2])))
  })

  it('what this package writes, msgpackr reads as the same value', () => {
    values.forEach((value, i) => {
      const bytes = msgpackSerializer.encode(value)
      expect(normalize(unpackr.unpack(bytes)), `value ${i} (seed ${SEED + i})`).toStrictEqual(
        normalize(value),
      )
    })
  })

  it('what msgpackr writes, this package reads as the same value', () => {
    values.forEach((value, i) => {
      const bytes = Uint8Array.from(packr.pack(value))
      expect(normalize(msgpackSerializer.decode(bytes)), `value ${i} (seed ${SEED + i})`).toStrictEqual(
        normalize(asMsgpackrWrites(value)),
      )
    })
  })

  it('both write identical bytes, except for -0 and BigInts below 2^63 (see writtenDifferently)', () => {
    let compared = 0
    values.forEach((value, i) => {
      const ours = msgpackSerializer.encode(value)
      const theirs = packr.pack(value)
      const same = Buffer.from(ours).equals(theirs)
      if (writtenDifferently(value)) return
      compared++
      expect(same, `value ${i} (seed ${SEED + i}): ${same ? '' : firstDifference(ours, theirs)}`).toBe(true)
    })
    // The exceptions must not hollow the comparison out.
    expect(compared).toBeGreaterThan(COUNT / 2)
    // And they are real: msgpackr does write those two differently.
    expect(Buffer.from(packr.pack(-0)).toString('hex')).toBe('00')
    expect(Buffer.from(packr.pack(5n)).toString('hex')).toBe('d30000000000000005')
  })
})
