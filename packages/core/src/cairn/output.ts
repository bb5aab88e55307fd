import { canonicalHash } from '../canonical/index.js'
import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import type { Hash } from '../hash.js'
import { bytesPackager } from '../packagers/bytes.js'
import { currentRuntime, mismatchError, mismatches, type PackagingMismatch } from '../packagers/checks.js'
import type { PackagerRegistry } from '../packagers/registry.js'
import type { CommitOutput } from '../protocols/commit.js'
import type { BlobRef, JsonValue } from '../protocols/index.js'
import type { Packager, PackInstructions, PackResult } from '../protocols/packager.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store } from '../protocols/store.js'
import { isByteStream, putByteStream } from './byte-stream.js'

/** How an output was kept, plus the content identity a ResultRef exposes. */
export interface PackedOutput {
  output: CommitOutput
  hash: Hash
  size: number
}

export interface PackOutputContext {
  store: Store
  serializer: Serializer
  packagers: PackagerRegistry
  inlineMaxBytes: number
  signal?: AbortSignal
}

export interface UnpackOutputContext {
  store: Store
  serializers: ReadonlyMap<string, Serializer>
  packagers: PackagerRegistry
  /** Throw CAIRN_VERSION_MISMATCH instead of warning. */
  strict: boolean
  warn(packager: string, mismatch: PackagingMismatch): void
  signal?: AbortSignal
}

const utf8 = new TextEncoder()
/** Bundles inside bundles, at most this deep. */
const MAX_BUNDLE_DEPTH = 32
/** Packagers whose artifacts are a reason to split a container into a bundle (not text or the default). */
const JSON_LIKE = new Set(['object', 'text'])

/**
 * Small scalars (null, booleans, finite numbers other than -0, short well-formed strings) stay inline
 * in the commit: no blob, no extra read on a hit. A plain array or record holding binary data (a
 * typed array, bytes, or a user packager's type) becomes a bundle, each member packed on its own.
 * Anything else goes to the packager chosen for it, into one blob, with its instructions. A byte
 * stream (only as the whole output) is stored as it comes, as bytes.
 */
export async function packOutput(value: unknown, ctx: PackOutputContext, depth = 0): Promise<PackedOutput> {
  if (value === undefined) return { output: { kind: 'undefined' }, hash: canonicalHash(undefined), size: 0 }
  if (depth === 0 && isByteStream(value)) return packByteStream(value, ctx)
  // A string longer than the limit in UTF-16 units is longer in UTF-8 bytes too: skip measuring it.
  const measurable = typeof value !== 'string' || value.length <= ctx.inlineMaxBytes
  if (measurable && isInlineScalar(value)) {
    const size = utf8.encode(JSON.stringify(value)).byteLength
    if (size <= ctx.inlineMaxBytes) {
      return { output: { kind: 'inline', value }, hash: canonicalHash(value), size }
    }
  }
  const members = bundleMembers(value, ctx, depth)
  if (members !== undefined) {
    if (depth >= MAX_BUNDLE_DEPTH)
      throw invalidArgument(`output bundles nest deeper than ${MAX_BUNDLE_DEPTH}`)
    const entries: [string, CommitOutput][] = []
    for (const [key, member] of members)
      entries.push([key, (await packOutput(member, ctx, depth + 1)).output])
    const output: CommitOutput = {
      kind: 'bundle',
      container: Array.isArray(value) ? 'array' : 'record',
      entries,
    }
    return { output, ...outputIdentity(output) }
  }
  const packager = ctx.packagers.select(value)
  const packed = checkPackResult(packager, await packager.pack(value, { serializer: ctx.serializer }))
  const blob = await ctx.store.putBlob(packed.bytes, { signal: ctx.signal })
  return blobOutput(blob, packager, packed)
}

/**
 * A task's byte stream, stored as it comes and recorded exactly as a `Uint8Array` of the same bytes
 * would be (so `load()` gives a Uint8Array, and both give the same output and hash).
 */
async function packByteStream(stream: AsyncIterable<unknown>, ctx: PackOutputContext): Promise<PackedOutput> {
  const blob = await putByteStream(ctx.store, stream, ctx.signal)
  return blobOutput(
    blob,
    bytesPackager,
    await bytesPackager.pack(new Uint8Array(0), { serializer: ctx.serializer }),
  )
}

function blobOutput(blob: BlobRef, packager: Packager<any>, packed: PackResult): PackedOutput {
  const instructions: PackInstructions = {
    ...(packed.instructions ?? {}),
    artifactType: packed.artifactType,
    packager: { id: packager.id, version: packager.version },
    runtime: currentRuntime(),
  }
  if (packed.serializer)
    instructions.serializer = { id: packed.serializer.id, version: packed.serializer.version }
  if (packager.library) instructions.library = { ...packager.library }
  return {
    output: {
      kind: 'blob',
      blob,
      serializer: packed.serializer?.id ?? 'none',
      instructions: instructions as Record<string, JsonValue>,
    },
    hash: blob.hash,
    size: blob.size,
  }
}

/** A packager's result, refused with a clear error before anything is stored if it is malformed. */
function checkPackResult(packager: Packager<any>, packed: PackResult): PackResult {
  const refuse = (what: string) =>
    invalidArgument(`packager "${packager.id}" returned ${what}`, { packager: packager.id })
  if (packed === null || typeof packed !== 'object') throw refuse('no result')
  if (!(packed.bytes instanceof Uint8Array)) throw refuse('bytes that are not a Uint8Array')
  if (!packager.artifactTypes.pack.includes(packed.artifactType)) {
    throw refuse(`artifact type ${JSON.stringify(packed.artifactType)}, not one of its artifactTypes.pack`)
  }
  if (packed.instructions !== undefined && !isJsonRecord(packed.instructions, 0)) {
    throw refuse('instructions that are not a JSON record')
  }
  return packed
}

