import { describe, expect, it } from 'vitest'
import {
  CONTENT_REF,
  canonicalHash,
  ErrorCode,
  hashArgs,
  isCairnError,
  previewValue,
  registerHashable,
  unregisterHashable,
} from '../src/index.js'

const h = (v: unknown) => canonicalHash(v)

function refusal(make: () => unknown): { code?: string; message: string; path?: unknown } {
  try {
    hashArgs(make() as unknown[])
  } catch (error) {
    if (!isCairnError(error)) throw error
    return { code: error.code, message: error.message, path: error.details?.path }
  }
  throw new Error('expected a refusal')
}

describe('canonical hashing: equal values hash equal', () => {
  it('ignores object key order and Map/Set insertion order', () => {
    expect(h({ a: 1, b: { c: 2, d: 3 } })).toBe(h({ b: { d: 3, c: 2 }, a: 1 }))
    expect(
      h(
        new Map<unknown, unknown>([
          ['x', 1],
          [2, 'y'],
        ]),
      ),
    ).toBe(
      h(
        new Map<unknown, unknown>([
          [2, 'y'],
          ['x', 1],
        ]),
      ),
    )
    expect(h(new Set(['a', 1, null]))).toBe(h(new Set([null, 1, 'a'])))
  })

  it('treats every NaN bit pattern as one NaN', () => {
    const view = new DataView(new ArrayBuffer(8))
    view.setUint32(0, 0x7ff80000)
    view.setUint32(4, 0x00000001)
    const oddNaN = view.getFloat64(0)
    expect(Number.isNaN(oddNaN)).toBe(true)
    expect(h(oddNaN)).toBe(h(Number.NaN))
    expect(h(new Date(Number.NaN))).toBe(h(new Date('invalid')))
  })

  it('hashes a Buffer like a Uint8Array, and a subarray by the view only', () => {
    expect(h(Buffer.from([1, 2, 3]))).toBe(h(new Uint8Array([1, 2, 3])))
    const big = new Uint8Array([9, 1, 2, 3, 9])
    expect(h(big.subarray(1, 4))).toBe(h(new Uint8Array([1, 2, 3])))
    const floats = new Float64Array([0, 1.5, 2.5, 0])
    expect(h(floats.subarray(1, 3))).toBe(h(new Float64Array([1.5, 2.5])))
  })

  it('hashes content references by their hash alone', () => {
    const hash = 'cd'.repeat(32)
    expect(h({ [CONTENT_REF]: hash, other: 1 })).toBe(h({ [CONTENT_REF]: hash, other: 2 }))
    expect(h([{ [CONTENT_REF]: hash }])).not.toBe(h(['cd'.repeat(32)]))
  })

  it('encodes shared (non-cyclic) references once per occurrence', () => {
    const shared = { s: [1] }
    expect(h([shared, shared])).toBe(h([{ s: [1] }, { s: [1] }]))
  })
})

describe('canonical hashing: different values hash differently', () => {
  const distinct: [string, unknown][] = [
    ['0', 0],
    ['-0', -0],
    ['null', null],
    ['undefined', undefined],
    ['{}', {}],
    ['{a: undefined}', { a: undefined }],
    ['{a: null}', { a: null }],
    ['[]', []],
    ['[undefined]', [undefined]],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['[hole]', [,]],
    ['1', 1],
    ['1n', 1n],
    ["'1'", '1'],
    ['true', true],
    ['[1]', [1]],
    ['Uint8Array [1]', new Uint8Array([1])],
    ['Int8Array [1]', new Int8Array([1])],
    ['Uint8ClampedArray [1]', new Uint8ClampedArray([1])],
    ['ArrayBuffer [1]', new Uint8Array([1]).buffer],
    ['DataView [1]', new DataView(new Uint8Array([1]).buffer)],
    ["['ab','c']", ['ab', 'c']],
    ["['a','bc']", ['a', 'bc']],
    ['{a:{}}', { a: {} }],
    ['{a:[]}', { a: [] }],
    ['Map {}', new Map()],
    ['Set {}', new Set()],
    ['Date(0)', new Date(0)],
    ['/a/', /a/],
    ['/a/g', /a/g],
    ["'a'", 'a'],
    ['{"":1}', { '': 1 }],
  ]
  it('gives every value in the table its own hash', () => {
    const seen = new Map<string, string>()
    for (const [label, value] of distinct) {
      const hash = h(value)
      expect(seen.get(hash), `${label} collides with ${seen.get(hash)}`).toBeUndefined()
      seen.set(hash, label)
    }
  })

  it('hashes large typed arrays by their full content', () => {
    const a = new Float64Array(1_000_000).map((_, i) => i)
    const b = a.slice()
    b[999_999] = -1
    expect(h(a)).not.toBe(h(b))
    expect(h(a)).toBe(h(a.slice()))
  })

  it('sorts object keys by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FFFF sorts after U+10000 in UTF-16 (0xFFFF > 0xD800) but before it in UTF-8 (EF < F0).
    const a = { '\uffff': 1, '\u{10000}': 2 }
    const b = { '\u{10000}': 2, '\uffff': 1 }
    expect(h(a)).toBe(h(b))
    const bytes = Buffer.from(
      Buffer.from(
        // The first key in the encoding must be U+FFFF (UTF-8 ef bf bf).
        new Uint8Array([0x09, 0x02, 0x03, 0xef, 0xbf, 0xbf]),
      ),
    ).toString('hex')
    expect(Buffer.from(encode(a)).toString('hex').startsWith(bytes)).toBe(true)
  })
})

