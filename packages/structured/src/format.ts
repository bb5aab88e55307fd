/**
 * The structured wire format (version 1). See README.md for the full description.
 *
 * An encoding is `MAGIC`, one version byte, then one value. A value starts with a tag byte.
 * Containers and other objects are numbered in the order they first appear (0, 1, 2 ...);
 * `REF id` points back at one, which is how shared references and cycles are kept.
 */

export const MAGIC: readonly number[] = [0x43, 0x52, 0x4e, 0x53] // "CRNS"
export const FORMAT_VERSION = 1
/** What every encoding starts with: `MAGIC`, then the version byte. */
export const HEADER: readonly number[] = [...MAGIC, FORMAT_VERSION]

export const Tag = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  /** varint n: a non-negative integer number (up to 2^53 - 1). */
  Int: 0x04,
  /** varint n: the integer number -n (n ≥ 1). */
  NegInt: 0x05,
  /** 8 bytes, IEEE 754 little-endian. */
  Float64: 0x06,
  /** string payload. */
  String: 0x07,
  /** varint byte count, magnitude little-endian, no high zero byte. */
  BigInt: 0x08,
  /** as BigInt, for -magnitude (magnitude ≥ 1). */
  NegBigInt: 0x09,
  /** varint id of an object already decoded. */
  Ref: 0x0a,
  /** varint count ≥ 1: that many array holes (only inside an array). */
  Holes: 0x0b,
  /** varint length, then `length` elements (Holes runs count for their size). Gets an id. */
  Array: 0x10,
  /** varint count, then count × (key, value). Gets an id. */
  Object: 0x11,
  /** as Object, with a null prototype. */
  NullProtoObject: 0x12,
  /** varint size, then size × (key value, value). Gets an id. */
  Map: 0x13,
  /** varint size, then size values. Gets an id. */
  Set: 0x14,
  /** 8 bytes: the time value as float64 (NaN for an invalid Date). Gets an id. */
  Date: 0x15,
  /** source (string payload), flags (string payload), varint lastIndex. Gets an id. */
  RegExp: 0x16,
  /** varint byte length, bytes. Gets an id. */
  ArrayBuffer: 0x17,
  /** view kind byte, buffer (value: ArrayBuffer or Ref to one), varint byteOffset, varint length. Gets an id. */
  View: 0x18,
  /** error kind byte, then the error body. Gets an id. */
  Error: 0x19,
  /** class name (key), mode byte, then the body for that mode. Gets an id. */
  Class: 0x1a,
  /** boxed kind byte, then the primitive. Gets an id. */
  Boxed: 0x1b,
  /** varint length, bytes: a Node.js Buffer. Gets an id. */
  NodeBuffer: 0x1c,
  /** 0x80 | n: the integer number n, 0 ≤ n ≤ 127. */
  SmallInt: 0x80,
} as const

/** Typed array and DataView kinds, in the View kind byte. */
export const VIEW_CLASSES: readonly (
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | DataViewConstructor
)[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
]
export const DATA_VIEW_KIND: number = VIEW_CLASSES.length - 1

/** Standard error classes, in the Error kind byte. */
export const ERROR_CLASSES: readonly ErrorConstructor[] = [
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  AggregateError as unknown as ErrorConstructor,
]
export const AGGREGATE_ERROR_KIND: number = ERROR_CLASSES.length - 1

/** Bits of the error body's field byte: which non-enumerable own properties follow, in this order. */
export const ErrorField = { Message: 1, Stack: 2, Cause: 4, Errors: 8 } as const
export const ERROR_FIELD_NAMES: readonly ['message', 'stack', 'cause', 'errors'] = [
  'message',
  'stack',
  'cause',
  'errors',
]

/** Class body modes. */
export const ClassMode = {
  /** varint count, then count × (key, value): own enumerable properties. */
  Props: 0,
  /** one value: what the registration's `reduce` returned. */
  Reduced: 1,
  /** an error body (as after the Error kind byte): a registered Error subclass. */
  Error: 2,
} as const

/** Boxed primitive kinds. */
export const BoxedKind = { Number: 0, String: 1, Boolean: 2, BigInt: 3 } as const
