import { runSerializerSuite } from '@cairn/conformance/vitest'
import { ClassRegistry, createStructuredSerializer, structuredSerializer } from '../src/index.js'

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
  ['an unknown tag', new Uint8Array([...HEADER, 0x7e])],
  ['a reference to an object not yet seen', new Uint8Array([...HEADER, ARRAY, 1, 0x0a, 5])],
]

class Point {
  constructor(
    public x = 0,
    public y = 0,
  ) {}
}

runSerializerSuite({
  name: 'structuredSerializer',
  factory: () => structuredSerializer,
  randomInputs: 10_000,
  nestingBomb,
  hostileInputs,
})
runSerializerSuite({
  name: 'structured, with classes and maxDepth 300',
  factory: () =>
    createStructuredSerializer({
      classes: new ClassRegistry().register(Point, { name: 'Point' }),
      maxDepth: 300,
    }),
  nestingBomb,
  hostileInputs,
  extraValues: [
    ['registered class instances', () => [new Point(1, 2), new Point(-0, Number.NaN)]],
    [
      'a registered instance shared twice',
      () => {
        const p = new Point(3, 4)
        return { a: p, b: [p] }
      },
    ],
  ],
})
