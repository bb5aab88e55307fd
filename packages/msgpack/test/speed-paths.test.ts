import { expectCodeSync, expectDetachedLaterRefused, expectOwnedBytes, hex, toHex } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { decodeSample, encodeSample, msgpackSerializer, ndarray } from '../src/index.js'

// The shortcuts taken for speed (README "Speed"): a reused encoder and decoder, large byte arrays
// copied once into the result, maps re-read from the bytes when a non-string key turns up.

const { encode, decode } = msgpackSerializer

describe('the reused encoder', () => {
  it('a getter that encodes while a value is being encoded gets an encoder of its own', () => {
    const inner = { x: 'inner', n: [1, 2, 3] }
    const value = {
      a: 'x'.repeat(40),
      get b(): Uint8Array {
        return encode(inner)
      },
      c: 'after',
    }
    const bytes = encode(value)
    expect(bytes).toStrictEqual(encode({ a: 'x'.repeat(40), b: encode(inner), c: 'after' }))
    const back = decode(bytes) as { b: Uint8Array }
    expect(decode(back.b)).toStrictEqual(inner)
  })

  it('each result is a plain Uint8Array with a buffer of its own, untouched by later calls', () => {
    const first = encode({ s: 'x'.repeat(100) })
    const kept = Uint8Array.from(first)
    encode({ s: 'y'.repeat(100) })
    encode([new Uint8Array(70_000), 'z'.repeat(2 << 20)])
    expect(first).toStrictEqual(kept)
    expectOwnedBytes(first)
  })

  it('a refusal halfway leaves nothing behind for the next call', () => {
    expectCodeSync(() => encode({ a: 'x'.repeat(50), b: [1, 2, undefined] }), ErrorCode.Unserializable)
    expect(toHex(encode({ a: 1 }))).toBe('81 a1 61 01')
    // A cycle found through maxDepth, then a deep but acyclic value: no ancestor is left over.
    const cycle: unknown[] = []
    cycle.push(cycle)
    expect(expectCodeSync(() => encode(cycle), ErrorCode.Unserializable).message).toMatch(/cycle/)
    let deep: unknown = 1
    for (let i = 0; i < 999; i++) deep = [deep]
    expect(decode(encode(deep))).toStrictEqual(deep)
  })
})

describe('large byte arrays are copied once, straight into the result', () => {
  const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff)
  const bigger = Uint8Array.from({ length: 1 << 17 }, (_, i) => (i * 13) & 0xff)

  it('round-trip anywhere in a value, as the same bytes a copy would give', () => {
    const value = ['head', big, { bigger, tail: 'x' }, big.subarray(5, 70_000 - 5), new Uint8Array(10)]
    const bytes = encode(value)
    const back = decode(bytes) as [
      string,
      Uint8Array,
      { bigger: Uint8Array; tail: string },
      Uint8Array,
      Uint8Array,
    ]
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))
    expect(back[0]).toBe('head')
    expect(same(back[1], big)).toBe(true)
    expect(same(back[2].bigger, bigger)).toBe(true)
    expect(back[2].tail).toBe('x')
    expect(same(back[3], big.subarray(5, 70_000 - 5))).toBe(true)
    expect(back[4]).toStrictEqual(new Uint8Array(10))
    // bin32 header, then the bytes, then the next value right after them.
    const at = bytes.indexOf(0xc6)
    expect(toHex(bytes.subarray(at, at + 5))).toBe('c6 00 01 11 70')
    expect(same(bytes.subarray(at + 5, at + 5 + big.byteLength), big)).toBe(true)
    expect(bytes[at + 5 + big.byteLength]).toBe(0x82)
  })

  it('an ndarray field of the sample codec too', () => {
    const data = Float64Array.from({ length: 20_000 }, (_, i) => i / 3)
    const back = decodeSample(encodeSample({ before: 1, x: ndarray(data, [100, 200]), after: 'y' }))
    const x = back.x as { dtype: string; shape: number[]; data: Float64Array }
    expect([x.dtype, x.shape]).toStrictEqual(['float64', [100, 200]])
    expect(x.data).toBeInstanceOf(Float64Array)
    expect(Buffer.from(x.data.buffer).equals(Buffer.from(data.buffer))).toBe(true)
    expect(back.after).toBe('y')
  })

  it('a buffer detached by a getter that runs later is refused, never written as garbage', () => {
    expectDetachedLaterRefused(msgpackSerializer, new Uint8Array(70_000))
  })
})