import { encodeCanonical as encode } from '../src/index.js'

describe('canonical hashing: refusals name the path', () => {
  it('refuses unregistered class instances', () => {
    class Foo {}
    const r = refusal(() => [1, { model: { layers: [0, 1, 2, new Foo()] } }])
    expect(r.code).toBe(ErrorCode.Unserializable)
    expect(r.message).toBe(
      'args[1].model.layers[3]: class instance of Foo is not hashable; register it with registerHashable or pass plain data',
    )
    expect(r.path).toBe('args[1].model.layers[3]')
  })

  it('refuses cycles, functions, symbols, promises, weak collections, boxed primitives and getters', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const cases: [unknown[], string, RegExp][] = [
      [[cyclic], 'args[0].self', /cycle/],
      [[{ f: () => 1 }], 'args[0].f', /function.*deps/],
      [[Symbol('s')], 'args[0]', /symbol/],
      [[Promise.resolve(1)], 'args[0]', /await it first/],
      [[new WeakMap()], 'args[0]', /WeakMap/],
      [[Object(1)], 'args[0]', /boxed/],
      [[{ ['odd key']: { [Symbol('k')]: 1 } }], 'args[0]["odd key"]', /symbol keys/],
      [[Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })], 'args[0].g', /accessor/],
      [['lone \ud800'], 'args[0]', /lone surrogate/],
      [[new Map([['k', () => 1]])], 'args[0]<map value for key "k">', /function/],
    ]
    for (const [args, path, message] of cases) {
      const r = refusal(() => args)
      expect(r.code, path).toBe(ErrorCode.Unserializable)
      expect(r.path, String(message)).toBe(path)
      expect(r.message).toMatch(message)
    }
  })

  it('refuses nesting deeper than the limit with a coded error, not a stack overflow', () => {
    let deep: unknown = 0
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const r = refusal(() => [deep])
    expect(r.code).toBe(ErrorCode.Unserializable)
    expect(r.message).toMatch(/deeper than 512/)
    let fine: unknown = 0
    for (let i = 0; i < 500; i++) fine = { a: [fine] }.a
    expect(h(fine)).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('registered classes', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  class Point3 extends Point {}

  it('hashes registered instances by name and data, and not their subclasses', () => {
    registerHashable(Point, { name: 'test.Point', toData: (p) => [p.x, p.y] })
    try {
      expect(h(new Point(1, 2))).toBe(h(new Point(1, 2)))
      expect(h(new Point(1, 2))).not.toBe(h(new Point(2, 1)))
      expect(h(new Point(1, 2))).not.toBe(h([1, 2]))
      expect(refusal(() => [new Point3(1, 2)]).message).toMatch(/class instance of Point3/)
      class Other {}
      expect(() => registerHashable(Other, { name: 'test.Point', toData: () => 1 })).toThrow(
        /already registered/,
      )
    } finally {
      unregisterHashable(Point)
    }
    expect(refusal(() => [new Point(1, 2)]).code).toBe(ErrorCode.Unserializable)
  })
})

describe('previewValue', () => {
  it('stays short, never throws, and summarizes big values', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const throwing = Object.defineProperty({}, 'boom', {
      get() {
        throw new Error('no')
      },
      enumerable: true,
    })
    const values = [
      new Float64Array(1_000_000),
      'x'.repeat(10_000),
      cyclic,
      throwing,
      Array.from({ length: 10_000 }, (_, i) => i),
      new Map([[1, 2]]),
      { [CONTENT_REF]: 'ef'.repeat(32) },
    ]
    for (const v of values) expect(previewValue(v).length).toBeLessThanOrEqual(200)
    expect(previewValue(new Float64Array(1_000_000))).toBe('Float64Array(1000000)')
    expect(previewValue([1, 'a', null])).toBe('[1, "a", null]')
    expect(previewValue(cyclic)).toContain('[Circular]')
    expect(previewValue('x'.repeat(1000), 20).length).toBe(20)
  })
})
