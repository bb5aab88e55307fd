import type { SerializerValueKind } from '@cairn/core'
import { pseudoRandomBytes } from './fixtures.js'

/** A labelled value, made fresh for each use. Labels are unique across every catalogue. */
export type Sample = [label: string, make: () => unknown]

/** A value every serializer must refuse, and (optionally) a key its refusal must name in the path. */
export type RefusedSample = [label: string, make: () => unknown, pathKey?: string]

/** `depth` containers (arrays and objects alternating) around a string: `deepNest(1)` is `['bottom']`. */
export function deepNest(depth: number): unknown {
  let v: unknown = 'bottom'
  for (let i = 0; i < depth; i++) v = i % 2 ? { next: v } : [v]
  return v
}

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

/** Where a decoder may assign keys: the object itself, inside an array, deep inside objects. */
export const PROTO_KEY_PAYLOADS: Sample[] = [
  ['an own __proto__ key at the top', protoKeyObject],
  ['an own __proto__ key inside an array', () => [1, protoKeyObject()]],
  ['an own __proto__ key three objects deep', () => ({ a: { b: { c: protoKeyObject() } } })],
]

function sparse(length: number, entries: [number, unknown][]): unknown[] {
  const array: unknown[] = []
  array.length = length
  for (const [i, v] of entries) array[i] = v
  return array
}

const astral = '\u{1F680}\u{10FFFF}\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'

/**
 * Values by kind: a serializer must round-trip every sample of each kind it lists in
 * `capabilities.types` (exactly, deterministically), and may only refuse the samples of the others.
 * Samples are small so partial support shows: a serializer that keeps valid dates but refuses invalid
 * ones passes `date` samples one by one.
 */