describe('a map whose non-string key comes after string keys', () => {
  it('keeps the wire order, integer-like string keys included', () => {
    const map = new Map<unknown, unknown>([
      ['b', 1],
      ['10', 'ten'],
      ['2', [1, { x: null }]],
      ['__proto__', { polluted: true }],
      ['bin', new Uint8Array(300).fill(9)],
      ['date', new Date(1e12)],
      ['big', 2n ** 60n],
      ['neg', -(2n ** 40n)],
      ['f', 1.5],
      ['s', 'é'.repeat(40)],
      ['long', 'x'.repeat(300)],
      ['nested', new Map([[1, new Map([[2, 'deep']])]])],
      ['m16', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))],
      ['a16', Array(20).fill(7)],
      [3, 'three'],
      ['after', true],
    ])
    const back = decode(encode(map)) as Map<unknown, unknown>
    expect([...back.keys()]).toStrictEqual([...map.keys()])
    expect(back).toStrictEqual(map)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('steps over every msgpack format other writers use when reading the string keys again', () => {
    // 27 entries (map16): keys "a" … "z" and "za" with values in every format, then the key 1.
    const values = [
      'ca 3f c0 00 00', // float32 1.5
      'cc ff',
      'cd 01 00',
      'ce 00 01 00 00',
      'd0 80',
      'd1 80 00',
      'd2 80 00 00 00',
      'c4 01 ff',
      'c5 00 01 ee',
      'c6 00 00 00 01 dd',
      'd9 01 61',
      'da 00 01 62',
      'db 00 00 00 01 63',
      'dc 00 01 01',
      'dd 00 00 00 01 02',
      'de 00 01 a1 71 03',
      'df 00 00 00 01 a1 73 04',
      'd6 ff 00 00 00 01', // timestamp 32: 1 s
      'd7 ff 00 00 00 00 00 00 00 02', // timestamp 64: 2 s
      'c7 0c ff 00 00 00 00 00 00 00 00 00 00 00 03', // timestamp 96 in ext8: 3 s
      'c8 00 0c ff 00 00 00 00 00 00 00 00 00 00 00 04', // ext16
      'c9 00 00 00 0c ff 00 00 00 00 00 00 00 00 00 00 00 05', // ext32
      'cf 00 00 00 00 00 00 00 07',
      'd3 ff ff ff ff ff ff ff ff',
      'cb 3f f8 00 00 00 00 00 00',
      'c0',
      'e0',
    ]
    const keys = [...'abcdefghijklmnopqrstuvwxyz'].map((c) => `a1 ${c.charCodeAt(0).toString(16)}`)
    keys.push('a2 7a 61')
    const body = values.map((v, i) => `${keys[i]} ${v}`).join(' ')
    const back = decode(hex(`de 00 1c ${body} 01 c3`)) as Map<unknown, unknown>
    expect(back).toBeInstanceOf(Map)
    expect([...back.keys()]).toStrictEqual([...'abcdefghijklmnopqrstuvwxyz'.split(''), 'za', 1])
    expect([...back.values()]).toStrictEqual([
      1.5,
      255,
      256,
      65536,
      -128,
      -32768,
      -(2 ** 31),
      new Uint8Array([0xff]),
      new Uint8Array([0xee]),
      new Uint8Array([0xdd]),
      'a',
      'b',
      'c',
      [1],
      [2],
      { q: 3 },
      { s: 4 },
      new Date(1000),
      new Date(2000),
      new Date(3000),
      new Date(4000),
      new Date(5000),
      7n,
      -1n,
      1.5,
      null,
      -32,
      true,
    ])
  })
})

describe('the reused decoder', () => {
  it('keys longer than 16 and up to 24 bytes, non-ASCII keys and cache collisions all come back right', () => {
    const keys = ['k', 'a'.repeat(17), 'b'.repeat(24), 'c'.repeat(25), 'é', 'ké', 'ab', 'ba', 'aXb', 'aYb']
    const value = Object.fromEntries(keys.map((k, i) => [k, i]))
    for (let round = 0; round < 3; round++) expect(decode(encode(value))).toStrictEqual(value)
  })
})

