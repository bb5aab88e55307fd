import type { JsonValue } from './commit.js'
import type { Serializer } from './serializer.js'

/**
 * What an artifact is: `bytes` (raw), `ndarray` (raw numbers, dtype and shape in the instructions),
 * `text` (UTF-8), `object` (a serializer's encoding), or a type of a user packager's own.
 */
export type ArtifactType = 'bytes' | 'ndarray' | 'text' | 'object' | (string & {})

/**
 * How to unpack an artifact, recorded in the commit beside it. The common fields are filled in by
 * Cairn; a packager adds its own (`dtype`, `shape`, `encoding`, …) through `PackResult.instructions`.
 */
export interface PackInstructions {
  [key: string]: JsonValue | undefined
  artifactType: ArtifactType
  packager: { id: string; version: string }
  /** The serializer that encoded the bytes, when one did. */
  serializer?: { id: string; version: string }
  /** The runtime that packed it. */
  runtime: { name: string; version: string }
  /** The library that made the value, where the packager knows it. */
  library?: { name: string; version: string }
}

export interface PackContext {
  /** The client's configured serializer (the default packager's fallback). */
  serializer: Serializer
}

export interface UnpackContext {
  /** Every serializer the client can read with, by id. */
  serializers: ReadonlyMap<string, Serializer>
}

/**
 * What `pack` returns: the bytes to store as one blob, and the packager's own instructions.
 * Cairn refuses (`CAIRN_INVALID_ARGUMENT`, naming the packager) a result whose `bytes` is not a
 * `Uint8Array`, whose `artifactType` is not in the packager's `artifactTypes.pack`, or whose
 * instructions are not JSON.
 */
export interface PackResult {
  artifactType: ArtifactType
  bytes: Uint8Array
  /** Extra, JSON-only instructions this packager needs to unpack (merged into PackInstructions). */
  instructions?: Record<string, JsonValue>
  /** Set when a serializer encoded the bytes, so its id and version are recorded and checked. */
  serializer?: Serializer
}

/**
 * Packs values of some kind into an artifact and back.
 *
 * Selection: among the packagers whose `handles(value)` is true, the highest `priority` wins; at equal
 * priority, packagers registered by the user win over built-ins, then the earlier registration.
 * `types` (with `subclasses`) is the usual way to say what a packager handles; `handles` may refine
 * it. `unpack(pack(v))` must give back a value equal to `v`.
 */
export interface Packager<T = unknown> {
  /** Stable id recorded in the instructions (e.g. `bytes`, `ndarray`, `my-lib/model`). */
  readonly id: string
  /** Bumped when the artifact format changes; a mismatch on unpack warns (or throws in strict mode). */
  readonly version: string
  /** Higher wins. Built-ins: bytes 50, ndarray 50, text 40, object (the default) 0. Must be finite. */
  readonly priority: number
  /** Classes whose instances this packager handles. */
  readonly types?: readonly (abstract new (
    ...args: never[]
  ) => unknown)[]
  /** With `types`: also instances of subclasses (default false: the exact classes only). */
  readonly subclasses?: boolean
  /** Artifact types it packs to and unpacks from. */
  readonly artifactTypes: { readonly pack: readonly ArtifactType[]; readonly unpack: readonly ArtifactType[] }
  /** The library that makes the values (recorded, and checked on unpack). */
  readonly library?: { name: string; version: string }
  /** Whether this packager takes `value` (after the `types` check, if `types` is given). */
  handles?(value: unknown): boolean
  /** May be async (a compressor, a library with an async encoder). */
  pack(value: T, context: PackContext): PackResult | Promise<PackResult>
  /**
   * Called only for an artifact type listed in `artifactTypes.unpack`. Bytes that are not a valid
   * artifact must throw `CAIRN_CORRUPT`, never give back a wrong value.
   */
  unpack(bytes: Uint8Array, instructions: PackInstructions, context: UnpackContext): T | Promise<T>
}
