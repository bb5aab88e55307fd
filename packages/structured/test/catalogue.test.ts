import { describe, expect, it } from 'vitest'
import { structuredSerializer } from '../src/index.js'
import { graphDifference } from './compare.js'

const { encode, decode } = structuredSerializer
const PROTO_KEY = '__proto__'

function expectRoundTrip(value: unknown): unknown {
  const bytes = encode(value)
  const back = decode(bytes)
  expect(graphDifference(back, value)).toBeUndefined()
  expect(encode(value), 'encoding twice gives the same bytes').toStrictEqual(bytes)
  return back
}

const CATALOGUE: [label: string, make: () => unknown][] = [
  [
    'primitives',
    () => [null, undefined, true, false, 0, 1, -1, 127, 128, -128, 2 ** 31, -(2 ** 31), 2 ** 53 - 1],
  ],
  [
    'special numbers',
    () => [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 5e-324],
  ],
  ['integers beyond 2^53 are floats', () => [2 ** 53, -(2 ** 60), Number.MAX_VALUE, Number.MIN_SAFE_INTEGER]],
  [
    'BigInt of any size',
    () => [0n, 1n, -1n, 255n, 256n, -(2n ** 53n), 2n ** 64n + 1n, -(2n ** 1000n) + 7n, 10n ** 400n],
  ],
  [
    'strings: Latin-1, UTF-16, astral',
    () => ['', 'a', 'é', 'ÿ'.repeat(100), '日本語', '🚀', 'x'.repeat(100_000)],
  ],
  ['strings with lone surrogates', () => ['\ud800', 'a\udc00b', `${'z'.repeat(80)}\ud83d`, '\ufeff']],
  ['plain objects', () => ({ a: 1, b: { c: [1, 2, { d: 'e' }] }, '': 'empty key', '1': 'index-like' })],
  ['undefined inside objects and arrays', () => ({ a: undefined, b: [undefined, 1, undefined] })],
  [
    'dangerous keys stay plain data',
    () => JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"prototype":2}'),
  ],
  [
    'null-prototype objects',
    () => {
      const o = Object.create(null) as Record<string, unknown>
      o.a = 1
      // On a null-prototype object, __proto__ is an ordinary key.
      o[PROTO_KEY] = 'just a key'
      return [o, Object.create(null)]
    },
  ],
  // biome-ignore lint/suspicious/noSparseArray: holes are the point
  ['sparse arrays', () => [[1, , 3], [, ,], new Array(5), [, 'x']]],
  [
    'a very long sparse array',
    () => {
      const a: unknown[] = []
      a[2 ** 32 - 2] = 'last'
      a[7] = 'seven'
      return a
    },
  ],
  [
    'Map and Set with any keys, in order',
    () => {
      const key = { k: 1 }
      return [
        new Map<unknown, unknown>([
          [key, 'object key'],
          ['k', 1],
          [1, 'one'],
          [Number.NaN, 'nan'],
          [undefined, null],
        ]),
        new Set<unknown>([3, 'x', key, Number.NaN, undefined]),
        new Map(),
        new Set(),
      ]
    },
  ],
  [
    'dates, valid and invalid',
    () => [new Date(0), new Date(1_700_000_000_123), new Date(-8.64e15), new Date(Number.NaN)],
  ],
  [
    'regexps with flags and lastIndex',
    () => {
      const sticky = /a+/gy
      sticky.lastIndex = 3
      return [/a+b/gi, /[\u{1F680}]/u, /(?<year>\d{4})/dms, sticky, /\//, /(?:)/]
    },
  ],
  [
    'every typed array, ArrayBuffer and DataView',
    () => [
      new Int8Array([-128, 127]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([0, 255]),
      new Int16Array([-32768]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31)]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, Number.NaN, -0]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
      new DataView(new ArrayBuffer(4), 1, 2),
      new ArrayBuffer(3),
      new Uint8Array(0),
    ],
  ],
  [
    'views onto one buffer stay views onto one buffer, with their offsets',
    () => {
      const buffer = new ArrayBuffer(16)
      new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
      return {
        buffer,
        bytes: new Uint8Array(buffer, 3, 5),
        words: new Uint32Array(buffer, 8, 2),
        dv: new DataView(buffer, 2),
      }
    },
  ],
  ['a Node Buffer keeps its own bytes only', () => [Buffer.from('hello'), Buffer.alloc(0)]],
  [
    'errors with name, message, stack, cause, own properties',
    () => {
      const cause = new RangeError('inner')
      const error = new TypeError('outer', { cause }) as TypeError & { code?: string }
      error.code = 'E_CODE'
      const renamed = new Error('renamed')
      renamed.name = 'CustomName'
      const noStack = new Error('no stack')
      delete noStack.stack
      return [
        error,
        renamed,
        noStack,
        new AggregateError([new Error('a'), 'b'], 'many'),
        new EvalError(),
        new ReferenceError('r'),
        new SyntaxError('s'),
        new URIError('u'),
        new Error('with a cause that is not an error', { cause: { detail: 1 } }),
      ]
    },
  ],
  [
    'boxed primitives',
    () => [
      Object(1.5),
      Object(-0),
      Object('str'),
      Object(''),
      Object(true),
      Object(false),
      Object(10n ** 30n),
    ],
  ],
  [
    'shared references keep their identity',
    () => {
      const shared = { s: 1 }
      const list = [shared]
      return { a: shared, b: shared, c: [list, list], d: new Map([[shared, list]]) }
    },
  ],
  [
    'cycles through objects, arrays, Maps, Sets and errors',
    () => {
      const a: Record<string, unknown> = { name: 'a' }
      a.self = a
      const arr: unknown[] = [1]
      arr.push(arr)
      const map = new Map<unknown, unknown>()
      map.set(map, map)
      const set = new Set<unknown>()
      set.add(set)
      const error = new Error('loop') as Error & { self?: unknown }
      error.self = error
      error.cause = error
      return { a, arr, map, set, error, all: [a, arr, map, set, error] }
    },
  ],
  [
    'a linked list 1500 deep',
    () => {
      let node: Record<string, unknown> | null = null
      for (let i = 0; i < 1500; i++) node = { i, next: node }
      return node
    },
  ],
  ['100k numbers', () => Array.from({ length: 100_000 }, (_, i) => i * 1.5 - 5000)],
  [
    '10k records sharing keys',
    () =>
      Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `item ${i}`, score: i / 3, ok: i % 2 === 0 })),
  ],
]