describe('short arrays are built by growing, long ones preallocated', () => {
  it('arrays on both sides of the boundary come back whole, in order, with every kind of element', () => {
    const kinds = [1, -2, 0.5, 'x', null, true, [3], { k: 4 }, 2 ** 40, -0, new Uint8Array([9])]
    for (const length of [0, 1, 2, 14, 15, 16, 17, 40]) {
      const value = Array.from({ length }, (_, i) => kinds[i % kinds.length])
      const back = decode(encode(value)) as unknown[]
      expect(back).toStrictEqual(value)
      expect(back).toHaveLength(length)
    }
  })

  it('a short array cut short is still refused as truncated', () => {
    // fixarray of 3 holding two elements.
    expectCodeSync(() => decode(hex('93 01 02')), ErrorCode.Corrupt)
  })
})

describe('duplicate keys are found whatever shape the decoder remembers', () => {
  // fixmap header, then fixstr keys and positive fixint values.
  const map = (...entries: [string, number | string][]): string =>
    [
      (0x80 | entries.length).toString(16),
      ...entries.map(([k, v]) =>
        [
          (0xa0 | k.length).toString(16),
          ...[...k].map((c) => c.charCodeAt(0).toString(16)),
          typeof v === 'number' ? v.toString(16).padStart(2, '0') : v,
        ].join(' '),
      ),
    ].join(' ')

  it('a key repeated where the remembered map had another key', () => {
    expect(decode(hex(map(['a', 1], ['b', 2], ['c', 3])))).toStrictEqual({ a: 1, b: 2, c: 3 })
    expectCodeSync(() => decode(hex(map(['a', 1], ['b', 2], ['a', 3]))), ErrorCode.Corrupt)
    expectCodeSync(() => decode(hex(map(['a', 1], ['a', 2], ['c', 3]))), ErrorCode.Corrupt)
    // Off the remembered shape at the second key, the duplicate comes one key later.
    expectCodeSync(() => decode(hex(map(['a', 1], ['x', 2], ['x', 3]))), ErrorCode.Corrupt)
    // The same keys in another order are a new shape, not a duplicate; then the first order again.
    expect(decode(hex(map(['c', 1], ['b', 2], ['a', 3])))).toStrictEqual({ c: 1, b: 2, a: 3 })
    expect(decode(hex(map(['a', 1], ['b', 2], ['c', 3])))).toStrictEqual({ a: 1, b: 2, c: 3 })
    expectCodeSync(() => decode(hex(map(['c', 1], ['c', 2], ['a', 3]))), ErrorCode.Corrupt)
  })

  it('a nested map of the same size, read halfway through its parent, does not hide a duplicate', () => {
    expect(decode(hex(map(['a', 1], ['b', 2], ['c', 3])))).toStrictEqual({ a: 1, b: 2, c: 3 })
    // {a: {x, y, z}, b: 2, a: 3}: the nested map is remembered while the outer one is being read.
    const nested = map(['x', 1], ['y', 2], ['z', 3])
    expectCodeSync(() => decode(hex(map(['a', nested], ['b', 2], ['a', 3]))), ErrorCode.Corrupt)
    expect(decode(hex(map(['a', nested], ['b', 2], ['c', 3])))).toStrictEqual({
      a: { x: 1, y: 2, z: 3 },
      b: 2,
      c: 3,
    })
  })

  it('__proto__ repeated after a map that had it once', () => {
    const once = decode(hex(map(['__proto__', 1], ['b', 2]))) as Record<string, unknown>
    expect(Object.getPrototypeOf(once)).toBe(Object.prototype)
    expect(Object.keys(once)).toStrictEqual(['__proto__', 'b'])
    expectCodeSync(() => decode(hex(map(['__proto__', 1], ['__proto__', 2]))), ErrorCode.Corrupt)
    expect(({} as Record<string, unknown>).b).toBeUndefined()
  })

  it('maps of long keys (not remembered) and of more than 16 keys are checked key by key', () => {
    const long = 'k'.repeat(30)
    const value = { [long]: 1, short: 2 }
    expect(decode(encode(value))).toStrictEqual(value)
    // str8 key of 30 bytes, written twice.
    const key = `d9 1e ${'6b '.repeat(30)}`
    expectCodeSync(() => decode(hex(`82 ${key} 01 ${key} 02`)), ErrorCode.Corrupt)
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))
    expect(decode(encode(wide))).toStrictEqual(wide)
    const bytes = encode(wide)
    // Rename the last key "k19" to "k18": a duplicate 20 keys into a map16.
    bytes[bytes.length - 2] = 0x38
    expectCodeSync(() => decode(bytes), ErrorCode.Corrupt)
  })
})
