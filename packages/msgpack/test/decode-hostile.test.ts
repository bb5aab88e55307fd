import { expectCodeSync, expectValueOrCode, hex, seededBytes } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { decodeSample, encodeSample, msgpackSerializer, ndarray } from '../src/index.js'

const { encode, decode } = msgpackSerializer

/** Malformed bytes have one code (README, "Decoding untrusted bytes"): CAIRN_CORRUPT. */
const MALFORMED = [ErrorCode.Corrupt]

describe('truncated input', () => {
  const encodings = [
    encode({ a: [1, 'two', { b: null }], c: 'x'.repeat(50), d: 1.5, e: -(2 ** 40), f: 2n ** 60n }),
    encode(
      new Map<unknown, unknown>([
        [1, new Uint8Array(300)],
        ['k', new Date(1500)],
      ]),
    ),
    encode(['é'.repeat(100), new Date(-1), new Date(1e12), 65536, -40000]),
    encodeSample({ x: ndarray(new Float64Array([1, 2, 3]), [3, 1]), y: 'label' }),
  ]
  it('every cut of several encodings is CAIRN_CORRUPT', () => {
    for (const full of encodings) {
      expect(decode(full)).toBeDefined()
      for (let cut = 0; cut < full.byteLength; cut++) {
        const error = expectCodeSync(() => decode(full.slice(0, cut)), ErrorCode.Corrupt)
        expect(error.message).toMatch(/truncated|missing/)
      }
    }
  })
  it('trailing bytes are CAIRN_CORRUPT', () => {
    const bytes = new Uint8Array([...encode({ a: 1 }), 0x00])
    expect(expectCodeSync(() => decode(bytes), ErrorCode.Corrupt).message).toMatch(/after the value/)
  })
})

