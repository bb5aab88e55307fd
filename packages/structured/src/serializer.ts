import { types } from 'node:util'
import { decodeFailure, encodeFailure, invalidArgument, type Serializer, SPEC_VERSION } from '@cairn/core'
import { StructuredDecoder } from './decoder.js'
import { StructuredEncoder } from './encoder.js'
import { ClassRegistry } from './registry.js'

/** Deepest nesting of objects encoded or decoded by default (the outermost object is level 1). */
export const STRUCTURED_MAX_DEPTH = 2000

export interface StructuredSerializerOptions {
  /** The classes whose instances may be written and rebuilt (default: none). */
  classes?: ClassRegistry
  /** Deepest nesting of objects accepted by `encode` and `decode` (default `STRUCTURED_MAX_DEPTH`). */
  maxDepth?: number
}

/**
 * The encoder not in use right now. Encoders are reused (a new one per call allocates its scratch
 * buffer, maps and DataView each time); one that is busy, because a `reduce` or getter encodes while a
 * value is being encoded, is never shared: the nested call gets its own.
 */
let idleEncoder: StructuredEncoder | undefined

/**
 * The "pickle-like" serializer: whole JavaScript object graphs in a compact binary format of its own,
 * safe to decode from untrusted bytes.
 *
 * Round-trips exactly: every primitive but symbols (undefined, -0, NaN, ±Infinity, BigInt of any
 * size, any string including lone surrogates); plain and null-prototype objects; arrays with their
 * holes; `Map`, `Set`, `Date` (invalid ones too), `RegExp` (source, flags, lastIndex); `ArrayBuffer`,
 * every typed array and `DataView` (views onto one buffer stay views onto one buffer, at their
 * offsets); Node.js `Buffer`s; `Error` and its standard subclasses (name, message, stack, cause,
 * errors, own properties); boxed primitives; shared references and cycles (identity kept); and
 * instances of classes registered in `classes`.
 *
 * Refuses with `CAIRN_UNSERIALIZABLE` and the path: functions, symbols, symbol keys, non-enumerable
 * properties, instances of unregistered classes (subclasses included), Promise, WeakMap, WeakSet,
 * WeakRef, Proxy, SharedArrayBuffer, resizable ArrayBuffers, properties on Map/Set/Date/RegExp/boxed
 * primitives, nesting deeper than `maxDepth`.
 *
 * `decode` takes untrusted bytes: a malformed encoding is `CAIRN_CORRUPT`; a well-formed one naming
 * a class that is not registered, or nested deeper than `maxDepth`, is `CAIRN_UNSERIALIZABLE`.
 */
export function createStructuredSerializer(options: StructuredSerializerOptions = {}): Serializer {
  const { classes } = options
  if (classes !== undefined && !(classes instanceof ClassRegistry)) {
    throw invalidArgument('classes must be a ClassRegistry')
  }
  const maxDepth = options.maxDepth ?? STRUCTURED_MAX_DEPTH
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 100_000) {
    throw invalidArgument('maxDepth must be an integer from 1 to 100000', { maxDepth })
  }
  return {
    specVersion: SPEC_VERSION,
    id: 'structured',
    version: '1',
    capabilities: {
      types: [
        'json',
        'undefined',
        'bigint',
        'nan-infinity',
        'negative-zero',
        'date',
        'bytes',
        'typed-arrays',
        'map',
        'set',
        'regexp',
        'error',
        'cycles',
        'shared-references',
        'sparse-arrays',
        'class-instances',
      ],
      safeForUntrustedInput: true,
    },
    encode(value: unknown): Uint8Array {
      const encoder = idleEncoder ?? new StructuredEncoder()
      idleEncoder = undefined
      try {
        return encoder.encode(value, classes, maxDepth)
      } catch (error) {
        throw encodeFailure(error)
      } finally {
        idleEncoder = encoder
      }
    },
    decode(bytes: Uint8Array): unknown {
      if (!types.isUint8Array(bytes)) {
        throw invalidArgument('structuredSerializer.decode needs a Uint8Array', {
          type: bytes === null ? 'null' : typeof bytes,
        })
      }
      try {
        return new StructuredDecoder(bytes, classes, maxDepth).decode()
      } catch (error) {
        throw decodeFailure(error, 'a valid structured encoding')
      }
    },
  }
}

/** The structured serializer with no registered classes (id `structured`, version `1`). */
export const structuredSerializer: Serializer = createStructuredSerializer()
