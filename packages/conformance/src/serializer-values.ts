import type { SerializerValueKind } from '@cairn/core'
import { pseudoRandomBytes } from './fixtures.js'

/** A labelled value, made fresh for each use. */
export type Sample = [label: string, make: () => unknown]

export function deepNest(depth: number): unknown {
  let v: unknown = 'bottom'
  for (let i = 0; i < depth; i++) v = i % 2 ? { next: v } : [v]
  return v
}

/** Values by kind; a serializer must round-trip every kind it lists in `capabilities.types`. */
export const VALUE_CATALOGUE: Record<SerializerValueKind, Sample[]> = {
  json: [
    ['null', () => null],
    ['booleans', () => [true, false]],
    [
      'numbers',
      () => [
        0,
        1,
        -1,
        0.1,
        1e-300,
        1.7976931348623157e308,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        5e-324,
      ],
    ],
    ['empty string, object, array', () => ['', {}, []]],
    [
      'unicode strings',
      () => [
        'héllo',
        '日本語',
        '🚀 astral',
        'e\u0301 combining',
        '\u0000 nul',
        'quote " and \\ backslash',
        '\u2028\u2029',
      ],
    ],
    ['nested objects and arrays', () => ({ a: [1, { b: [2, [3, { c: 'd' }]] }], e: { f: { g: null } } })],
    ['keys that look dangerous', () => JSON.parse('{"__proto__":{"x":1},"constructor":"c","prototype":[1]}')],
    ['100k numbers', () => Array.from({ length: 100_000 }, (_, i) => i * 1.5)],
    ['100-deep nesting', () => deepNest(100)],
  ],
  undefined: [['undefined in objects and arrays', () => ({ a: undefined, b: [undefined, 1] })]],
  bigint: [['bigints', () => [0n, -1n, 2n ** 64n + 1n, -(2n ** 100n)]]],
  'nan-infinity': [
    ['NaN and infinities', () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ],
  'negative-zero': [['-0', () => [-0, { z: -0 }]]],
  date: [['dates', () => [new Date(0), new Date(1_700_000_000_123), new Date(Number.NaN)]]],
  bytes: [
    ['Uint8Array', () => [new Uint8Array(0), new Uint8Array([0, 1, 255]), pseudoRandomBytes(10_000, 4)]],
  ],
  'typed-arrays': [
    [
      'typed arrays',
      () => [
        new Float64Array([1.5, -0, Number.NaN]),
        new Int32Array([-1, 2]),
        new Uint16Array([65535]),
        new BigInt64Array([-5n]),
      ],
    ],
  ],
  map: [
    [
      'maps',
      () =>
        new Map<unknown, unknown>([
          [1, 'a'],
          ['k', { v: [1] }],
          [true, null],
        ]),
    ],
  ],
  set: [['sets', () => new Set<unknown>([1, 'two', null])]],
  regexp: [['regexps', () => [/a+b/gi, /[\u{1F680}]/u]]],
  error: [['errors', () => [new Error('boom'), new TypeError('type')]]],
  cycles: [
    [
      'a cycle',
      () => {
        const a: Record<string, unknown> = { name: 'a' }
        a.self = a
        return a
      },
    ],
  ],
  'shared-references': [
    [
      'shared references',
      () => {
        const shared = { s: 1 }
        return [shared, shared]
      },
    ],
  ],
  'sparse-arrays': [
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['sparse arrays', () => [1, , 3]],
  ],
  'class-instances': [],
}

export const ALL_KINDS: SerializerValueKind[] = Object.keys(VALUE_CATALOGUE) as SerializerValueKind[]

/** An object whose own `__proto__` key is plain data (made without touching any prototype). */
export function protoKeyObject(): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  Object.defineProperty(value, '__proto__', {
    value: { polluted: true },
    enumerable: true,
    writable: true,
    configurable: true,
  })
  Object.assign(value, { constructor: { prototype: { polluted: true } }, prototype: 'p' })
  return value
}

/**
 * Values every serializer must either round-trip exactly or refuse with CAIRN_UNSERIALIZABLE, whatever
 * it declares: unicode edges, large and deep values, prototype keys.
 */
export const EDGE_CATALOGUE: Sample[] = [
  [
    'unicode edges',
    () => [
      '\uFEFF leading BOM',
      '\u{10FFFF} last code point',
      'a\u0300\u0301\u0302 stacked marks',
      '\u{1F468}\u200D\u{1F469}\u200D\u{1F467} joined emoji',
      '\u0000\u0001\u001f controls',
      'Ω≈ç√∫ mixed 中文 العربية עברית',
    ],
  ],
  ['a lone high surrogate', () => ['x\ud800y']],
  ['a lone low surrogate', () => ['\udc00']],
  ['a 4 MiB string', () => 'abcdefghijklmnop'.repeat(256 * 1024)],
  ['a 200k-element array', () => Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? `s${i}` : i))],
  ['500-deep nesting', () => deepNest(500)],
  ['5000-deep nesting', () => deepNest(5000)],
  ['an own __proto__ key, constructor and prototype keys', protoKeyObject],
  ['2 MiB of bytes', () => pseudoRandomBytes(2 * 1024 * 1024, 11)],
]
