import { CONTENT_REF } from '../canonical/index.js'
import { CairnError, ErrorCode } from '../errors.js'
import type { Hash } from '../hash.js'

/** Reads the value a ResultRef stands for (the client supplies it; it may self-heal). */
export type ResultLoader<T> = () => Promise<T>

/** Streams the bytes of a ResultRef's output blob, verified (the client supplies it). */
export type ResultStreamer = (options: StreamOptions) => AsyncIterable<Uint8Array>

export interface StreamOptions {
  signal?: AbortSignal
}

/**
 * The handle `submit` and tasks return. Pass it as an argument to another task to chain steps:
 * it is hashed as the content hash of its output, so the next step is keyed by content, not by call.
 */
export class ResultRef<T = unknown> {
  /** Content hash of the output (the blob's hash, or the canonical hash of an inline value). */
  readonly hash: Hash
  /** Size of the stored output in bytes (0 for `undefined`). */
  readonly size: number
  /** Hash of the commit that produced the output. */
  readonly commit: Hash
  /** True when the result came from the cache without running the function. */
  readonly cached: boolean
  readonly #load: ResultLoader<T>
  readonly #stream: ResultStreamer | undefined

  constructor(
    fields: { hash: Hash; size: number; commit: Hash; cached: boolean },
    load: ResultLoader<T>,
    stream?: ResultStreamer,
  ) {
    this.hash = fields.hash
    this.size = fields.size
    this.commit = fields.commit
    this.cached = fields.cached
    this.#load = load
    this.#stream = stream
  }

  /** The output value, read from the store and verified (a fresh copy on every call). */
  load(): Promise<T> {
    return this.#load()
  }

  /**
   * The stored bytes of the output, chunk by chunk, without loading it whole (for a streamed or
   * `Uint8Array` result: its bytes). Verified while streaming: damaged bytes end the stream with
   * `CAIRN_CORRUPT` before it completes. An output that is not one blob (inline, `undefined`, a
   * bundle): `CAIRN_UNSUPPORTED`, use `load()`.
   */
  stream(options: StreamOptions = {}): AsyncIterable<Uint8Array> {
    if (!this.#stream) throw new CairnError(ErrorCode.Unsupported, `${this} cannot be streamed`)
    return this.#stream(options)
  }

  toString(): string {
    return `ResultRef(${this.hash.slice(0, 12)}, commit ${this.commit.slice(0, 12)}${this.cached ? ', cached' : ''})`
  }

  toJSON(): { hash: Hash; size: number; commit: Hash; cached: boolean } {
    return { hash: this.hash, size: this.size, commit: this.commit, cached: this.cached }
  }
}

const REF_BRAND = Symbol.for('cairn.resultRef')
Object.defineProperty(ResultRef.prototype, REF_BRAND, { value: true })
// Canonical hashing encodes a ResultRef argument as the content hash of its output.
Object.defineProperty(ResultRef.prototype, CONTENT_REF, {
  get(this: ResultRef): Hash {
    return this.hash
  },
})

/** True for a ResultRef from any copy of `@cairn/core`. */
export function isResultRef(value: unknown): value is ResultRef {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REF_BRAND] === true
}
