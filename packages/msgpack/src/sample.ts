import { CairnError, ErrorCode, invalidArgument, Refusal } from '@cairn/core'
import { checkMaxDepth, runDecode, runEncode } from './serializer.js'

/** Element types of an ndarray field, by their numpy names. */
export type DType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'

export type NdArrayData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array

/**
 * An n-dimensional array field: `data` holds the elements in row-major (C) order, `shape` the size
 * of each dimension (`[]` for a scalar). On the wire it is the msgpack map
 * `{ dtype, shape, data }` with `data` as bin, little-endian: in Python,
 * `numpy.frombuffer(m["data"], dtype=numpy.dtype(m["dtype"]).newbyteorder("<")).reshape(m["shape"])`.
 */
export interface NdArray {
  dtype: DType
  shape: number[]
  data: NdArrayData
}

type TypedArrayClass = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): NdArrayData }

const DTYPE_CLASSES: Record<DType, TypedArrayClass> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
}

const DTYPE_BY_PROTOTYPE = new Map<object, DType>(
  Object.entries(DTYPE_CLASSES).map(([dtype, cls]) => [cls.prototype, dtype as DType]),
)

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export interface SampleCodecOptions {
  /** Deepest nesting of arrays and maps (default `MSGPACK_MAX_DEPTH`). */
  maxDepth?: number
}

/** `ndarray(new Float32Array(6), [2, 3])`: an ndarray field; the shape defaults to `[data.length]`. */
export function ndarray(data: NdArrayData, shape?: readonly number[]): NdArray {
  const dtype = dtypeOf(data)
  if (dtype === undefined) throw invalidArgument('ndarray data must be a typed array of a supported dtype')
  const dims = shape === undefined ? [data.length] : [...shape]
  const problem = shapeProblem(dims, data.length)
  if (problem) throw invalidArgument(`ndarray shape ${JSON.stringify(dims)}: ${problem}`)
  return { dtype, shape: dims, data }
}

function dtypeOf(data: unknown): DType | undefined {
  if (!ArrayBuffer.isView(data)) return undefined
  return DTYPE_BY_PROTOTYPE.get(Object.getPrototypeOf(data) as object)
}

function shapeProblem(shape: unknown, length: number): string | undefined {
  if (!Array.isArray(shape)) return 'shape must be an array of sizes'
  let product = 1
  for (const size of shape) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return 'every size must be a non-negative integer'
    }
    product *= size
  }
  return product === length ? undefined : `holds ${product} elements, data has ${length}`
}

/** The element bytes in little-endian order, without copying on a little-endian machine. */
function littleEndianBytes(data: NdArrayData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1 ? bytes : swapped(bytes, data.BYTES_PER_ELEMENT)
}

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength)
  for (let i = 0; i < bytes.byteLength; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j] as number
  }
  return out
}

function toWire(value: object): unknown {
  if (!Object.hasOwn(value, 'data')) return undefined
  const { dtype, shape, data } = value as NdArray
  const actual = dtypeOf(data)
  if (actual === undefined) {
    throw new Refusal(
      'an object with exactly the keys dtype, shape and data is an ndarray field, and its data is not a typed array',
    )
  }
  if (dtype !== actual) throw new Refusal(`ndarray dtype ${JSON.stringify(dtype)} but data is ${actual}`)
  const problem = shapeProblem(shape, data.length)
  if (problem) throw new Refusal(`ndarray shape: ${problem}`)
  return { dtype, shape: [...shape], data: littleEndianBytes(data) }
}

function fromWire(obj: Record<string, unknown>, offset: number): unknown {
  const { dtype, shape, data } = obj
  if (!Object.hasOwn(obj, 'dtype') || !Object.hasOwn(obj, 'shape') || !Object.hasOwn(obj, 'data')) {
    return undefined
  }
  const cls =
    typeof dtype === 'string' && Object.hasOwn(DTYPE_CLASSES, dtype)
      ? DTYPE_CLASSES[dtype as DType]
      : undefined
  const fail = (why: string) =>
    new CairnError(ErrorCode.Corrupt, `map with keys dtype, shape, data is not a valid ndarray: ${why}`, {
      details: { offset },
    })
  if (cls === undefined) throw fail(`unknown dtype ${JSON.stringify(dtype)}`)
  if (!(data instanceof Uint8Array)) throw fail('data is not bin')
  const width = (cls as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
  if (data.byteLength % width !== 0) throw fail(`${data.byteLength} bytes is not a whole number of ${dtype}`)
  const problem = shapeProblem(shape, data.byteLength / width)
  if (problem) throw fail(`shape ${problem}`)
  // A decoded bin is a fresh copy at offset 0, so it is aligned for any element type.
  const bytes = LITTLE_ENDIAN || width === 1 ? data : swapped(data, width)
  return {
    dtype,
    shape,
    data: new cls(bytes.buffer as ArrayBuffer, bytes.byteOffset, data.byteLength / width),
  }
}

const TYPED_ARRAY_HINT = '; wrap it as an ndarray field: ndarray(data, shape)'

/**
 * Encodes one dataset sample: a msgpack map of its fields. Field values are what
 * `msgpackSerializer` takes, plus ndarray fields (`NdArray`, made with `ndarray(data, shape)`)
 * written as `{ dtype, shape, data }` maps. A `Uint8Array` field is raw bytes (bin).
 */
export function encodeSample(fields: Record<string, unknown>, options: SampleCodecOptions = {}): Uint8Array {
  const maxDepth = checkMaxDepth(options.maxDepth)
  if (typeof fields !== 'object' || fields === null || Object.getPrototypeOf(fields) !== Object.prototype) {
    throw invalidArgument('encodeSample needs a plain object of fields')
  }
  return runEncode(fields, maxDepth, { replace: toWire, typedArrayHint: TYPED_ARRAY_HINT })
}

/** Decodes bytes written by `encodeSample` (or any msgpack map with string keys) back into its fields. */
export function decodeSample(bytes: Uint8Array, options: SampleCodecOptions = {}): Record<string, unknown> {
  const maxDepth = checkMaxDepth(options.maxDepth)
  const value = runDecode(bytes, maxDepth, 'decodeSample', { reviveTriple: fromWire })
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new CairnError(ErrorCode.Corrupt, 'a sample must be a msgpack map with string keys')
  }
  return value as Record<string, unknown>
}
