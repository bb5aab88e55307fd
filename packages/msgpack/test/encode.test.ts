import { expectCodeSync } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { createMsgpackSerializer, MSGPACK_MAX_DEPTH, msgpackSerializer } from '../src/index.js'

const { encode, decode } = msgpackSerializer

function roundTrip<T>(value: T): T {
  return decode(encode(value)) as T
}

describe('round trips', () => {
  it('numbers keep their exact value and kind at every format boundary', () => {
    const numbers = [
      0,
      -0,
      1,
      127,
      128,
      255,
      256,
      65535,
      65536,
      2 ** 32 - 1,
      2 ** 32,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      -(2 ** 31),
      -(2 ** 31) - 1,
      0.1,
      -1.5,
      2 ** 53,
      -(2 ** 53),
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]
    const back = roundTrip(numbers)
    expect(back.length).toBe(numbers.length)
    for (const [i, n] of numbers.entries()) expect(Object.is(back[i], n), `${n}`).toBe(true)
  })

  it('BigInt stays BigInt and number stays number, across the int64/uint64 range', () => {
    const values = [0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), 5, 2 ** 40]
    expect(roundTrip(values)).toStrictEqual(values)
  })

  it('strings at every header boundary, multi-byte and long (the fast path)', () => {
    const strings = [31, 32, 255, 256, 65535, 65536].map((n) => 'a'.repeat(n))
    strings.push(
      'é'.repeat(40),
      '日本語'.repeat(30_000),
      `${'🚀'.repeat(100)}x`,
      '\ufeffBOM stays',
      'nul\u0000',
    )
    expect(roundTrip(strings)).toStrictEqual(strings)
  })

  it('bytes, arrays and maps at every header boundary', () => {
    for (const n of [0, 15, 16, 255, 256, 65535, 65536]) {
      const bytes = new Uint8Array(n).map((_, i) => i)
      expect(roundTrip(bytes)).toStrictEqual(bytes)
      const array = Array.from({ length: n }, (_, i) => i)
      expect(roundTrip(array)).toStrictEqual(array)
      const obj = Object.fromEntries(array.map((i) => [`k${i}`, i]))
      expect(roundTrip(obj)).toStrictEqual(obj)
    }
  })

  it('a decoded Uint8Array is a plain Uint8Array with its own buffer', () => {
    const back = roundTrip({ b: new Uint8Array([1, 2, 3]) }).b
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype)
    expect(back.byteOffset).toBe(0)
    expect(back.buffer.byteLength).toBe(3)
  })

  it('a Uint8Array view encodes only its own bytes', () => {
    const whole = new Uint8Array([9, 9, 1, 2, 9])
    expect(roundTrip(whole.subarray(2, 4))).toStrictEqual(new Uint8Array([1, 2]))
  })

  it('Maps with non-string keys keep insertion order and key types', () => {
    const map = new Map<unknown, unknown>([
      ['b', 1],
      ['10', 2],
      [10, 3],
      [true, 4],
      [null, 5],
      [1.5, 6],
      [7n, 7],
      [new Uint8Array([1]), 8],
      [[1, 2], 9],
    ])
    const back = roundTrip(map)
    expect([...back]).toStrictEqual([...map])
  })

  it('dates to the millisecond, across the timestamp sizes and the whole Date range', () => {
    const times = [
      0,
      1,
      999,
      1000,
      1_700_000_000_000,
      2 ** 32 * 1000,
      2 ** 34 * 1000 + 5,
      -1,
      -1000,
      8.64e15,
      -8.64e15,
    ]
    const back = roundTrip(times.map((t) => new Date(t)))
    expect(back.map((d) => d.getTime())).toStrictEqual(times)
  })

  it('__proto__, constructor and prototype keys stay plain own data', () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"prototype":2}')
    const back = roundTrip(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.keys(back)).toStrictEqual(['__proto__', 'constructor', 'prototype'])
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toStrictEqual({ polluted: 1 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('encoding is deterministic and each result owns its bytes', () => {
    const value = { a: [1, 'x', new Uint8Array([5])], b: new Map([[1, 2]]) }
    const first = encode(value)
    const second = encode(value)
    expect(second).toStrictEqual(first)
    first.fill(0)
    expect(decode(second)).toStrictEqual(value)
    expect(Object.getPrototypeOf(first)).toBe(Uint8Array.prototype)
  })

  it('shared (non-cyclic) references are written twice', () => {
    const shared = { s: 1 }
    const back = roundTrip([shared, shared])
    expect(back).toStrictEqual([{ s: 1 }, { s: 1 }])
    expect(back[0]).not.toBe(back[1])
  })

  it('nesting up to maxDepth is fine, one more level is refused', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = 1
      for (let i = 0; i < depth; i++) v = [v]
      return v
    }
    expect(roundTrip(nest(MSGPACK_MAX_DEPTH))).toStrictEqual(nest(MSGPACK_MAX_DEPTH))
    const error = expectCodeSync(() => encode(nest(MSGPACK_MAX_DEPTH + 1)), ErrorCode.Unserializable)
    expect(error.message).toContain(`deeper than ${MSGPACK_MAX_DEPTH}`)
    const shallow = createMsgpackSerializer({ maxDepth: 3 })
    expect(shallow.decode(shallow.encode(nest(3)))).toStrictEqual(nest(3))
    expectCodeSync(() => shallow.encode(nest(4)), ErrorCode.Unserializable)
    expectCodeSync(() => shallow.decode(encode(nest(4))), ErrorCode.Unserializable)
  })
})