describe('random bytes', () => {
  it('10k seeded random buffers decode to a value or a coded error', () => {
    for (let seed = 1; seed <= 10_000; seed++) {
      const bytes = seededBytes(1 + (seed % 97), seed)
      expectValueOrCode(decode, bytes, MALFORMED)
      expectValueOrCode(decodeSample, bytes, MALFORMED)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
  it('random bytes behind a valid prefix (deep inside a structure) too', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const prefix = hex('82 a1 61 93 01 02') // {a: [1, 2, <random...>
      expectValueOrCode(decode, new Uint8Array([...prefix, ...seededBytes(1 + (seed % 40), seed)]), MALFORMED)
    }
  })
})

describe('length headers that claim more than the input holds fail at once', () => {
  it.each([
    ['array32 of 4 billion', 'dd ff ff ff ff 01'],
    ['map32 of 4 billion', 'df ff ff ff ff a1 61 01'],
    ['str32 of 4 GiB', 'db ff ff ff ff 61'],
    ['bin32 of 4 GiB', 'c6 ff ff ff ff 00'],
    ['ext32 of 4 GiB', 'c9 ff ff ff ff ff 00'],
    ['array16 of 65535 with 2 elements', 'dc ff ff 01 02'],
    ['map with more entries than bytes', '8f a1 61 01'],
  ])('%s', (_label, bytes) => {
    const started = performance.now()
    expectCodeSync(() => decode(hex(bytes)), ErrorCode.Corrupt)
    expect(performance.now() - started).toBeLessThan(50)
  })
})

describe('nesting bombs', () => {
  it('a million nested arrays is refused by depth, not by a stack overflow', () => {
    const bomb = new Uint8Array(1_000_000).fill(0x91)
    expect(expectCodeSync(() => decode(bomb), ErrorCode.Unserializable).message).toMatch(/deeper than 1000/)
  })
  it('a million nested maps too', () => {
    const bomb = new Uint8Array(2_000_000)
    for (let i = 0; i < bomb.length; i += 2) {
      bomb[i] = 0x81
      bomb[i + 1] = 0x00 // key 0, value: the next map
    }
    expectCodeSync(() => decode(bomb), ErrorCode.Unserializable)
  })
})

describe('prototype pollution', () => {
  it('a __proto__ key becomes an own property; Object.prototype is untouched', () => {
    // {"__proto__": {"polluted": true}, "a": {"__proto__": {"polluted": true}}}
    const payload = hex(
      '82 a9 5f 5f 70 72 6f 74 6f 5f 5f 81 a8 70 6f 6c 6c 75 74 65 64 c3 a1 61 81 a9 5f 5f 70 72 6f 74 6f 5f 5f 81 a8 70 6f 6c 6c 75 74 65 64 c3',
    )
    const value = decode(payload) as Record<string, Record<string, unknown>>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype)
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
    expect(Object.hasOwn(value.a as object, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((value as Record<string, unknown>).polluted).toBeUndefined()
    expect(encode(value)).toStrictEqual(payload)
  })
  it('constructor and prototype keys are plain data', () => {
    const value = decode(encode(JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'))) as {
      constructor: unknown
    }
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(value.constructor).toStrictEqual({ prototype: { polluted: 1 } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('invalid encodings', () => {
  it.each([
    ['0xc1 (never used)', 'c1', ErrorCode.Corrupt],
    ['a duplicate string key', '82 a1 61 01 a1 61 02', ErrorCode.Corrupt],
    [
      'a duplicate __proto__ key',
      '82 a9 5f 5f 70 72 6f 74 6f 5f 5f 01 a9 5f 5f 70 72 6f 74 6f 5f 5f 02',
      ErrorCode.Corrupt,
    ],
    ['a duplicate integer key', '82 01 c0 01 c0', ErrorCode.Corrupt],
    ['a string key repeated after a Map switch', '83 a1 61 01 02 02 a1 61 03', ErrorCode.Corrupt],
    ['invalid UTF-8 (a lone continuation byte)', 'a1 80', ErrorCode.Corrupt],
    ['overlong UTF-8 for NUL', 'a2 c0 80', ErrorCode.Corrupt],
    ['UTF-8 of a surrogate code point', 'a3 ed a0 80', ErrorCode.Corrupt],
    ['invalid UTF-8 in a long string', `d9 40 ${'61 '.repeat(63)}ff`, ErrorCode.Corrupt],
    ['invalid UTF-8 in a key', '81 a1 ff 01', ErrorCode.Corrupt],
    ['an unknown extension', 'd4 05 00', ErrorCode.Corrupt],
    ['msgpackr record extension 0x72', 'd4 72 40', ErrorCode.Corrupt],
    ['msgpackr undefined (ext 0)', 'd4 00 00', ErrorCode.Corrupt],
    ['a timestamp of 2 bytes', 'd5 ff 00 00', ErrorCode.Corrupt],
    [
      'a timestamp with nanoseconds ≥ 10^9',
      'c7 0c ff 3b 9a ca 00 00 00 00 00 00 00 00 00',
      ErrorCode.Corrupt,
    ],
    ['a timestamp with sub-millisecond precision', 'd7 ff 00 00 00 04 00 00 00 00', ErrorCode.Corrupt],
    ['a timestamp beyond the Date range', 'c7 0c ff 00 00 00 00 00 00 7f ff ff ff ff ff', ErrorCode.Corrupt],
    ['a -0 Map key', '81 cb 80 00 00 00 00 00 00 00 01', ErrorCode.Corrupt],
    ['empty input', '', ErrorCode.Corrupt],
  ])('%s', (_label, bytes, code) => {
    expectCodeSync(() => decode(hex(bytes)), code)
  })

  it('a BOM at the start of a string is kept', () => {
    expect(decode(hex('a3 ef bb bf'))).toBe('\ufeff')
  })

  it('decode refuses what is not a Uint8Array', () => {
    expectCodeSync(() => decode('81a16101' as unknown as Uint8Array), ErrorCode.InvalidArgument)
    expectCodeSync(() => decode(null as unknown as Uint8Array), ErrorCode.InvalidArgument)
  })

  it('reads a view at an offset into a larger buffer (e.g. a Buffer slice), and copies bin out of it', () => {
    const pool = new Uint8Array(64).fill(0xc1)
    const bytes = encode({ b: new Uint8Array([1, 2, 3]), f: 1.5 })
    pool.set(bytes, 7)
    const view = Buffer.from(pool.buffer, 7, bytes.byteLength)
    const value = decode(view) as { b: Uint8Array }
    expect(value).toStrictEqual({ b: new Uint8Array([1, 2, 3]), f: 1.5 })
    pool.fill(0)
    expect(value.b).toStrictEqual(new Uint8Array([1, 2, 3]))
  })
})
