import { hex, toHex } from '@cairn/conformance'
import { describe, expect, it } from 'vitest'
import { msgpackSerializer } from '../src/index.js'

const { encode, decode } = msgpackSerializer

/**
 * Bytes written out by hand from the msgpack spec (github.com/msgpack/msgpack/blob/master/spec.md):
 * what any msgpack library writes for these values, so other languages read ours and we read theirs.
 */
const FIXTURES: [label: string, value: unknown, bytes: string][] = [
  ['{a: 1}', { a: 1 }, '81 a1 61 01'],
  ['Uint8Array [1, 2]', new Uint8Array([1, 2]), 'c4 02 01 02'],
  ['empty Uint8Array', new Uint8Array(0), 'c4 00'],
  ['null, true, false', [null, true, false], '93 c0 c3 c2'],
  ['positive fixint 0 and 127', [0, 127], '92 00 7f'],
  ['uint8 128 and 255', [128, 255], '92 cc 80 cc ff'],
  ['uint16 256 and 65535', [256, 65535], '92 cd 01 00 cd ff ff'],
  ['uint32 65536 and 2^32-1', [65536, 4294967295], '92 ce 00 01 00 00 ce ff ff ff ff'],
  ['negative fixint -1 and -32', [-1, -32], '92 ff e0'],
  ['int8 -33 and -128', [-33, -128], '92 d0 df d0 80'],
  ['int16 -129 and -32768', [-129, -32768], '92 d1 ff 7f d1 80 00'],
  ['int32 -32769 and -2^31', [-32769, -2147483648], '92 d2 ff ff 7f ff d2 80 00 00 00'],
  ['float64 1.5', 1.5, 'cb 3f f8 00 00 00 00 00 00'],
  ['float64 -0', -0, 'cb 80 00 00 00 00 00 00 00'],
  ['float64 2^32 (an integer beyond uint32)', 2 ** 32, 'cb 41 f0 00 00 00 00 00 00'],
  ['float64 -2^31-1', -(2 ** 31) - 1, 'cb c1 e0 00 00 00 20 00 00'],
  ['float64 NaN', Number.NaN, 'cb 7f f8 00 00 00 00 00 00'],
  ['float64 Infinity', Number.POSITIVE_INFINITY, 'cb 7f f0 00 00 00 00 00 00'],
  ['uint64 BigInt 1n', 1n, 'cf 00 00 00 00 00 00 00 01'],
  ['uint64 BigInt 2^64-1', 2n ** 64n - 1n, 'cf ff ff ff ff ff ff ff ff'],
  ['int64 BigInt -1n', -1n, 'd3 ff ff ff ff ff ff ff ff'],
  ['int64 BigInt -2^63', -(2n ** 63n), 'd3 80 00 00 00 00 00 00 00'],
  ['fixstr ""', '', 'a0'],
  ['fixstr "é" (UTF-8)', 'é', 'a2 c3 a9'],
  ['fixstr "🚀" (4-byte UTF-8)', '🚀', 'a4 f0 9f 9a 80'],
  ['str8 of 32 bytes', 'x'.repeat(32), `d9 20 ${'78 '.repeat(32)}`],
  ['fixstr of 31 bytes', 'x'.repeat(31), `bf ${'78 '.repeat(31)}`],
  ['str16 of 256 bytes', 'y'.repeat(256), `da 01 00 ${'79 '.repeat(256)}`],
  ['nested array', [1, [true, null]], '92 01 92 c3 c0'],
  ['fixarray of 15', new Array(15).fill(0), `9f ${'00 '.repeat(15)}`],
  ['array16 of 16', new Array(16).fill(1), `dc 00 10 ${'01 '.repeat(16)}`],
  [
    'map16 of 16 keys',
    Object.fromEntries(Array.from({ length: 16 }, (_, i) => [String.fromCharCode(97 + i), i])),
    `de 00 10 ${Array.from({ length: 16 }, (_, i) => `a1 ${(97 + i).toString(16)} ${i.toString(16).padStart(2, '0')}`).join(' ')}`,
  ],
  ['Map with a non-string key', new Map<unknown, unknown>([[1, 'a']]), '81 01 a1 61'],
  ['bin16 of 256 bytes', new Uint8Array(256), `c5 01 00 ${'00 '.repeat(256)}`],
  ['timestamp32: 2023-11-14T22:13:20Z', new Date(1_700_000_000_000), 'd6 ff 65 53 f1 00'],
  ['timestamp32: the epoch', new Date(0), 'd6 ff 00 00 00 00'],
  // 500 ms = 500_000_000 ns, shifted left 2 bits: 0x77359400; seconds 1 in the low 34 bits.
  ['timestamp64: 1.5 s', new Date(1500), 'd7 ff 77 35 94 00 00 00 00 01'],
  // -1 ms = -1 s + 999_000_000 ns (0x3b8b87c0).
  ['timestamp96: -1 ms', new Date(-1), 'c7 0c ff 3b 8b 87 c0 ff ff ff ff ff ff ff ff'],
]

