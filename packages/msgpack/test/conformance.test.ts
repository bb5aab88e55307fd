import { runSerializerSuite } from '@cairn/conformance/vitest'
import { createMsgpackSerializer, msgpackSerializer } from '../src/index.js'

/** `depth` fixarrays of one element around a nil (0x91 … 0xc0): built as bytes, no value that deep encodes. */
function nestingBomb(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x91)
  bytes[depth] = 0xc0
  return bytes
}

/** 32-bit length headers claiming 4 GiB with nothing behind them. */
const hostileInputs: [string, Uint8Array][] = [
  ['str32 of 4 GiB', new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])],
  ['bin32 of 4 GiB', new Uint8Array([0xc6, 0xff, 0xff, 0xff, 0xff, 0x00])],
  ['array32 of 4G elements', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0])],
  ['map32 of 4G entries', new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 0xc0])],
  ['ext32 of 4 GiB', new Uint8Array([0xc9, 0xff, 0xff, 0xff, 0xff, 0xff])],
  ['the never-used byte 0xc1', new Uint8Array([0xc1])],
  ['a msgpackr record definition (ext 0x72)', new Uint8Array([0xd4, 0x72, 0x00])],
]

/** Kinds msgpack keeps exactly without declaring them (invalid dates and >64-bit BigInts are refused). */
const extraValues: [string, () => unknown][] = [
  [
    'valid dates, every timestamp width',
    () => [new Date(0), new Date(1_700_000_000_123), new Date(-1), new Date(2 ** 40 * 1000)],
  ],
  ['64-bit BigInts', () => [0n, -(2n ** 63n), 2n ** 64n - 1n]],
]

runSerializerSuite({
  name: 'msgpackSerializer',
  factory: () => msgpackSerializer,
  randomInputs: 10_000,
  nestingBomb,
  hostileInputs,
  extraValues,
})
runSerializerSuite({
  name: 'msgpack, maxDepth 200',
  factory: () => createMsgpackSerializer({ maxDepth: 200 }),
  nestingBomb,
  hostileInputs,
  extraValues,
})
