/**
 * Helpers for Store implementations: the checks and the verified range read every store needs, so
 * each backend does them the same way.
 */
import { assertValidCommit } from './commit-hash.js'
import { CairnError, corrupt, ErrorCode, invalidArgument } from './errors.js'
import type { Hash } from './hash.js'
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
