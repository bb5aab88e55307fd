import { expectCodeSync, hex, toHex } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { decodeSample, encodeSample, msgpackSerializer, type NdArrayData, ndarray } from '../src/index.js'

describe('sample codec', () => {
  it('round-trips ndarray fields of every dtype, with their shapes', () => {
    const arrays: [NdArrayData, number[]][] = [
      [new Int8Array([-128, 0, 127]), [3]],
      [new Uint8Array([0, 255]), [2, 1]],
      [new Int16Array([-32768, 1, 2, 32767]), [2, 2]],
      [new Uint16Array([65535]), []],
      [new Int32Array([-(2 ** 31), 2 ** 31 - 1]), [1, 2]],
      [new Uint32Array([2 ** 32 - 1, 0, 1]), [3, 1, 1]],
      [new BigInt64Array([-(2n ** 63n), 5n]), [2]],
      [new BigUint64Array([2n ** 64n - 1n]), [1]],
      [
        new Float32Array([1.5, Number.NaN, -0, Number.POSITIVE_INFINITY, 0.1, 2, 3, 4, 5, 6, 7, 8]),
        [2, 3, 2],
      ],
      [new Float64Array([Math.PI, -0]), [2]],
      [new Float32Array(0), [0, 4]],
    ]
    for (const [data, shape] of arrays) {
      const fields = { x: ndarray(data, shape), label: 'cat', index: 3 }
      const back = decodeSample(encodeSample(fields))
      expect(back).toStrictEqual(fields)
      const x = back.x as { data: NdArrayData }
      expect(Object.getPrototypeOf(x.data)).toBe(Object.getPrototypeOf(data))
    }
  })

  it('writes ndarrays as the documented plain msgpack map, little-endian', () => {
    const bytes = encodeSample({ x: ndarray(new Uint16Array([1, 0x0203]), [1, 2]) })
    // {"x": {"dtype": "uint16", "shape": [1, 2], "data": bin 01 00 03 02}}
    const expected = hex(
      '81 a1 78 83 a5 64 74 79 70 65 a6 75 69 6e 74 31 36 a5 73 68 61 70 65 92 01 02 a4 64 61 74 61 c4 04 01 00 03 02',
    )
    expect(toHex(bytes)).toBe(toHex(expected))
    expect(msgpackSerializer.decode(bytes)).toStrictEqual({
      x: { dtype: 'uint16', shape: [1, 2], data: new Uint8Array([1, 0, 3, 2]) },
    })
  })

  it('ndarray() defaults the shape to the length and checks a given one', () => {
    expect(ndarray(new Float32Array(4))).toStrictEqual({
      dtype: 'float32',
      shape: [4],
      data: new Float32Array(4),
    })
    expectCodeSync(() => ndarray(new Float32Array(4), [3]), ErrorCode.InvalidArgument)
    expectCodeSync(() => ndarray(new Float32Array(4), [2, -2]), ErrorCode.InvalidArgument)
    expectCodeSync(() => ndarray(new Uint8ClampedArray(4) as never), ErrorCode.InvalidArgument)
    expectCodeSync(() => ndarray([1, 2] as never), ErrorCode.InvalidArgument)
  })

  it('encodes only the bytes of a view, and decodes into an aligned array of its own', () => {
    const whole = new Float64Array([1, 2, 3, 4])
    const view = whole.subarray(1, 3)
    const back = decodeSample(encodeSample({ v: ndarray(view) })).v as { data: Float64Array }
    expect([...back.data]).toStrictEqual([2, 3])
    expect(back.data.byteOffset).toBe(0)
    expect(back.data.buffer.byteLength).toBe(16)
  })

  it('decodes from input at an odd offset (no unaligned views)', () => {
    const bytes = encodeSample({ v: ndarray(new Float32Array([1, 2])) })
    const padded = new Uint8Array(bytes.byteLength + 1)
    padded.set(bytes, 1)
    const back = decodeSample(padded.subarray(1)).v as { data: Float32Array }
    expect([...back.data]).toStrictEqual([1, 2])
  })

  it('bytes, nested lists and maps of ndarrays round-trip too', () => {
    const fields = {
      raw: new Uint8Array([1, 2, 3]),
      frames: [ndarray(new Uint8Array([1, 2]), [2]), ndarray(new Int32Array([3]), [1, 1])],
      meta: { mask: ndarray(new Uint8Array(4), [2, 2]), when: new Date(1000) },
    }
    expect(decodeSample(encodeSample(fields))).toStrictEqual(fields)
  })

  it('refuses typed arrays outside an ndarray, and objects that look like a broken ndarray', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ x: new Float32Array(2) }, '$.x', /ndarray\(data, shape\)/],
      [
        { x: { dtype: 'float32', shape: [2], data: new Int32Array(2) } },
        '$.x',
        /dtype "float32" but data is int32/,
      ],
      [
        { x: { dtype: 'float32', shape: [3], data: new Float32Array(2) } },
        '$.x',
        /holds 3 elements, data has 2/,
      ],
      [{ x: { dtype: 'float32', shape: [2], data: [1, 2] } }, '$.x', /not a typed array/],
      [
        { x: { dtype: 'float32', shape: 'wide', data: new Float32Array(2) } },
        '$.x',
        /shape must be an array/,
      ],
      [{ x: [{ dtype: 'uint8', shape: [1.5], data: new Uint8Array(1) }] }, '$.x[0]', /non-negative integer/],
    ]
    for (const [fields, path, reason] of cases) {
      const error = expectCodeSync(
        () => encodeSample(fields as Record<string, unknown>),
        ErrorCode.Unserializable,
      )
      expect(error.message.startsWith(`${path}: `), error.message).toBe(true)
      expect(error.message).toMatch(reason)
    }
    expectCodeSync(() => encodeSample([] as never), ErrorCode.InvalidArgument)
    expectCodeSync(() => encodeSample(new Map() as never), ErrorCode.InvalidArgument)
  })

  it('a map with keys dtype, shape, data that is not a valid ndarray is CAIRN_CORRUPT', () => {
    const broken = [
      { dtype: 'float128', shape: [1], data: new Uint8Array(16) },
      { dtype: 'float32', shape: [2], data: new Uint8Array(4) },
      { dtype: 'float32', shape: [1], data: new Uint8Array(5) },
      { dtype: 'float32', shape: [1], data: 'abcd' },
      { dtype: 'float32', shape: [-1], data: new Uint8Array(4) },
      { dtype: 'float32', shape: [2 ** 60, 2 ** 60, 0], data: new Uint8Array(4) },
      { dtype: 'toString', shape: [1], data: new Uint8Array(4) },
    ]
    for (const x of broken) {
      expectCodeSync(() => decodeSample(msgpackSerializer.encode({ x })), ErrorCode.Corrupt)
    }
  })

  it('a sample must be a string-keyed map', () => {
    for (const value of [[1], 'x', 3, new Map<unknown, unknown>([[1, 2]])]) {
      expectCodeSync(() => decodeSample(msgpackSerializer.encode(value)), ErrorCode.Corrupt)
    }
  })
})
