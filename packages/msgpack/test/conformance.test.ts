import { runSerializerSuite } from '@cairn/conformance/vitest'
import { createMsgpackSerializer, MSGPACK_MAX_DEPTH, msgpackSerializer } from '../src/index.js'

/** `depth` fixarrays of one element around a nil (0x91 … 0xc0): built as bytes, no value that deep encodes. */
function nestingBomb(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x91)
  bytes[depth] = 0xc0
  return bytes
}

/** 32-bit length headers claiming 4 GiB with nothing behind them, and other bytes that need care. */
const hostileInputs: [string, Uint8Array][] = [
  ['str32 of 4 GiB', new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])],
  ['bin32 of 4 GiB', new Uint8Array([0xc6, 0xff, 0xff, 0xff, 0xff, 0x00])],
  ['array32 of 4G elements', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0])],
  ['map32 of 4G entries', new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 0xc0])],
  ['ext32 of 4 GiB', new Uint8Array([0xc9, 0xff, 0xff, 0xff, 0xff, 0xff])],
  [
    'a __proto__ key (fixmap, fixstr)',
    new Uint8Array([0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x81, 0xa1, 0x70, 0xc3]),
  ],
  ['a float32 NaN', new Uint8Array([0xca, 0x7f, 0xc0, 0x00, 0x00])],
  ['a small integer as uint64', new Uint8Array([0xcf, 0, 0, 0, 0, 0, 0, 0, 1])],
]

/** Bytes the README says decode refuses with a coded error. */
const refusedInputs: [string, Uint8Array][] = [
  ['the never-used byte 0xc1', new Uint8Array([0xc1])],
  ['a msgpackr record definition (ext 0x72)', new Uint8Array([0xd4, 0x72, 0x00])],
  ['an extension type other than -1', new Uint8Array([0xd4, 0x01, 0x00])],
  ['bytes after the value', new Uint8Array([0xc0, 0xc0])],
  ['duplicate map keys', new Uint8Array([0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02])],
  ['an overlong UTF-8 form', new Uint8Array([0xa2, 0xc0, 0x80])],
  ['a UTF-8 surrogate code point', new Uint8Array([0xa3, 0xed, 0xa0, 0x80])],
  ['a timestamp with a nanosecond', new Uint8Array([0xd7, 0xff, 0, 0, 0, 4, 0, 0, 0, 0])],
  ['a -0 map key', new Uint8Array([0x81, 0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xc0])],
]

/** Kinds msgpack keeps exactly without declaring them (invalid dates and >64-bit BigInts are refused). */
const extraValues: [string, () => unknown][] = [
  [
    'valid dates, every timestamp width',
    () => [
      new Date(0),
      new Date(1_700_000_000_123),
      new Date(-1),
      new Date(2 ** 40 * 1000),
      new Date(8.64e15),
    ],
  ],
  ['64-bit BigInts', () => [0n, -(2n ** 63n), 2n ** 64n - 1n]],
]

/** A declared kind's samples msgpack refuses by design (README: "maps: those with a non-string key"). */
const refuses = {
  'a Map whose keys are all strings': 'it would come back as a plain object',
  'an empty Map': 'it would come back as an empty object',
}

/** What the README promises to refuse with a clear error. */
const refusedValues: [string, () => unknown][] = [
  ['a BigInt of 2^64', () => 2n ** 64n],
  ['a BigInt below -2^63', () => -(2n ** 63n) - 1n],
  ['an invalid Date', () => new Date(Number.NaN)],
  ['undefined', () => undefined],
  // biome-ignore lint/suspicious/noSparseArray: the hole is what is refused
  ['a hole', () => [1, , 3]],
  ['a Set', () => new Set([1])],
  ['a Float32Array', () => new Float32Array(2)],
  ['an ArrayBuffer', () => new ArrayBuffer(2)],
  ['a null-prototype object', () => Object.create(null)],
  ['a Node.js Buffer', () => Buffer.from([1])],
  [
    'a cycle',
    () => {
      const a: unknown[] = []
      a.push(a)
      return a
    },
  ],
  ['a RegExp', () => /x/],
  ['an Error', () => new Error('x')],
]

runSerializerSuite({
  name: 'msgpackSerializer',
  factory: () => msgpackSerializer,
  randomInputs: 10_000,
  maxDepth: MSGPACK_MAX_DEPTH,
  nestingBomb,
  hostileInputs,
  refusedInputs,
  extraValues,
  refuses,
  refusedValues,
})
runSerializerSuite({
  name: 'msgpack, maxDepth 200',
  factory: () => createMsgpackSerializer({ maxDepth: 200 }),
  maxDepth: 200,
  nestingBomb,
  hostileInputs,
  refusedInputs,
  extraValues,
  refuses,
  refusedValues,
})