export const VALUE_CATALOGUE: Record<SerializerValueKind, Sample[]> = {
  json: [
    ['null', () => null],
    ['booleans', () => [true, false]],
    [
      'integers at format boundaries',
      () => [
        0,
        1,
        -1,
        127,
        128,
        -32,
        -33,
        255,
        256,
        65535,
        65536,
        2 ** 31 - 1,
        -(2 ** 31),
        2 ** 32 - 1,
        2 ** 32,
      ],
    ],
    [
      'integers at the edges of doubles',
      () => [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21],
    ],
    ['fractions and extreme doubles', () => [0.1, -1.5, 1e-300, 1.7976931348623157e308, 5e-324, -5e-324]],
    ['empty string, object, array', () => ['', {}, []]],
    [
      'strings at length boundaries',
      () => [31, 32, 255, 256, 65535, 65536].map((n) => 'x'.repeat(n)).concat('é'.repeat(128)),
    ],
    [
      'unicode strings',
      () => [
        'héllo',
        '日本語 Ω≈ç√∫ العربية עברית',
        `${astral} astral plane`,
        'e\u0301 a\u0300\u0301\u0302 combining marks',
        '\uFEFF leading BOM',
        '\u0000 NUL, \u0001\u001f\u007f controls',
        'quote " and \\ backslash',
        '\u2028\u2029 separators, \uFFFD\uFFFE\uFFFF',
      ],
    ],
    [
      'unicode and empty keys',
      () => ({ ключ: 1, [astral]: 2, '': 3, '\u0000': 4, 'a\u0301': 5, '\uFEFF': 6 }),
    ],
    ['key order, integer-like keys first', () => ({ b: 1, a: 2, '10': 3, '2': 4, z: { y: 1, x: 2 } })],
    ['nested objects and arrays', () => ({ a: [1, { b: [2, [3, { c: 'd' }]] }], e: { f: { g: null } } })],
    // Equal but distinct: a decoder that interns equal objects would hand out one object twice.
    ['equal but distinct objects and arrays', () => [{ a: 1 }, { a: 1 }, [], [], { a: 1 }]],
    ['keys that look dangerous', () => JSON.parse('{"__proto__":{"x":1},"constructor":"c","prototype":[1]}')],
    ['own __proto__, constructor and prototype keys', protoKeyObject],
    [
      'an object with 10k keys',
      () => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
    ],
    ['100k numbers', () => Array.from({ length: 100_000 }, (_, i) => i * 1.5)],
    [
      'a 200k-element array of strings and numbers',
      () => Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? `s${i}` : i)),
    ],
    ['a 4 MiB string', () => 'abcdefghijklmnop'.repeat(256 * 1024)],
    ['a 1 MiB string of multi-byte characters', () => `é€${astral}`.repeat(48 * 1024)],
    ['100-deep nesting', () => deepNest(100)],
  ],
  undefined: [
    ['undefined', () => undefined],
    ['undefined in objects and arrays', () => ({ a: undefined, b: [undefined, 1] })],
  ],
  bigint: [
    ['small bigints', () => [0n, 1n, -1n]],
    ['64-bit edge bigints', () => [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]],
    ['bigints beyond 64 bits', () => [2n ** 64n, -(2n ** 63n) - 1n, 2n ** 200n, -(2n ** 100n)]],
  ],
  'nan-infinity': [
    ['NaN and infinities', () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ['NaN as an object value', () => ({ n: Number.NaN })],
  ],
  'negative-zero': [['-0', () => [-0, { z: -0 }]]],
  date: [
    ['the epoch and a date with milliseconds', () => [new Date(0), new Date(1_700_000_000_123)]],
    ['dates before 1970', () => [new Date(-1), new Date(-62_135_596_800_000)]],
    ['the ends of the Date range', () => [new Date(8.64e15), new Date(-8.64e15)]],
    ['an invalid date', () => new Date(Number.NaN)],
  ],
  bytes: [
    [
      'empty, short and 10 KB Uint8Arrays',
      () => [new Uint8Array(0), new Uint8Array([0, 1, 255]), pseudoRandomBytes(10_000, 4)],
    ],
    ['Uint8Arrays at length boundaries', () => [255, 256, 65535, 65536].map((n) => pseudoRandomBytes(n, n))],
    ['a Uint8Array viewing part of a larger buffer', () => pseudoRandomBytes(64, 7).subarray(8, 24)],
    ['2 MiB of bytes', () => pseudoRandomBytes(2 * 1024 * 1024, 11)],
  ],
  'typed-arrays': [
    [
      'every typed array class',
      () => [
        new Int8Array([-128, 127]),
        new Uint8ClampedArray([0, 255]),
        new Int16Array([-32768, 32767]),
        new Uint16Array([65535]),
        new Int32Array([-1, 2]),
        new Uint32Array([2 ** 32 - 1]),
        new Float32Array([1.5, Number.NaN, -0, Number.POSITIVE_INFINITY]),
        new Float64Array([1.5, -0, Number.NaN, 5e-324]),
        new BigInt64Array([-(2n ** 63n), 5n]),
        new BigUint64Array([2n ** 64n - 1n]),
      ],
    ],
    ['empty typed arrays', () => [new Float64Array(0), new Int16Array(0)]],
    ['a DataView', () => new DataView(pseudoRandomBytes(16, 3).buffer, 3, 9)],
    ['an ArrayBuffer', () => pseudoRandomBytes(33, 5).buffer],
  ],
  map: [
    [
      'a Map with mixed keys',
      () =>
        new Map<unknown, unknown>([
          [1, 'a'],
          ['k', { v: [1] }],
          [true, null],
          [null, false],
        ]),
    ],
    [
      'a Map with object keys',
      () =>
        new Map<unknown, unknown>([
          [{ k: 1 }, 'v'],
          [[1, 2], { w: 2 }],
        ]),
    ],
    [
      'a Map whose keys are all strings',
      () =>
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
    ],
    ['an empty Map', () => new Map()],
  ],
  set: [
    ['a Set of mixed values', () => new Set<unknown>([1, 'two', null, true])],
    ['a Set of objects', () => new Set<unknown>([{ a: 1 }, [2]])],
    ['an empty Set', () => new Set()],
  ],
  regexp: [
    ['regexps with every flag', () => [/a+b/gi, /[\u{1F680}]/u, /^x$/msy, /(?<year>\d{4})/d, /\/sl\/ash/]],
    [
      'a RegExp with a lastIndex',
      () => {
        const re = /o/g
        re.lastIndex = 3
        return re
      },
    ],
  ],
  error: [
    ['plain errors', () => [new Error('boom'), new Error('')]],
    [
      'every built-in error class',
      () => [
        new EvalError('eval'),
        new RangeError('range'),
        new ReferenceError('reference'),
        new SyntaxError('syntax'),
        new TypeError('type'),
        new URIError('uri'),
        new AggregateError([new Error('inner')], 'many'),
      ],
    ],
    [
      'an error with a cause chain',
      () => new Error('outer', { cause: new TypeError('inner', { cause: 'root' }) }),
    ],
    [
      'an error with a changed name and own properties',
      () => Object.assign(new Error('coded'), { name: 'CustomError', code: 'E_CODE', details: { n: 1 } }),
    ],
    [
      'an error without a stack',
      () => {
        const error = new Error('no stack')
        delete error.stack
        return error
      },
    ],
  ],
  cycles: [
    [
      'an object that contains itself',
      () => {
        const a: Record<string, unknown> = { name: 'a' }
        a.self = a
        return a
      },
    ],
    [
      'an array that contains itself, two levels down',
      () => {
        const a: unknown[] = [1]
        a.push({ back: a })
        return a
      },
    ],
  ],
  'shared-references': [
    [
      'an object shared twice',
      () => {
        const shared = { s: 1 }
        return [shared, shared]
      },
    ],
    [
      'an array shared at two depths',
      () => {
        const shared = [1, 2]
        return { a: shared, b: { c: shared } }
      },
    ],
  ],
  'sparse-arrays': [
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['a hole in the middle', () => [1, , 3]],
    ['holes at the start and the end', () => sparse(6, [[2, 'x']])],
    [
      'an array of length 2^32 - 1 with two elements',
      () =>
        sparse(2 ** 32 - 1, [
          [0, 'a'],
          [2 ** 32 - 2, 'z'],
        ]),
    ],
  ],
  'class-instances': [],
}

