import { randomUUID } from 'node:crypto'
import {
  assertHash,
  type BlobRef,
  corrupt,
  createHasher,
  type Hash,
  invalidArgument,
  notFound,
  sha256Hex,
  throwIfAborted,
  verifiedRange,
} from '@cairn/core'
import type { Redis } from 'ioredis'
import { guard, runScript } from './connection.js'
import type { KeyLayout } from './keys.js'

export interface BlobContext {
  client: Redis
  keys: KeyLayout
  chunkBytes: number
  stageTtlSeconds: number
}

/** How many chunks are fetched ahead while reading (memory: window × chunkBytes). */
const READ_AHEAD = 4

// ---- writing ----

/** Stores bytes whose hash is known: one script call for a single chunk, staged chunks otherwise. */
export async function putKnownBytes(
  ctx: BlobContext,
  bytes: Uint8Array,
  hash: Hash,
  signal?: AbortSignal,
): Promise<void> {
  if (bytes.byteLength <= ctx.chunkBytes) {
    await guard('putBlob', () =>
      runScript(
        ctx.client,
        'publishSmall',
        [ctx.keys.blob(hash), ctx.keys.stats],
        [bytes.byteLength, toBuffer(bytes)],
      ),
    )
    return
  }
  if (await guard('putBlob', () => ctx.client.exists(ctx.keys.blob(hash)))) return
  const stage = new Stage(ctx)
  try {
    for (let offset = 0; offset < bytes.byteLength; offset += ctx.chunkBytes) {
      throwIfAborted(signal)
      await stage.add(bytes.subarray(offset, offset + ctx.chunkBytes))
    }
    await stage.publish(hash, bytes.byteLength)
  } finally {
    await stage.discard()
  }
}

/**
 * Stores a stream: chunks are staged (with an expiry, so a put that dies leaves nothing for good)
 * while the hash is computed, then moved into place by one script once the hash is known.
 */
