import { runSerializerSuite } from '@cairn/conformance/vitest'
import {
  ClassRegistry,
  createStructuredSerializer,
  STRUCTURED_MAX_DEPTH,
  structuredSerializer,
} from '../src/index.js'

const HEADER = [0x43, 0x52, 0x4e, 0x53, 0x01] // "CRNS", format version 1
const ARRAY = 0x10
const STRING = 0x07
const NULL = 0x01

/** `depth` arrays of one element each, around a null: built as bytes, since no value that deep can be encoded. */
function nestingBomb(depth: number): Uint8Array {
  const bytes = new Uint8Array(HEADER.length + depth * 2 + 1)
  bytes.set(HEADER)
  for (let i = 0; i < depth; i++) bytes.set([ARRAY, 1], HEADER.length + i * 2)
  bytes[bytes.length - 1] = NULL
  return bytes
}

/** Length varints that claim far more than the input holds. */
const hostileInputs: [string, Uint8Array][] = [
  [
    'a string claiming 2^49 bytes',
    new Uint8Array([...HEADER, STRING, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
  ],
  ['an array claiming 2^35 elements', new Uint8Array([...HEADER, ARRAY, 0xff, 0xff, 0xff, 0xff, 0x7f])],
  ['an ArrayBuffer claiming 4 GiB', new Uint8Array([...HEADER, 0x17, 0xff, 0xff, 0xff, 0xff, 0x0f])],
  ['a varint that never ends', new Uint8Array([...HEADER, ARRAY, ...new Array(64).fill(0xff)])],
  [
    'a sparse array claiming 2^32 - 1 elements, one hole run',
    new Uint8Array([...HEADER, ARRAY, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b, 0xff, 0xff, 0xff, 0xff, 0x0f]),
  ],
]

class Point {
  constructor(
    public x = 0,
    public y = 0,
  ) {}
}
class Point3 extends Point {
  z = 0
}
class Money {
  constructor(readonly cents: number) {}
}
class HttpError extends Error {
  status = 404
}
class Unlisted {
  n = 1
}

const classes = new ClassRegistry()
  .register(Point, { name: 'Point' })
  .register(Money, { name: 'Money', reduce: (m) => m.cents, revive: (cents) => new Money(cents as number) })
  .register(HttpError, { name: 'HttpError' })

/** Well-formed bytes that still name something this decoder must refuse, and malformed ones. */
function refusedInputs(unregistered: Uint8Array): [string, Uint8Array][] {
  return [
    ['an instance of a class this registry lacks', unregistered],
    ['an unknown tag', new Uint8Array([...HEADER, 0x7e])],
    ['a reference to an object not yet seen', new Uint8Array([...HEADER, ARRAY, 1, 0x0a, 5])],
    ['a newer format version', new Uint8Array([0x43, 0x52, 0x4e, 0x53, 0x02, NULL])],
    ['bytes after the value', new Uint8Array([...HEADER, NULL, NULL])],
    ['a duplicate object key', new Uint8Array([...HEADER, 0x11, 2, 0x00, 0x02, 0x61, 0x81, 0x01, 0x82])],
    ['a varint with a redundant zero byte', new Uint8Array([...HEADER, 0x04, 0x80, 0x00])],
    ['a negative zero integer', new Uint8Array([...HEADER, 0x05, 0x00])],
    ['a -0 Set element', new Uint8Array([...HEADER, 0x14, 1, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x80])],
  ]
}

/** What the README says encode refuses, whatever the registry. */
const refusedValues: [string, () => unknown][] = [
  ['a subclass of a registered class', () => new Point3(1, 2)],
  ['a SharedArrayBuffer', () => new SharedArrayBuffer(4)],
  ['a view onto a SharedArrayBuffer', () => new Uint8Array(new SharedArrayBuffer(4))],
  ['a boxed Symbol', () => Object(Symbol('s'))],
  ['a property on a Map', () => Object.assign(new Map(), { extra: 1 })],
  ['an object whose prototype is a built-in one without being it', () => Object.create(Map.prototype)],
  ['a WeakSet', () => new WeakSet()],
  ['a generator', () => (function* () {})()],
]

runSerializerSuite({
  name: 'structuredSerializer',
  factory: () => structuredSerializer,
  randomInputs: 10_000,
  maxDepth: STRUCTURED_MAX_DEPTH,
  nestingBomb,
  hostileInputs,
  refusedInputs: refusedInputs(createStructuredSerializer({ classes }).encode({ p: new Point(1, 2) })),
  refusedValues: [...refusedValues, ['an instance of an unregistered class', () => new Point(1, 2)]],
})
runSerializerSuite({
  name: 'structured, with classes and maxDepth 300',
  factory: () => createStructuredSerializer({ classes, maxDepth: 300 }),
  maxDepth: 300,
  nestingBomb,
  hostileInputs,
  refusedInputs: refusedInputs(
    createStructuredSerializer({
      classes: new ClassRegistry().register(Unlisted, { name: 'Unlisted' }),
    }).encode(new Unlisted()),
  ),
  refusedValues,
  extraValues: [
    ['registered class instances', () => [new Point(1, 2), new Point(-0, Number.NaN)]],
    [
      'a registered instance shared twice',
      () => {
        const p = new Point(3, 4)
        return { a: p, b: [p] }
      },
    ],
    [
      'a registered instance that points back at itself',
      () => {
        const p = new Point(5, 6) as Point & { self?: unknown }
        p.self = { back: p }
        return p
      },
    ],
    ['instances through reduce and revive', () => [new Money(125), { m: new Money(-1) }]],
    ['a registered Error subclass', () => new HttpError('not found', { cause: new Error('missing') })],
  ],
})
