import { describe, expect, it } from 'vitest'
import {
  createJsonSerializer,
  ErrorCode,
  isCairnError,
  JSON_MAX_DEPTH,
  jsonSerializer,
} from '../src/index.js'

const utf8 = (text: string) => new TextEncoder().encode(text)

function refusalOf(action: () => unknown): { code?: string; message?: string; details?: unknown } {
  try {
    action()
  } catch (error) {
    if (isCairnError(error)) return { code: error.code, message: error.message, details: error.details }
    return { code: `not a CairnError: ${String(error)}` }
  }
  return {}
}

function nested(depth: number): unknown {
  let value: unknown = 0
  for (let i = 0; i < depth; i++) value = i % 2 ? { v: value } : [value]
  return value
}

describe('jsonSerializer.encode refuses what JSON would change, naming the path', () => {
  class Point {
    x = 1
  }
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.me = { back: cyclic }
  const withAccessor = Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })
  const withHidden = Object.defineProperty({ a: 1 }, 'h', { value: 1, enumerable: false })
  const withSymbol = { [Symbol('s')]: 1 }
  const arrayWithProp = Object.assign([1, 2], { extra: true })
  const arrayWithSymbol = Object.assign([1], { [Symbol('s')]: 1 })
  const arrayWithAccessor = Object.defineProperty([0, 0], 1, { get: () => 1 })

  const cases: [label: string, value: unknown, messageStart: string][] = [
    ['undefined at the top', undefined, '$: undefined'],
    ['undefined object value', { a: [1, 2, { b: undefined }] }, '$.a[2].b: undefined'],
    ['undefined array item', [1, undefined], '$[1]: undefined'],
    ['NaN', [Number.NaN], '$[0]: NaN'],
    ['Infinity', { x: Number.POSITIVE_INFINITY }, '$.x: Infinity'],
    ['-Infinity', { x: Number.NEGATIVE_INFINITY }, '$.x: -Infinity'],
    ['-0', { z: -0 }, '$.z: -0'],
    ['bigint', { n: 1n }, '$.n: BigInt'],
    ['function', { f: () => 1 }, '$.f: a function'],
    ['symbol value', [Symbol('s')], '$[0]: a symbol'],
    ['Date', { d: new Date(0) }, '$.d: Date is not JSON'],
    ['Map', { a: [1, 2, { b: new Map() }] }, '$.a[2].b: Map is not JSON; '],
    ['Set', { s: new Set([1]) }, '$.s: Set is not JSON'],
    ['Uint8Array', { t: new Uint8Array(1) }, '$.t: Uint8Array is not JSON'],
    ['Buffer', { t: Buffer.from('x') }, '$.t: Buffer is not JSON'],
    ['ArrayBuffer', { t: new ArrayBuffer(1) }, '$.t: ArrayBuffer is not JSON'],
    ['RegExp', { r: /x/ }, '$.r: RegExp is not JSON'],
    ['Error', { e: new Error('x') }, '$.e: Error is not JSON'],
    ['class instance', { p: new Point() }, '$.p: Point is not JSON'],
    ['boxed string', { s: new String('x') }, '$.s: String is not JSON'],
    ['array subclass', { a: new (class List extends Array {})() }, '$.a: List is not JSON'],
    ['own toJSON', { j: { toJSON: () => 1 } }, '$.j: objects with toJSON'],
    ['accessor property', { o: withAccessor }, '$.o.g: accessor property'],
    ['non-enumerable property', { o: withHidden }, '$.o.h: non-enumerable property'],
    ['symbol key', { o: withSymbol }, '$.o: symbol keys'],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['sparse hole', [1, , 3], '$[1]: sparse array hole'],
    ['array with a named property', arrayWithProp, '$: array property "extra"'],
    ['array with a symbol key', arrayWithSymbol, '$: symbol keys'],
    ['array accessor item', arrayWithAccessor, '$[1]: accessor property'],
    ['cycle', cyclic, '$.me.back: cycle'],
    ['lone surrogate value', { s: 'lone \udc00' }, '$.s: string has a lone surrogate'],
    ['lone surrogate key', { 'k\ud800': 1 }, '$["k\\ud800"]: key has a lone surrogate'],
    ['odd key path', { 'odd key': [0, () => 1] }, '$["odd key"][1]: a function'],
  ]

  for (const [label, value, messageStart] of cases) {
    it(label, () => {
      const refusal = refusalOf(() => jsonSerializer.encode(value))
      expect(refusal.code).toBe(ErrorCode.Unserializable)
      expect(
        refusal.message?.startsWith(messageStart),
        `"${refusal.message}" should start with "${messageStart}"`,
      ).toBe(true)
      expect((refusal.details as { path?: string }).path).toBe(
        messageStart.slice(0, messageStart.indexOf(':')),
      )
    })
  }

  it('refuses an inherited toJSON too (JSON.stringify would call it)', () => {
    const proto = { toJSON: () => 'x' }
    const value = Object.create(proto)
    expect(refusalOf(() => jsonSerializer.encode(value)).code).toBe(ErrorCode.Unserializable)
  })
})