export async function putStream(
  ctx: BlobContext,
  data: AsyncIterable<Uint8Array>,
  expectedHash: Hash | undefined,
  signal?: AbortSignal,
): Promise<BlobRef> {
  const hasher = createHasher()
  const stage = new Stage(ctx)
  let buffer = new Uint8Array(ctx.chunkBytes)
  let filled = 0
  let size = 0
  // The first full chunk is held back: a stream that fits in one chunk is stored like small bytes.
  let held: Uint8Array | undefined
  try {
    for await (const piece of data) {
      throwIfAborted(signal)
      if (!(piece instanceof Uint8Array)) throw invalidArgument('a blob stream must yield Uint8Array chunks')
      hasher.update(piece)
      size += piece.byteLength
      let offset = 0
      while (offset < piece.byteLength) {
        const take = Math.min(ctx.chunkBytes - filled, piece.byteLength - offset)
        buffer.set(piece.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (filled === ctx.chunkBytes) {
          if (held) await stage.add(held)
          held = buffer
          buffer = new Uint8Array(ctx.chunkBytes)
          filled = 0
        }
      }
    }
    throwIfAborted(signal)
    const hash = hasher.digest()
    if (expectedHash !== undefined && hash !== expectedHash) {
      throw corrupt(`data hashes to ${hash}, not the expected ${expectedHash}`, {
        hash,
        expected: expectedHash,
      })
    }
    if (stage.count === 0 && (held === undefined || filled === 0)) {
      const only = held ?? buffer.subarray(0, filled)
      await putKnownBytes(ctx, only, hash, signal)
    } else {
      if (held) await stage.add(held)
      if (filled > 0) await stage.add(buffer.subarray(0, filled))
      await stage.publish(hash, size)
    }
    return { hash, size }
  } finally {
    await stage.discard()
  }
}

/** Chunks of one put, staged under a random id until `publish` moves them into place. */
class Stage {
  readonly #ctx: BlobContext
  readonly #id = randomUUID()
  count = 0
  #published = false

  constructor(ctx: BlobContext) {
    this.#ctx = ctx
  }

  async add(chunk: Uint8Array): Promise<void> {
    const key = this.#ctx.keys.stage(this.#id, this.count)
    this.count++
    await guard('putBlob', () => this.#ctx.client.set(key, toBuffer(chunk), 'EX', this.#ctx.stageTtlSeconds))
  }

  async publish(hash: Hash, size: number): Promise<void> {
    const { keys } = this.#ctx
    const scriptKeys = [keys.blob(hash), keys.stats]
    for (let i = 0; i < this.count; i++) scriptKeys.push(keys.stage(this.#id, i), keys.chunk(hash, i))
    const result = await guard('putBlob', () =>
      runScript(this.#ctx.client, 'publishChunked', scriptKeys, [size, this.count]),
    )
    if (result === -1) {
      throw corrupt(`staged chunks of blob ${hash} expired before the put finished; nothing was stored`, {
        hash,
      })
    }
    this.#published = true
  }

  /** Drops staged chunks of a put that did not publish (they would expire anyway). */
  async discard(): Promise<void> {
    if (this.#published || this.count === 0) return
    const stale = Array.from({ length: this.count }, (_, i) => this.#ctx.keys.stage(this.#id, i))
    await this.#ctx.client.del(...stale).catch(() => {})
  }
}

// ---- reading ----

interface Manifest {
  size: number
  chunks: number
  /** The bytes of a single-chunk blob. */
  data?: Buffer
}

/** One round trip: size, chunk count and (for small blobs) the bytes. */
export async function readManifest(ctx: BlobContext, hash: Hash): Promise<Manifest | undefined> {
  const [size, chunks, data] = await guard('read', () =>
    ctx.client.hmgetBuffer(ctx.keys.blob(hash), 'size', 'n', 'd'),
  )
  if (size == null || chunks == null) return undefined
  const manifest: Manifest = { size: Number(size.toString()), chunks: Number(chunks.toString()) }
  if (!Number.isSafeInteger(manifest.size) || !Number.isSafeInteger(manifest.chunks) || manifest.chunks < 1) {
    throw corrupt(`blob ${hash} has a malformed manifest`, { hash })
  }
  if (data != null) manifest.data = data
  return manifest
}

/** The blob's chunks in order, fetched a few ahead; a missing chunk is corruption. */
async function* chunksOf(ctx: BlobContext, hash: Hash, manifest: Manifest, signal?: AbortSignal) {
  if (manifest.chunks === 1) {
    if (manifest.data === undefined) throw corrupt(`blob ${hash} has lost its bytes`, { hash })
    yield manifest.data
    return
  }
  const fetch = (i: number) =>
    guard('read', () => ctx.client.getBuffer(ctx.keys.chunk(hash, i))).then((chunk) => {
      if (chunk === null) throw corrupt(`chunk ${i} of blob ${hash} is missing`, { hash, chunk: i })
      return chunk
    })
  const pending: Promise<Buffer>[] = []
  for (let i = 0; i < Math.min(READ_AHEAD, manifest.chunks); i++) pending.push(fetch(i))
  // Unconsumed prefetches must not become unhandled rejections if the reader stops early.
  for (const p of pending) p.catch(() => {})
  for (let i = 0; i < manifest.chunks; i++) {
    throwIfAborted(signal)
    const chunk = await (pending.shift() as Promise<Buffer>)
    const next = i + READ_AHEAD
    if (next < manifest.chunks) {
      const p = fetch(next)
      p.catch(() => {})
      pending.push(p)
    }
    yield chunk
  }
}

export async function getBlob(ctx: BlobContext, hash: Hash, signal?: AbortSignal): Promise<Uint8Array> {
  assertHash(hash)
  const manifest = await readManifest(ctx, hash)
  if (manifest === undefined) throw notFound(`blob ${hash} not found`, { hash })
  const out = new Uint8Array(manifest.size)
  let offset = 0
  for await (const chunk of chunksOf(ctx, hash, manifest, signal)) {
    if (offset + chunk.byteLength > manifest.size) throw sizeMismatch(hash, manifest.size)
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  if (offset !== manifest.size) throw sizeMismatch(hash, manifest.size)
  const actual = sha256Hex(out)
  if (actual !== hash) throw corrupt(`blob ${hash} does not match its hash (${actual})`, { hash, actual })
  return out
}

/** Streams `[start, end)` of the blob, verified (see `verifiedRange`). */
export async function* openBlob(
  ctx: BlobContext,
  hash: Hash,
  range: { start?: number; end?: number },
  beforeChunk: () => void,
): AsyncGenerator<Uint8Array> {
  const manifest = await readManifest(ctx, hash)
  if (manifest === undefined) throw notFound(`blob ${hash} not found`, { hash })
  yield* verifiedRange(chunksOf(ctx, hash, manifest), { hash, size: manifest.size }, range, beforeChunk)
}

function sizeMismatch(hash: Hash, size: number) {
  return corrupt(`blob ${hash} does not have its recorded ${size} bytes`, { hash, size })
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
