/**
 * Helpers for Store implementations: the checks and the verified range read every store needs, so
 * each backend does them the same way.
 */
import { assertValidCommit } from './commit-hash.js'
import { CairnError, corrupt, ErrorCode, invalidArgument } from './errors.js'
import { createHasher, type Hash } from './hash.js'
import type { Commit } from './protocols/commit.js'
import type { OpenBlobOptions } from './protocols/store.js'

/**
 * `assertValidCommit`, with every refusal reported as `CAIRN_INVALID_ARGUMENT`: a commit that cannot
 * be hashed at all (a BigInt, a cycle, an unhashable string) cannot carry a matching hash either.
 */
export function assertStorableCommit(commit: unknown): asserts commit is Commit {
  try {
    assertValidCommit(commit)
  } catch (error) {
    if (CairnError.isInstance(error, ErrorCode.InvalidArgument)) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new CairnError(ErrorCode.InvalidArgument, `commit cannot be hashed: ${reason}`, { cause: error })
  }
}

/** `putBlob`'s `expectedHash` rule: data that hashes to something else is CAIRN_CORRUPT, and nothing is stored. */
export function checkExpectedHash(hash: Hash, expected: Hash | undefined): void {
  if (expected !== undefined && hash !== expected) {
    throw corrupt(`data hashes to ${hash}, not the expected ${expected}`, { hash, expected })
  }
}

/** `putBlob`'s input: the bytes, or an AsyncIterable of chunks (anything else is CAIRN_INVALID_ARGUMENT). */
export function assertBlobInput(data: unknown): asserts data is Uint8Array | AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) return
  if (
    typeof data !== 'object' ||
    data === null ||
    typeof (data as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function'
  ) {
    throw invalidArgument('putBlob takes a Uint8Array or an AsyncIterable of Uint8Array chunks', {
      type: data === null ? 'null' : typeof data,
    })
  }
}

/** A stream chunk checked and copied (producers may reuse one buffer for every chunk). */
export function ownChunk(chunk: unknown, index: number): Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw invalidArgument(`putBlob stream chunk ${index} is not a Uint8Array`, { index })
  }
  return new Uint8Array(chunk)
}

/** `openBlob`'s range options, checked for shape (non-negative integers); the size check comes later. */
export function blobRangeOptions(opts: OpenBlobOptions | undefined): { start?: number; end?: number } {
  const range: { start?: number; end?: number } = {}
  for (const name of ['start', 'end'] as const) {
    const value = opts?.[name]
    if (value === undefined) continue
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      throw invalidArgument(`${name} must be a non-negative integer`, { [name]: value })
    }
    range[name] = value
  }
  if (range.start !== undefined && range.end !== undefined && range.start > range.end) {
    throw invalidArgument(`range [${range.start}, ${range.end}) is reversed`, { ...range })
  }
  return range
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