describe('structured round trips, checked as graphs', () => {
  for (const [label, make] of CATALOGUE) {
    it(label, () => {
      expectRoundTrip(make())
    })
  }

  it('the comparator itself sees lost identity, holes, prototypes and views', () => {
    const shared = {}
    expect(graphDifference([{}, {}], [shared, shared])).toMatch(/one object came back as two/)
    expect(graphDifference([shared, shared], [{}, {}])).toMatch(/identity not kept/)
    // biome-ignore lint/suspicious/noSparseArray: holes are the point
    expect(graphDifference([1, undefined, 3], [1, , 3])).toMatch(/keys/)
    expect(graphDifference({}, Object.create(null))).toMatch(/prototype/)
    const buffer = new ArrayBuffer(8)
    expect(
      graphDifference(
        [new Uint8Array(8), new Uint8Array(8)],
        [new Uint8Array(buffer), new Uint8Array(buffer)],
      ),
    ).toMatch(/one object came back as two/)
    expect(
      graphDifference(new Uint8Array(new ArrayBuffer(4), 1, 2), new Uint8Array(new ArrayBuffer(4), 2, 2)),
    ).toMatch(/offset/)
  })

  it('decoded holes are holes, and decoded views share one decoded buffer', () => {
    // biome-ignore lint/suspicious/noSparseArray: holes are the point
    const back = decode(encode([1, , 3])) as unknown[]
    expect(1 in back).toBe(false)
    const buffer = new ArrayBuffer(8)
    const [x, y] = decode(encode([new Uint8Array(buffer, 0, 4), new Uint16Array(buffer, 4, 2)])) as [
      Uint8Array,
      Uint16Array,
    ]
    expect(x.buffer).toBe(y.buffer)
    expect(y.byteOffset).toBe(4)
    x.fill(0)
    new Uint8Array(x.buffer).set([1, 2], 4)
    expect(y[0]).toBe(0x0201)
  })

  it('decoded errors are real errors of their class', () => {
    const back = decode(encode([new TypeError('t'), new AggregateError([1], 'agg')])) as Error[]
    expect(back[0]).toBeInstanceOf(TypeError)
    expect(Object.prototype.toString.call(back[0])).toBe('[object Error]')
    expect(back[1]).toBeInstanceOf(AggregateError)
    expect((back[1] as AggregateError).errors).toStrictEqual([1])
    expect(String(back[0])).toBe('TypeError: t')
  })

  it('a Buffer inside a pool does not carry the pool', () => {
    const small = Buffer.from('tiny')
    expect(small.buffer.byteLength).toBeGreaterThan(4) // sits in the shared pool
    const back = decode(encode(small)) as Buffer
    expect(Buffer.isBuffer(back)).toBe(true)
    expect(back.toString()).toBe('tiny')
    expect(encode(small).byteLength).toBeLessThan(20)
  })
})
