import { types } from 'node:util'
import { decodeFailure, encodeFailure, invalidArgument, type Serializer, SPEC_VERSION } from '@cairn/core'
import { type DecodeHooks, MsgpackDecoder } from './decode.js'
import { type EncodeHooks, MsgpackEncoder } from './encode.js'

/** Deepest nesting of arrays and maps encoded or decoded by default (the outermost container is level 1). */
export const MSGPACK_MAX_DEPTH = 1000

export interface MsgpackSerializerOptions {
  /** Deepest nesting of arrays and maps accepted by `encode` and `decode` (default `MSGPACK_MAX_DEPTH`). */
  maxDepth?: number
}

export function checkMaxDepth(maxDepth: unknown): number {
  if (maxDepth === undefined) return MSGPACK_MAX_DEPTH
  if (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 100_000) {
    throw invalidArgument('maxDepth must be an integer from 1 to 100000', { maxDepth })
  }
  return maxDepth
}

/**
 * The encoder not in use right now. Encoders are reused (a new one per call allocates its scratch
 * buffer and DataView each time); one that is busy, because a getter encodes while a value is being
 * encoded, is never shared: the nested call gets its own.
 */
let idleEncoder: MsgpackEncoder | undefined

/** Runs the encoder, turning every failure into a coded error. */
export function runEncode(value: unknown, maxDepth: number, hooks?: EncodeHooks): Uint8Array {
  const encoder = idleEncoder ?? new MsgpackEncoder()
  idleEncoder = undefined
  try {
    return encoder.encode(value, maxDepth, hooks)
  } catch (error) {
    throw encodeFailure(error)
  } finally {
    idleEncoder = encoder
  }
}

/** The decoder not in use right now (reused like the encoder). */
let idleDecoder: MsgpackDecoder | undefined

/** Runs the decoder on untrusted bytes: the result is a value or a coded error, nothing else. */
export function runDecode(bytes: Uint8Array, maxDepth: number, what: string, hooks?: DecodeHooks): unknown {
  if (!types.isUint8Array(bytes)) {
    throw invalidArgument(`${what} needs a Uint8Array`, { type: bytes === null ? 'null' : typeof bytes })
  }
  const decoder = idleDecoder ?? new MsgpackDecoder()
  idleDecoder = undefined
  try {
    return decoder.decode(bytes, maxDepth, hooks)
  } catch (error) {
    throw decodeFailure(error, 'valid msgpack')
  } finally {
    idleDecoder = decoder
  }
}

/**
 * Plain msgpack, readable by any msgpack library (Python's `msgpack`, Go, Rust ...): no
 * msgpackr records, no extensions but the standard timestamp (-1).
 *
 * Round-trips exactly: null, booleans, numbers (integers in the int32/uint32 range as msgpack
 * integers, every other number, -0, NaN and ±Infinity as float64), strings (well-formed Unicode),
 * plain objects (string keys), arrays, `Uint8Array` (bin), `Map`s with at least one non-string key
 * (msgpack map), valid `Date`s to the millisecond (timestamp), and BigInts from -2^63 to 2^64-1
 * (int64 / uint64; a BigInt always comes back a BigInt, a number always a number).
 *
 * Refuses with `CAIRN_UNSERIALIZABLE` and the path: undefined, holes, functions, symbols, cycles,
 * `Set`, typed arrays other than `Uint8Array`, Node `Buffer`s, `Map`s whose keys are all strings,
 * invalid dates, BigInts out of range, class instances, null-prototype objects, symbol keys,
 * non-enumerable properties, strings with lone surrogates, nesting deeper than `maxDepth`.
 *
 * `decode` takes untrusted bytes: lengths are checked against the bytes left before allocating,
 * nesting is bounded, `__proto__` stays a plain key. Malformed input has one code, `CAIRN_CORRUPT`:
 * duplicate keys, invalid UTF-8, truncation, trailing bytes, and msgpack this serializer never writes
 * (other extension types, sub-millisecond timestamps). Nesting deeper than `maxDepth` is
 * `CAIRN_UNSERIALIZABLE`.
 */
export function createMsgpackSerializer(options: MsgpackSerializerOptions = {}): Serializer {
  const maxDepth = checkMaxDepth(options.maxDepth)
  return {
    specVersion: SPEC_VERSION,
    id: 'msgpack',
    version: '1',
    capabilities: {
      types: ['json', 'nan-infinity', 'negative-zero', 'bytes', 'map'],
      safeForUntrustedInput: true,
    },
    encode: (value: unknown): Uint8Array => runEncode(value, maxDepth),
    decode: (bytes: Uint8Array): unknown => runDecode(bytes, maxDepth, 'msgpackSerializer.decode'),
  }
}

/** The plain msgpack serializer (id `msgpack`, version `1`); see `createMsgpackSerializer`. */
export const msgpackSerializer: Serializer = createMsgpackSerializer()
