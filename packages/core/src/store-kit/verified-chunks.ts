/**
 * Verified chunk streams, the one copy every store uses: a put's input hashed while it is consumed,
 * and a read that hashes the whole blob while delivering a range and fails before its end.
 */
import { corrupt, invalidArgument, throwIfAborted } from '../errors.js'
import { createHasher, type Hash, sha256Hex } from '../hash.js'
import type { BlobRef } from '../protocols/store.js'
import { checkExpectedHash, ownChunk } from '../store-support.js'

/**
 * A put's input stream, read once: every chunk is checked to be a Uint8Array, copied (producers may
 * reuse one buffer), hashed and counted, and the signal is checked between chunks. After the stream
 * is consumed, `finish` gives the blob's ref (CAIRN_CORRUPT if it is not `expectedHash`).
 */
export class HashingChunkStream implements AsyncIterable<Uint8Array> {
  readonly #source: AsyncIterable<Uint8Array>
  readonly #signal: AbortSignal | undefined
  readonly #hasher = createHasher()
  #size = 0

  constructor(source: AsyncIterable<Uint8Array>, signal?: AbortSignal) {
    this.#source = source
    this.#signal = signal
  }

  /** Bytes read so far. */
  get size(): number {
    return this.#size
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    let index = 0
    for await (const chunk of this.#source) {
      throwIfAborted(this.#signal)
      const piece = ownChunk(chunk, index++)
      this.#hasher.update(piece)
      this.#size += piece.byteLength
      yield piece
    }
    throwIfAborted(this.#signal)
  }

  /** The ref of everything read (call once, after the stream ended). */
  finish(expectedHash: Hash | undefined): BlobRef {
    const hash = this.#hasher.digest()
    checkExpectedHash(hash, expectedHash)
    return { hash, size: this.#size }
  }
}

/** A whole blob read back: its bytes if they hash to `hash`, CAIRN_CORRUPT otherwise. */
export function verifiedBytes(hash: Hash, bytes: Uint8Array): Uint8Array {
  const actual = sha256Hex(bytes)
  if (actual !== hash) throw corrupt(`blob ${hash} does not match its hash (${actual})`, { hash, actual })
  return bytes
}

/**
 * Streams `[start, end)` of a blob from `chunks` (the whole blob, in order), hashing every byte. The
 * last piece is held back until the hash and the size check out, so a reader that reaches the end
 * never takes corrupt bytes for good ones. A range outside the blob is CAIRN_INVALID_ARGUMENT.
 * `beforeChunk` runs before each chunk (stores check abort and close there).
 */
export async function* verifiedRange(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  blob: { hash: Hash; size: number },
  range: { start?: number; end?: number },
  beforeChunk: () => void = () => {},
): AsyncGenerator<Uint8Array> {
  const start = range.start ?? 0
  const end = range.end ?? blob.size
  if (start > end || end > blob.size) {
    throw invalidArgument(`range [${start}, ${end}) is outside blob ${blob.hash} of ${blob.size} bytes`, {
      hash: blob.hash,
      start,
      end,
      size: blob.size,
    })
  }
  const hasher = createHasher()
  let offset = 0
  let held: Uint8Array | undefined
  for await (const chunk of chunks) {
    beforeChunk()
    hasher.update(chunk)
    const chunkStart = offset
    offset += chunk.byteLength
    if (offset > blob.size) break
    const from = Math.max(start, chunkStart)
    const to = Math.min(end, offset)
    if (from < to) {
      if (held) yield held
      // A copy, as a plain Uint8Array (Buffer#slice would be a view).
      held = new Uint8Array(chunk.subarray(from - chunkStart, to - chunkStart))
    }
  }
  const actual = hasher.digest()
  if (actual !== blob.hash || offset !== blob.size) {
    throw corrupt(`blob ${blob.hash} does not match its hash (${actual})`, { hash: blob.hash, actual })
  }
  if (held) yield held
}
