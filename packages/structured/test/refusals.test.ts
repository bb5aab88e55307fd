import { expectCodeSync } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { createStructuredSerializer, STRUCTURED_MAX_DEPTH, structuredSerializer } from '../src/index.js'

const { encode, decode } = structuredSerializer

function* generator(): Generator<number> {
  yield 1
}

describe('refusals name the path', () => {
  const sticky = /x/y
  ;(sticky as { lastIndex: unknown }).lastIndex = 'not a number'
  const cases: [label: string, value: () => unknown, path: string, reason: RegExp][] = [
    ['a function', () => ({ f: function named() {} }), '$.f', /function.*named/],
    ['a symbol', () => [Symbol('s')], '$[0]', /symbol/],
    ['a symbol key', () => ({ a: { [Symbol('k')]: 1 } }), '$.a', /symbol keys/],
    [
      'a non-enumerable property',
      () => ({ o: Object.defineProperty({}, 'hidden', { value: 1 }) }),
      '$.o.hidden',
      /non-enumerable/,
    ],
    ['a Promise', () => ({ p: Promise.resolve(1) }), '$.p', /Promise/],
    ['a WeakMap', () => [new WeakMap()], '$[0]', /WeakMap/],
    ['a WeakSet', () => [new WeakSet()], '$[0]', /WeakSet/],
    ['a WeakRef', () => [new WeakRef({})], '$[0]', /WeakRef/],
    ['a Proxy', () => ({ x: new Proxy({}, {}) }), '$.x', /Proxy/],
    ['a Proxy of an array', () => [new Proxy([], {})], '$[0]', /Proxy/],
    ['a SharedArrayBuffer', () => [new SharedArrayBuffer(4)], '$[0]', /SharedArrayBuffer/],
    [
      'a view onto a SharedArrayBuffer',
      () => ({ v: new Uint8Array(new SharedArrayBuffer(4)) }),
      '$.v',
      /Shared/,
    ],
    [
      'a resizable ArrayBuffer',
      () => [
        new (ArrayBuffer as new (size: number, options: object) => ArrayBuffer)(1, { maxByteLength: 8 }),
      ],
      '$[0]',
      /resizable/,
    ],
    ['a property on a Map', () => [Object.assign(new Map(), { extra: 1 })], '$[0]', /properties on a Map/],
    ['a property on a Set', () => [Object.assign(new Set(), { extra: 1 })], '$[0]', /properties on a Set/],
    [
      'a property on a Date',
      () => [Object.assign(new Date(0), { extra: 1 })],
      '$[0]',
      /properties on a Date/,
    ],
    ['a property on a RegExp', () => [Object.assign(/x/, { extra: 1 })], '$[0]', /properties on a RegExp/],
    ['a RegExp lastIndex that is not an index', () => [sticky], '$[0]', /lastIndex/],
    ['a boxed Symbol', () => [Object(Symbol('s'))], '$[0]', /boxed Symbol/],
    ['a property on a boxed primitive', () => [Object.assign(Object(1), { extra: 1 })], '$[0]', /boxed/],
    ['a fake Map', () => [Object.create(Map.prototype)], '$[0]', /not really a Map/],
    ['a fake Error', () => [Object.create(TypeError.prototype)], '$[0]', /not really a TypeError/],
    ['a generator', () => [generator()], '$[0]', /generator/],
    [
      'a class instance',
      () => ({ when: { at: new (class Moment {})() } }),
      '$.when.at',
      /class Moment is not registered/,
    ],
    ['inside a Map value', () => new Map([[1, () => 1]]), '$<value 0>', /function/],
    ['inside a Map key', () => new Map([[Symbol.iterator, 1]]), '$<key 0>', /symbol/],
    ['inside a Set', () => new Set([1, Symbol('x')]), '$<element 1>', /symbol/],
    ['inside an error cause', () => new Error('x', { cause: [() => 1] }), '$.cause[0]', /function/],
    ['inside an error property', () => Object.assign(new Error('x'), { fn: () => 1 }), '$.fn', /function/],
    [
      'a non-enumerable property on an error',
      () => Object.defineProperty(new Error('x'), 'secret', { value: 1 }),
      '$.secret',
      /non-enumerable/,
    ],
    // biome-ignore lint/suspicious/noSparseArray: holes are the point
    ['after a hole', () => [1, , () => 1], '$[2]', /function/],
  ]
  for (const [label, make, path, reason] of cases) {
    it(label, () => {
      const error = expectCodeSync(() => encode(make()), ErrorCode.Unserializable)
      expect(error.message.startsWith(`${path}: `), error.message).toBe(true)
      expect(error.details?.path).toBe(path)
      expect(error.message).toMatch(reason)
    })
  }

  it('a getter that throws is a coded error', () => {
    const value = {
      get boom(): never {
        throw new Error('getter failed')
      },
    }
    expect(expectCodeSync(() => encode(value), ErrorCode.Unserializable).message).toContain('getter failed')
  })

  it('nesting up to maxDepth is fine, deeper is refused on encode and on decode', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = 1
      for (let i = 0; i < depth; i++) v = i % 2 ? { v } : [v]
      return v
    }
    expect(decode(encode(nest(STRUCTURED_MAX_DEPTH)))).toStrictEqual(nest(STRUCTURED_MAX_DEPTH))
    expect(
      expectCodeSync(() => encode(nest(STRUCTURED_MAX_DEPTH + 1)), ErrorCode.Unserializable).message,
    ).toMatch(/deeper than 2000/)
    const shallow = createStructuredSerializer({ maxDepth: 4 })
    expect(shallow.decode(shallow.encode(nest(4)))).toStrictEqual(nest(4))
    expectCodeSync(() => shallow.encode(nest(5)), ErrorCode.Unserializable)
    expectCodeSync(() => shallow.decode(encode(nest(5))), ErrorCode.Unserializable)
  })

  it('options are checked', () => {
    for (const maxDepth of [0, 1.5, -3, 1e9]) {
      expectCodeSync(() => createStructuredSerializer({ maxDepth }), ErrorCode.InvalidArgument)
    }
    expectCodeSync(
      () => createStructuredSerializer({ classes: new Map() as never }),
      ErrorCode.InvalidArgument,
    )
    expectCodeSync(() => decode('CRNS' as never), ErrorCode.InvalidArgument)
  })
})