describe('jsonSerializer.encode accepts exactly-representable values', () => {
  it('round-trips JSON values byte-for-byte deterministically', () => {
    const value = {
      b: [1, 'two', null, true, false, { c: 0.1, d: -1.5e-300 }],
      a: 'é🚀 "quoted" \\ \u0000 \u2028',
      '': {},
      '10': 'integer-like key',
      nested: [[], [[]]],
    }
    const bytes = jsonSerializer.encode(value)
    expect(jsonSerializer.decode(bytes)).toEqual(value)
    expect(jsonSerializer.encode(structuredClone(value))).toEqual(bytes)
    expect(new TextDecoder().decode(jsonSerializer.encode({ b: 1, a: [2] }))).toBe('{"b":1,"a":[2]}')
  })

  it('accepts shared (non-cyclic) references, as copies', () => {
    const shared = { s: 1 }
    expect(jsonSerializer.decode(jsonSerializer.encode([shared, { again: shared }, shared]))).toEqual([
      { s: 1 },
      { again: { s: 1 } },
      { s: 1 },
    ])
  })

  it('refuses null-prototype objects, which would come back with Object.prototype', () => {
    const bare = Object.assign(Object.create(null), { k: 'v' })
    const refusal = refusalOf(() => jsonSerializer.encode({ a: [bare] }))
    expect(refusal.code).toBe(ErrorCode.Unserializable)
    expect(refusal.message).toMatch(/^\$\.a\[0\]: a null-prototype object/)
  })

  it(`accepts ${JSON_MAX_DEPTH} levels of nesting and refuses one more with a coded error`, () => {
    expect(jsonSerializer.decode(jsonSerializer.encode(nested(JSON_MAX_DEPTH)))).toEqual(
      nested(JSON_MAX_DEPTH),
    )
    const refusal = refusalOf(() => jsonSerializer.encode(nested(JSON_MAX_DEPTH + 1)))
    expect(refusal.code).toBe(ErrorCode.Unserializable)
    expect(refusal.message).toContain(`nesting deeper than ${JSON_MAX_DEPTH}`)
    // Far deeper than the stack allows for naive recursion: still a coded error, not a RangeError.
    expect(refusalOf(() => jsonSerializer.encode(nested(200_000))).code).toBe(ErrorCode.Unserializable)
  })

  it('declares its id, version and capabilities; createJsonSerializer gives an equivalent one', () => {
    expect(jsonSerializer.id).toBe('json')
    expect(jsonSerializer.version).toBe('1')
    expect(jsonSerializer.specVersion).toBe('1.0')
    expect(jsonSerializer.capabilities).toEqual({ types: ['json'], safeForUntrustedInput: true })
    const other = createJsonSerializer()
    expect(other.encode({ a: [1] })).toEqual(jsonSerializer.encode({ a: [1] }))
  })
})

describe('jsonSerializer.decode', () => {
  it('keeps __proto__ as a plain own key and never pollutes Object.prototype', () => {
    const decoded = jsonSerializer.decode(
      utf8(
        '{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2}},"constructor":{"prototype":{"polluted":3}}}',
      ),
    ) as Record<string, unknown>
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined()
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: 1 })
    // And it re-encodes as the same own key, not as a prototype.
    expect(new TextDecoder().decode(jsonSerializer.encode(decoded))).toContain('"__proto__":{"polluted":1}')
  })

  it('reports invalid UTF-8 (and a BOM) as CAIRN_CORRUPT', () => {
    for (const bytes of [
      new Uint8Array([0xff, 0xfe]),
      new Uint8Array([0x22, 0xc3, 0x22]), // truncated 2-byte sequence inside a string
      new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // UTF-8-encoded lone surrogate
      new Uint8Array([0xef, 0xbb, 0xbf, 0x31]), // BOM then `1`
    ]) {
      expect(refusalOf(() => jsonSerializer.decode(bytes)).code, String(bytes)).toBe(ErrorCode.Corrupt)
    }
  })

  it('reports invalid JSON as CAIRN_CORRUPT with the SyntaxError as cause', () => {
    for (const text of ['', '{"a":', '{a:1}', "'x'", '[1,]', 'undefined', 'NaN', '1 2']) {
      let caught: unknown
      try {
        jsonSerializer.decode(utf8(text))
      } catch (error) {
        caught = error
      }
      expect(isCairnError(caught, ErrorCode.Corrupt), text).toBe(true)
      expect((caught as Error).cause, text).toBeInstanceOf(SyntaxError)
    }
  })

  it('refuses valid JSON that decodes to a value encode would refuse', () => {
    const cases: [string, string][] = [
      ['[1e400]', '$[0]: Infinity'],
      ['{"a":-1e999}', '$.a: -Infinity'],
      ['{"z":-0}', '$.z: -0'],
      ['{"s":"\\udc00"}', '$.s: string has a lone surrogate'],
      [`${'['.repeat(JSON_MAX_DEPTH + 1)}${']'.repeat(JSON_MAX_DEPTH + 1)}`, '$'],
    ]
    for (const [text, inner] of cases) {
      const refusal = refusalOf(() => jsonSerializer.decode(utf8(text)))
      expect(refusal.code, text.slice(0, 20)).toBe(ErrorCode.Unserializable)
      expect(refusal.message, text.slice(0, 20)).toContain(inner)
    }
    // Very deep input is bounded work with a coded error, never a RangeError.
    const deep = 500_000
    expect(refusalOf(() => jsonSerializer.decode(utf8(`${'['.repeat(deep)}${']'.repeat(deep)}`))).code).toBe(
      ErrorCode.Unserializable,
    )
  })

  it('accepts whitespace and escapes that encode would not write', () => {
    expect(jsonSerializer.decode(utf8(' { "a" : [ 1 , "\\u00e9" ] } \n'))).toEqual({ a: [1, 'é'] })
  })

  it('refuses non-Uint8Array input with CAIRN_INVALID_ARGUMENT; a Buffer is fine', () => {
    for (const input of ['[1]', [91, 49, 93], new Uint16Array(2), new ArrayBuffer(2), null]) {
      expect(refusalOf(() => jsonSerializer.decode(input as never)).code).toBe(ErrorCode.InvalidArgument)
    }
    expect(jsonSerializer.decode(Buffer.from('[1]'))).toEqual([1])
  })
})
