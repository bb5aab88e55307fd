import type { SpecVersion } from './common.js'

export interface SerializerCapabilities {
  /** Kinds of values the serializer round-trips exactly (informational; the suite tests the catalogue it names). */
  types: readonly SerializerValueKind[]
  /** Decoding bytes from an untrusted source is safe: bounded work, no prototype pollution, coded errors. */
  safeForUntrustedInput: boolean
}

export type SerializerValueKind =
  | 'json'
  | 'undefined'
  | 'bigint'
  | 'nan-infinity'
  | 'negative-zero'
  | 'date'
  | 'bytes'
  | 'typed-arrays'
  | 'map'
  | 'set'
  | 'regexp'
  | 'error'
  | 'cycles'
  | 'shared-references'
  | 'sparse-arrays'
  | 'class-instances'

/**
 * Turns values into bytes and back.
 *
 * - `decode(encode(v))` equals `v` for every kind the serializer lists in `capabilities.types`.
 * - A value it cannot represent *exactly* is refused by `encode` with `CAIRN_UNSERIALIZABLE`
 *   (naming the path inside the value); it is never silently changed (no `Map` turned into `{}`).
 * - `decode` of bytes that are not a valid encoding throws `CAIRN_CORRUPT` or
 *   `CAIRN_UNSERIALIZABLE`, never returns a wrong value, never hangs.
 * - Encoding is deterministic for the same value.
 */
export interface Serializer {
  readonly specVersion: SpecVersion
  /** Stable id recorded in commits, e.g. `json`, `msgpack`. */
  readonly id: string
  /** Format version, recorded beside the id. */
  readonly version: string
  readonly capabilities: SerializerCapabilities
  encode(value: unknown): Uint8Array
  decode(bytes: Uint8Array): unknown
}