function isJsonRecord(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return false
  return Object.values(value).every((v) => isJson(v, depth + 1))
}

function isJson(value: unknown, depth: number): boolean {
  if (depth > 64) return false
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1))
  return isJsonRecord(value, depth)
}

/** The entries of a plain, dense array or a plain record; undefined for anything else. */
function containerEntries(value: unknown): [string, unknown][] | undefined {
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return undefined
    if (Object.keys(value).length !== value.length) return undefined // holes or named properties
    return value.map((member, i) => [String(i), member])
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined
  return Object.entries(value)
}

/** Whether a value is, or holds at any depth inside plain containers, something a binary packager takes. */
function holdsBinary(value: unknown, ctx: PackOutputContext, depth: number): boolean {
  if (value === null || typeof value !== 'object' || depth > MAX_BUNDLE_DEPTH) return false
  const entries = containerEntries(value)
  if (entries === undefined) return !JSON_LIKE.has(ctx.packagers.select(value).id)
  return entries.some(([, member]) => holdsBinary(member, ctx, depth + 1))
}

/** The members of a container that holds binary data somewhere inside; otherwise undefined. */
function bundleMembers(
  value: unknown,
  ctx: PackOutputContext,
  depth: number,
): [string, unknown][] | undefined {
  const entries = containerEntries(value)
  if (entries === undefined) return undefined
  return entries.some(([, member]) => holdsBinary(member, ctx, depth + 1)) ? entries : undefined
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
    case 'bundle': {
      const members = output.entries.map(([key, member]) => [key, outputIdentity(member)] as const)
      return {
        hash: canonicalHash(['cairn-bundle', output.container, members.map(([key, id]) => [key, id.hash])]),
        size: members.reduce((sum, [, id]) => sum + id.size, 0),
      }
    }
  }
}

/** Every blob an output keeps (gc marks them, verify checks them, a hit needs them all). */
export function outputBlobs(output: CommitOutput | undefined): BlobRef[] {
  if (output === undefined) return []
  if (output.kind === 'blob') return [output.blob]
  if (output.kind === 'bundle') return output.entries.flatMap(([, member]) => outputBlobs(member))
  return []
}

/** Reads an output back through the packager that packed it (checked against its instructions). */
export async function unpackOutput(output: CommitOutput, ctx: UnpackOutputContext): Promise<unknown> {
  switch (output.kind) {
    case 'undefined':
      return undefined
    case 'inline':
      return output.value
    case 'bundle': {
      const values: [string, unknown][] = []
      for (const [key, member] of output.entries) values.push([key, await unpackOutput(member, ctx)])
      if (output.container === 'array') return values.map(([, v]) => v)
      const record: Record<string, unknown> = {}
      // defineProperty: a "__proto__" key stays an own data property.
      for (const [key, v] of values) {
        Object.defineProperty(record, key, { value: v, enumerable: true, writable: true, configurable: true })
      }
      return record
    }
    case 'blob':
      return unpackBlob(output, ctx)
  }
}

async function unpackBlob(output: Extract<CommitOutput, { kind: 'blob' }>, ctx: UnpackOutputContext) {
  const instructions = output.instructions as PackInstructions | undefined
  if (instructions?.packager === undefined) {
    // Written before packagers: the serializer named beside the blob decoded it.
    const serializer = ctx.serializers.get(output.serializer)
    if (!serializer) throw missingSerializer(output.serializer)
    return serializer.decode(await ctx.store.getBlob(output.blob.hash, { signal: ctx.signal }))
  }
  const packager = ctx.packagers.get(instructions.packager.id)
  if (!packager.artifactTypes.unpack.includes(instructions.artifactType)) {
    throw new CairnError(
      ErrorCode.Unsupported,
      `packager "${packager.id}" does not unpack artifact type ${JSON.stringify(instructions.artifactType)}`,
      { details: { packager: packager.id, artifactType: instructions.artifactType } },
    )
  }
  const serializer = instructions.serializer ? ctx.serializers.get(instructions.serializer.id) : undefined
  if (instructions.serializer && !serializer) throw missingSerializer(instructions.serializer.id)
  for (const mismatch of mismatches(instructions, packager, serializer)) {
    if (ctx.strict) throw mismatchError(packager.id, mismatch)
    ctx.warn(packager.id, mismatch)
  }
  const bytes = await ctx.store.getBlob(output.blob.hash, { signal: ctx.signal })
  return await packager.unpack(bytes, instructions, { serializers: ctx.serializers })
}

function missingSerializer(id: string): CairnError {
  return new CairnError(
    ErrorCode.Unsupported,
    `output was written by serializer "${id}", which this client does not have; pass it in options.serializers`,
    { details: { serializer: id } },
  )
}

function isInlineScalar(value: unknown): value is null | boolean | number | string {
  if (value === null || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  return typeof value === 'string' && value.isWellFormed()
}

/** The verified bytes of an output kept as one blob, as they are read; any other output: `CAIRN_UNSUPPORTED`. */
export function openOutput(
  store: Store,
  output: CommitOutput,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> {
  if (output.kind !== 'blob') {
    const kept = output.kind === 'bundle' ? 'a bundle of blobs' : `${output.kind} in the commit`
    throw new CairnError(ErrorCode.Unsupported, `an output kept as ${kept} is not one blob: use load()`, {
      details: { kind: output.kind },
    })
  }
  return store.openBlob(output.blob.hash, { signal })
}
