import type { Serializer } from '@cairn/core'
import type { Sample } from './serializer-values.js'

export interface SerializerSuiteOptions {
  name: string
  factory(): Serializer | Promise<Serializer>
  /** Values this serializer promises beyond its declared kinds (registered class instances, valid dates …): exact round trips. */
  extraValues?: Sample[]
  /**
   * Catalogue samples of a *declared* kind that this serializer refuses by design, by label, with the
   * reason (msgpack declares `map` but refuses a `Map` whose keys are all strings, which would come
   * back as an object). Each is then required to be refused with CAIRN_UNSERIALIZABLE.
   */
  refuses?: Record<string, string>
  /** Values this serializer promises to refuse with CAIRN_UNSERIALIZABLE (a BigInt beyond 64 bits …). */
  refusedValues?: Sample[]
  /**
   * The documented deepest nesting (containers around the innermost value; `[[1]]` is 2 deep): a value
   * that deep round-trips and one level more is refused on encode; with `nestingBomb`, bytes that deep
   * decode and one level more are refused.
   */
  maxDepth?: number
  /**
   * Bytes nesting containers `depth` deep in this format (a million-deep bomb is built at the byte
   * level, since no value that deep can be encoded). Deeper than `maxDepth` (and always at a million)
   * it must be refused with a coded error, in bounded time.
   */
  nestingBomb?(depth: number): Uint8Array
  /** Format-specific hostile bytes (oversized length headers, bad tags …): a value or a coded error. */
  hostileInputs?: [label: string, bytes: Uint8Array][]
  /** Bytes that must be refused with a coded error (an unregistered class name, trailing bytes …). */
  refusedInputs?: [label: string, bytes: Uint8Array][]
  /** Seeded random inputs (default 2000): half random buffers, half random tails after a valid start. */
  randomInputs?: number
  /** Seed of the random and bit-flip cases (default 1); a failure names its seed, so it can be repeated. */
  seed?: number
  /** Longest one hostile decode may take, in ms (default 2000). */
  maxDecodeMs?: number
}
