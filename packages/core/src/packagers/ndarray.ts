import { CairnError, ErrorCode } from '../errors.js'
import type { Packager } from '../protocols/packager.js'

type TypedArray =
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array

type TypedArrayClass = { new (length: number): TypedArray; BYTES_PER_ELEMENT: number; name: string }

/** numpy dtype names for each typed array (`uint8c` keeps Uint8ClampedArray apart from bytes). */
const DTYPES: [string, TypedArrayClass][] = [
  ['int8', Int8Array],
  ['uint8c', Uint8ClampedArray],
  ['int16', Int16Array],
  ['uint16', Uint16Array],
  ['int32', Int32Array],
  ['uint32', Uint32Array],
  ['float32', Float32Array],
  ['float64', Float64Array],
  ['int64', BigInt64Array],
  ['uint64', BigUint64Array],
]
// Float16Array exists from Node 24 (V8 13.6); where it does, it is `float16`.
const Float16 = (globalThis as { Float16Array?: TypedArrayClass }).Float16Array
if (Float16 !== undefined) DTYPES.push(['float16', Float16])
const BY_CLASS = new Map<unknown, string>(DTYPES.map(([dtype, cls]) => [cls, dtype]))
const BY_DTYPE = new Map<string, TypedArrayClass>(DTYPES)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Typed arrays (other than `Uint8Array`, which is bytes) as raw little-endian numbers, with the
 * numpy `dtype` and the `shape` in the instructions, so Python reads them with `numpy.frombuffer`.
 */
export const ndarrayPackager: Packager<TypedArray> = {
  id: 'ndarray',
  version: '1',
  priority: 50,
  types: DTYPES.map(([, cls]) => cls),
  artifactTypes: { pack: ['ndarray'], unpack: ['ndarray'] },
  pack: (value) => {
    const dtype = BY_CLASS.get(value.constructor) as string
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
    if (!LITTLE_ENDIAN) swapBytes(bytes, value.BYTES_PER_ELEMENT)
    return {
      artifactType: 'ndarray',
      bytes,
      instructions: { dtype, shape: [value.length], byteOrder: 'little' },
    }
  },
  unpack: (bytes, instructions) => {
    const cls = BY_DTYPE.get(String(instructions.dtype))
    const shape = instructions.shape
    if (!cls || !Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
      throw new CairnError(
        ErrorCode.Corrupt,
        `ndarray instructions are malformed (dtype ${String(instructions.dtype)})`,
      )
    }
    const length = (shape as number[]).reduce((a, b) => a * b, 1)
    if (length * cls.BYTES_PER_ELEMENT !== bytes.byteLength) {
      throw new CairnError(
        ErrorCode.Corrupt,
        `ndarray of ${length} ${instructions.dtype} needs ${length * cls.BYTES_PER_ELEMENT} bytes, got ${bytes.byteLength}`,
      )
    }
    const out = new cls(length)
    const view = new Uint8Array(out.buffer)
    view.set(bytes)
    if (!LITTLE_ENDIAN) swapBytes(view, cls.BYTES_PER_ELEMENT)
    return out
  },
}

function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse()
}
