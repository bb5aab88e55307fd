import { canonicalHash } from '../canonical/index.js'
import { CairnError, ErrorCode } from '../errors.js'
import type { Hash } from '../hash.js'
import type { CommitOutput } from '../protocols/commit.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store } from '../protocols/store.js'

/** How an output was kept, plus the content identity a ResultRef exposes. */
export interface PackedOutput {
  output: CommitOutput
  hash: Hash
  size: number
}

const utf8 = new TextEncoder()

/**
 * Small scalars (null, booleans, finite numbers other than -0, short strings) are kept inline in the
 * commit: no blob, no extra read on a hit. Everything else goes through the serializer into a blob.
 */
export async function packOutput(
  value: unknown,
  ctx: { store: Store; serializer: Serializer; inlineMaxBytes: number; signal?: AbortSignal },
): Promise<PackedOutput> {
  if (value === undefined) return { output: { kind: 'undefined' }, hash: canonicalHash(undefined), size: 0 }
  // A string longer than the limit in UTF-16 units is longer in UTF-8 bytes too: skip measuring it.
  const measurable = typeof value !== 'string' || value.length <= ctx.inlineMaxBytes
  if (measurable && isInlineScalar(value)) {
    const size = utf8.encode(JSON.stringify(value)).byteLength
    if (size <= ctx.inlineMaxBytes) {
      return { output: { kind: 'inline', value }, hash: canonicalHash(value), size }
    }
  }
  const bytes = ctx.serializer.encode(value)
  const blob = await ctx.store.putBlob(bytes, { signal: ctx.signal })
  return {
    output: { kind: 'blob', blob, serializer: ctx.serializer.id },
    hash: blob.hash,
    size: blob.size,
  }
}

/** The content identity of a stored output, without reading it. */
export function outputIdentity(output: CommitOutput): { hash: Hash; size: number } {
  switch (output.kind) {
    case 'blob':
      return { hash: output.blob.hash, size: output.blob.size }
    case 'inline':
      return { hash: canonicalHash(output.value), size: utf8.encode(JSON.stringify(output.value)).byteLength }
    case 'undefined':
      return { hash: canonicalHash(undefined), size: 0 }
  }
}

/** Reads an output back: inline values from the commit, blobs from the store (verified) through their serializer. */
export async function unpackOutput(
  output: CommitOutput,
  ctx: { store: Store; serializers: ReadonlyMap<string, Serializer>; signal?: AbortSignal },
): Promise<unknown> {
  switch (output.kind) {
    case 'undefined':
      return undefined
    case 'inline':
      return output.value
    case 'blob': {
      const serializer = ctx.serializers.get(output.serializer)
      if (!serializer) {
        throw new CairnError(
          ErrorCode.Unsupported,
          `output was written by serializer "${output.serializer}", which this client does not have; pass it in options.serializers`,
          { details: { serializer: output.serializer } },
        )
      }
      const bytes = await ctx.store.getBlob(output.blob.hash, { signal: ctx.signal })
      return serializer.decode(bytes)
    }
  }
}

function isInlineScalar(value: unknown): value is null | boolean | number | string {
  if (value === null || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  return typeof value === 'string' && value.isWellFormed()
}