describe('msgpack bytes match the spec, both ways', () => {
  for (const [label, value, bytes] of FIXTURES) {
    it(label, () => {
      expect(toHex(encode(value))).toBe(toHex(hex(bytes)))
      const decoded = decode(hex(bytes))
      if (value instanceof Date) expect((decoded as Date).getTime()).toBe(value.getTime())
      else expect(decoded).toStrictEqual(value)
      if (typeof value === 'number') expect(Object.is(decoded, value)).toBe(true)
    })
  }
})

describe('reads what other msgpack writers choose', () => {
  it.each([
    ['float32 1.5', 'ca 3f c0 00 00', 1.5],
    ['a small integer in a wide format', 'ce 00 00 00 05', 5],
    ['uint64 as BigInt', 'cf 00 00 00 01 00 00 00 00', 2n ** 32n],
    ['int64 as BigInt', 'd3 ff ff ff ff ff ff ff fe', -2n],
    ['map16 with one key', 'de 00 01 a1 61 01', { a: 1 }],
    ['array32', 'dd 00 00 00 02 01 02', [1, 2]],
    ['str8 with a short string', 'd9 01 61', 'a'],
    ['bin32', 'c6 00 00 00 01 07', new Uint8Array([7])],
    ['timestamp64 with whole seconds', 'd7 ff 00 00 00 00 00 00 00 02', new Date(2000)],
    ['timestamp96 far in the future', 'c7 0c ff 00 00 00 00 00 00 00 e8 d4 a5 10 00', new Date(1e15)],
  ])('%s', (_label, bytes, expected) => {
    const decoded = decode(hex(bytes))
    if (expected instanceof Date) expect((decoded as Date).getTime()).toBe(expected.getTime())
    else expect(decoded).toStrictEqual(expected)
  })

  it('a map with integer keys (as Python writes {1: "a"}) comes back a Map', () => {
    expect(decode(hex('82 01 a1 61 02 a1 62'))).toStrictEqual(
      new Map([
        [1, 'a'],
        [2, 'b'],
      ]),
    )
  })

  it('a map whose keys start as strings and turn non-string keeps wire order in the Map', () => {
    // {"b": 1, "1": 2, 3: 3}: an object would put "1" before "b".
    const decoded = decode(hex('83 a1 62 01 a1 31 02 03 03')) as Map<unknown, unknown>
    expect([...decoded.keys()]).toStrictEqual(['b', '1', 3])
    expect(msgpackSerializer.encode(decoded)).toStrictEqual(hex('83 a1 62 01 a1 31 02 03 03'))
  })

  it('a map with bin keys becomes a Map with Uint8Array keys', () => {
    const decoded = decode(hex('81 c4 01 09 c3')) as Map<unknown, unknown>
    expect([...decoded]).toStrictEqual([[new Uint8Array([9]), true]])
  })
})