export const ALL_KINDS: SerializerValueKind[] = Object.keys(VALUE_CATALOGUE) as SerializerValueKind[]

/** Samples that need several kinds at once: exact when every kind is declared, else exact or refused. */
export const COMBINED_CATALOGUE: [kinds: SerializerValueKind[], sample: Sample][] = [
  [
    ['map', 'set', 'cycles', 'shared-references'],
    [
      'cycles and shared references through a Map and a Set',
      () => {
        const node: Record<string, unknown> = { id: 1 }
        const map = new Map<unknown, unknown>([[node, node]])
        const set = new Set<unknown>([node, map])
        node.map = map
        node.set = set
        return [node, map, set]
      },
    ],
  ],
  [
    ['error', 'cycles'],
    [
      'an error that is its own cause',
      () => {
        const error = new Error('loop')
        error.cause = error
        return error
      },
    ],
  ],
  [
    ['typed-arrays', 'shared-references'],
    [
      'views onto one buffer, at their offsets',
      () => {
        const buffer = pseudoRandomBytes(32, 9).buffer
        return [new Uint8Array(buffer, 2, 4), new Int16Array(buffer, 8, 4), new DataView(buffer, 20), buffer]
      },
    ],
  ],
  [
    ['bytes', 'shared-references'],
    [
      'one Uint8Array shared twice',
      () => {
        const bytes = new Uint8Array([1, 2, 3])
        return { a: bytes, b: [bytes] }
      },
    ],
  ],
  [
    ['undefined', 'sparse-arrays'],
    // biome-ignore lint/suspicious/noSparseArray: holes next to undefined are the point
    ['holes next to undefined elements', () => [undefined, , undefined, ,]],
  ],
  [
    ['map', 'set', 'date', 'bigint', 'regexp', 'nan-infinity'],
    [
      'rich values as Map keys and Set elements',
      () =>
        new Map<unknown, unknown>([
          [new Date(5), new Set<unknown>([2n ** 70n, /x/g, Number.NaN])],
          [-0.5, new Set<unknown>([new Date(Number.NaN), -0])],
        ]),
    ],
  ],
]

const Float16 = (globalThis as { Float16Array?: new (values: number[]) => ArrayBufferView }).Float16Array
const NodeBuffer = (globalThis as { Buffer?: { from(bytes: number[]): Uint8Array } }).Buffer

/**
 * Values every serializer must either round-trip exactly or refuse with CAIRN_UNSERIALIZABLE, whatever
 * it declares: what UTF-8 cannot hold, objects that are not quite plain, deep nesting.
 */
export const EDGE_CATALOGUE: Sample[] = [
  ['a lone high surrogate', () => ['x\ud800y']],
  ['a lone low surrogate', () => ['\udc00']],
  ['a key with a lone surrogate', () => ({ 'k\ud800': 1 })],
  ['a null-prototype object', () => Object.assign(Object.create(null) as object, { a: 1, b: [2] })],
  [
    'a non-enumerable property',
    () => Object.defineProperty({ seen: 1 }, 'hidden', { value: 2, enumerable: false }),
  ],
  ['boxed primitives', () => [Object(1), Object('s'), Object(false), Object(3n)]],
  ['a Date with an own property', () => Object.assign(new Date(0), { note: 'x' })],
  ['500-deep nesting', () => deepNest(500)],
  ['5000-deep nesting', () => deepNest(5000)],
  ...(Float16 ? ([['a Float16Array', () => new Float16([1.5, -0])]] as Sample[]) : []),
  ...(NodeBuffer ? ([['a Node.js Buffer', () => NodeBuffer.from([1, 2, 3])]] as Sample[]) : []),
]

class NeverRegistered {
  value = 1
}

/** Values no serializer can give back exactly: every one must be refused with CAIRN_UNSERIALIZABLE. */
export const REFUSED_CATALOGUE: RefusedSample[] = [
  ['a function', () => () => 1],
  ['a symbol', () => Symbol('s')],
  ['a function nested in objects and arrays', () => ({ outer: { inner: [0, () => 1] } }), 'inner'],
  ['a symbol-keyed property', () => ({ plain: 1, [Symbol('key')]: 2 })],
  [
    'an instance of a class the serializer was never told about',
    () => ({ nested: new NeverRegistered() }),
    'nested',
  ],
  ['a WeakMap', () => new WeakMap()],
  ['a Promise', () => ({ pending: Promise.resolve(1) }), 'pending'],
  [
    'a getter that throws',
    () => ({
      get broken(): never {
        throw new Error('getter ran')
      },
    }),
  ],
]

/** Every catalogue label, to check they are unique (adapter options name samples by label). */
export function catalogueLabels(): string[] {
  return [
    ...Object.values(VALUE_CATALOGUE).flatMap((samples) => samples.map(([label]) => label)),
    ...COMBINED_CATALOGUE.map(([, [label]]) => label),
    ...EDGE_CATALOGUE.map(([label]) => label),
    ...REFUSED_CATALOGUE.map(([label]) => label),
  ]
}
