import { types } from 'node:util'
import { invalidArgument } from '../errors.js'
import { createHasher, type Hash } from '../hash.js'
import { assertBlobInput } from '../store-support.js'

/** Whether `value` is a Uint8Array (a Buffer counts), from this realm or another. */
export function isUint8Array(value: unknown): value is Uint8Array {
  return types.isUint8Array(value)
}

/**
 * A private copy as a plain Uint8Array. (`Buffer#slice` returns a view that shares memory, so
 * `bytes.slice()` is not a copy when a caller hands in a Buffer.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

/**
 * Reads `putBlob` input into one private copy and hashes it. Every chunk is copied as it arrives,
 * since some producers reuse one buffer for every chunk. `beforeChunk` runs before each chunk is
 * taken (the store checks abort and close there).
 */
export async function collectBlobInput(
  data: unknown,
  beforeChunk: () => void,
): Promise<{ bytes: Uint8Array; hash: Hash }> {
  const hasher = createHasher()
  if (isUint8Array(data)) {
    const bytes = copyBytes(data)
    hasher.update(bytes)
    return { bytes, hash: hasher.digest() }
  }
  assertBlobInput(data)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of data as AsyncIterable<unknown>) {
    beforeChunk()
    if (!isUint8Array(chunk)) {
      throw invalidArgument(`putBlob stream chunk ${chunks.length} is not a Uint8Array`, {
        index: chunks.length,
        type: chunk === null ? 'null' : typeof chunk,
      })
    }
    const copy = copyBytes(chunk)
    hasher.update(copy)
    chunks.push(copy)
    total += copy.byteLength
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { bytes, hash: hasher.digest() }
}

/** Resolves `[start, end)` against the blob's size; outside `0 <= start <= end <= size` is refused. */
export function resolveRange(
  start: number | undefined,
  end: number | undefined,
  size: number,
  hash: Hash,
): [start: number, end: number] {
  const from = start ?? 0
  const to = end ?? size
  if (from > to || to > size) {
    throw invalidArgument(`range [${from}, ${to}) is outside blob ${hash} of ${size} bytes`, {
      hash,
      start: from,
      end: to,
      size,
    })
  }
  return [from, to]
}
