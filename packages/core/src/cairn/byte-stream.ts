import { CairnError, ErrorCode } from '../errors.js'
import type { BlobRef, Store } from '../protocols/store.js'

/**
 * A task output that is a stream of bytes: an AsyncIterable of Uint8Array chunks (an async
 * generator, a Node `Readable`, a web `ReadableStream`). Stored by `putBlob` as the chunks come,
 * never collected first on a store with `streamingWrites`.
 */
export function isByteStream(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  )
}

/**
 * The task's own stream failed while it was being stored (it threw, yielded something other than
 * bytes, or grew past the store's `maxBlobSize`): the task failed, not the store. `original` is the
 * error the caller gets and the failed commit records.
 */
export class OutputStreamError extends Error {
  readonly original: unknown
  constructor(original: unknown) {
    super('the task’s output stream failed', { cause: original })
    this.original = original
  }
}

/**
 * Stores a task's byte stream as one blob. An error from the stream itself comes out as
 * `OutputStreamError` (the store may have wrapped it, e.g. as `CAIRN_BACKEND`); the store's own
 * errors come out as they are. Either way nothing is stored, and the stream is closed.
 */
export async function putByteStream(
  store: Store,
  stream: AsyncIterable<unknown>,
  signal: AbortSignal | undefined,
): Promise<BlobRef> {
  const source = stream[Symbol.asyncIterator]()
  const limit = store.capabilities.maxBlobSize
  let sourceError: { error: unknown } | undefined
  let finished = false
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let size = 0
    for (let index = 0; ; index++) {
      let step: IteratorResult<unknown>
      try {
        step = await source.next()
      } catch (error) {
        sourceError = { error }
        throw error
      }
      if (step.done) {
        finished = true
        return
      }
      const chunk = step.value
      if (!(chunk instanceof Uint8Array)) {
        sourceError = { error: notBytes(chunk, index) }
        throw sourceError.error
      }
      size += chunk.byteLength
      if (limit !== undefined && size > limit) {
        sourceError = { error: tooLarge(limit) }
        throw sourceError.error
      }
      yield chunk
    }
  }
  try {
    return await store.putBlob(chunks(), { signal })
  } catch (error) {
    if (sourceError) throw new OutputStreamError(sourceError.error)
    throw error
  } finally {
    // The store stopped early (or never started): let the producer release what it holds.
    if (!finished) await Promise.resolve(source.return?.()).catch(() => undefined)
  }
}

function notBytes(chunk: unknown, index: number): CairnError {
  const type = chunk === null ? 'null' : typeof chunk === 'object' ? chunk.constructor?.name : typeof chunk
  return new CairnError(
    ErrorCode.Unserializable,
    `a streamed output must yield Uint8Array chunks; chunk ${index} is ${type} (a text stream: encode it, or return the string)`,
    { details: { index, type } },
  )
}

function tooLarge(limit: number): CairnError {
  return new CairnError(
    ErrorCode.Unsupported,
    `the streamed output is larger than the store's maxBlobSize (${limit} bytes)`,
    {
      details: { maxBlobSize: limit },
    },
  )
}