describe('refusals name the path and change nothing', () => {
  class Point {
    x = 1
  }
  const cases: [label: string, value: unknown, path: string, reason: RegExp][] = [
    ['undefined value', { a: { b: undefined } }, '$.a.b', /undefined/],
    ['undefined in an array', [1, undefined], '$[1]', /undefined/],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['a hole', [1, , 3], '$[1]', /hole/],
    ['a function', { f: () => 1 }, '$.f', /function/],
    ['a symbol', [Symbol('s')], '$[0]', /symbol/],
    ['a Set', { s: new Set([1]) }, '$.s', /Set/],
    ['a Float32Array', { t: new Float32Array(1) }, '$.t', /Float32Array.*structured/],
    ['an ArrayBuffer', [new ArrayBuffer(1)], '$[0]', /ArrayBuffer/],
    ['a Node Buffer', { b: Buffer.from('x') }, '$.b', /Buffer/],
    ['a Map with only string keys', { m: new Map([['k', 1]]) }, '$.m', /plain object/],
    ['an empty Map', [new Map()], '$[0]', /plain object/],
    ['an invalid Date', { d: new Date(Number.NaN) }, '$.d', /invalid Date/],
    ['a BigInt above uint64', { n: 2n ** 64n }, '$.n', /uint64/],
    ['a BigInt below int64', { n: -(2n ** 63n) - 1n }, '$.n', /int64/],
    ['a class instance', { p: new Point() }, '$.p', /Point/],
    ['a null-prototype object', { o: Object.create(null) }, '$.o', /null prototype/],
    ['a RegExp', { 'odd key': /x/ }, '$["odd key"]', /RegExp/],
    ['an Error', [new Error('x')], '$[0]', /Error/],
    ['a lone surrogate in a short string', { s: 'a\ud800' }, '$.s', /lone surrogate/],
    ['a lone surrogate in a long string', { s: `${'a'.repeat(100)}\udc00` }, '$.s', /lone surrogate/],
    ['a lone surrogate in a key', { 'k\ud800': 1 }, '$["k\\ud800"]', /lone surrogate/],
    ['a value inside a Map', new Map<unknown, unknown>([[1, undefined]]), '$<value 0>', /undefined/],
    ['a key inside a Map', new Map<unknown, unknown>([[Symbol.iterator, 1]]), '$<key 0>', /symbol/],
    ['a symbol key', { [Symbol('k')]: 1 }, '$', /symbol keys/],
    [
      'a non-enumerable property',
      Object.defineProperty({}, 'hidden', { value: 1, enumerable: false }),
      '$.hidden',
      /non-enumerable/,
    ],
  ]
  for (const [label, value, path, reason] of cases) {
    it(label, () => {
      const error = expectCodeSync(() => encode(value), ErrorCode.Unserializable)
      expect(error.message.startsWith(`${path}: `), error.message).toBe(true)
      expect(error.details?.path).toBe(path)
      expect(error.message).toMatch(reason)
    })
  }

  it('a cycle is named as a cycle, at the path where the value repeats', () => {
    const a: Record<string, unknown> = { name: 'a', list: [] }
    ;(a.list as unknown[]).push({ back: a })
    const error = expectCodeSync(() => encode(a), ErrorCode.Unserializable)
    expect(error.message).toMatch(/^\$\.list\[0\]\.back: cycle/)
  })

  it('a getter that throws is a coded error too', () => {
    const value = {
      get boom(): never {
        throw new Error('getter failed')
      },
    }
    const error = expectCodeSync(() => encode(value), ErrorCode.Unserializable)
    expect(error.message).toContain('getter failed')
  })

  it('maxDepth must be a sensible integer', () => {
    for (const maxDepth of [0, -1, 1.5, Number.NaN, 1e9]) {
      expectCodeSync(() => createMsgpackSerializer({ maxDepth }), ErrorCode.InvalidArgument)
    }
  })
})
