import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import {
  type BlobRef,
  backendError,
  CairnError,
  checkExpectedHash,
  corrupt,
  createHasher,
  type Hash,
  notFound,
  ownChunk,
  sha256Hex,
  throwIfAborted,
  verifiedRange,
} from '@cairn/core'
import type { S3Keys } from './keys.js'
import { isConflict, isPreconditionFailed, send, sendOrMissing } from './requests.js'

export interface BlobContext {
  client: S3Client
  bucket: string
  keys: S3Keys
  partSize: number
  queueSize: number
}

const CONTENT_TYPE = 'application/octet-stream'

/** The SHA-256 as S3 wants it (base64 of the digest), so S3 checks the upload against it. */
export const checksumOf = (hash: Hash): string => Buffer.from(hash, 'hex').toString('base64')

/**
 * One PUT with the SHA-256 checksum and `If-None-Match: *`: S3 verifies the bytes, and an existing
 * blob (412) is success, never overwritten. A 409 (a concurrent conditional write) is retried.
 */
export async function putKnownBytes(
  ctx: BlobContext,
  bytes: Uint8Array,
  hash: Hash,
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send(
        ctx.client,
        new PutObjectCommand({
          Bucket: ctx.bucket,
          Key: ctx.keys.blob(hash),
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: CONTENT_TYPE,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: checksumOf(hash),
          IfNoneMatch: '*',
        }),
        'putBlob',
        signal,
        (e) => isPreconditionFailed(e) || (isConflict(e) && attempt < 5),
      )
      return
    } catch (error) {
      if (isPreconditionFailed(error)) return
      if (isConflict(error)) {
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)))
        continue
      }
      throw error
    }
  }
}

/**
 * A stream that fits in one part is buffered and PUT like known bytes. A longer one is uploaded in
 * parts (each with its SHA-256, checked by S3) to a staging key while it is hashed, then copied to its
 * blob key and the staging object removed. A failed upload is aborted and leaves no blob.
 */
export async function putStream(
  ctx: BlobContext,
  data: AsyncIterable<Uint8Array>,
  expectedHash: Hash | undefined,
  signal?: AbortSignal,
): Promise<BlobRef> {
  const iterator = data[Symbol.asyncIterator]()
  const hasher = createHasher()
  const head: Uint8Array[] = []
  let size = 0
  let exhausted = false
  let index = 0
  const pull = async (): Promise<Uint8Array | undefined> => {
    throwIfAborted(signal)
    const next = await iterator.next()
    if (next.done) return undefined
    // A copy: a producer may reuse one buffer for every chunk while the upload still holds this one.
    const piece = ownChunk(next.value, index++)
    hasher.update(piece)
    size += piece.byteLength
    return piece
  }
  while (size <= ctx.partSize) {
    const piece = await pull()
    if (piece === undefined) {
      exhausted = true
      break
    }
    head.push(piece)
  }
  if (exhausted) {
    const bytes = Buffer.concat(head)
    const hash = hasher.digest()
    checkExpectedHash(hash, expectedHash)
    await putKnownBytes(ctx, bytes, hash, signal)
    return { hash, size }
  }
  const staging = ctx.keys.staging(randomUUID())
  async function* body() {
    yield* head
    for (;;) {
      const piece = await pull()
      if (piece === undefined) return
      yield piece
    }
  }
  const upload = new Upload({
    client: ctx.client,
    params: {
      Bucket: ctx.bucket,
      Key: staging,
      Body: Readable.from(body(), { objectMode: false }),
      ContentType: CONTENT_TYPE,
      ChecksumAlgorithm: 'SHA256',
    },
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
  })
  const onAbort = () => void upload.abort().catch(() => {})
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    try {
      await upload.done()
    } catch (error) {
      throwIfAborted(signal)
      if (CairnError.isInstance(error)) throw error
      throw backendError(`s3 multipart upload failed: ${(error as Error).message}`, error)
    }
    const hash = hasher.digest()
    checkExpectedHash(hash, expectedHash)
    const exists = await sendOrMissing(
      ctx.client,
      new HeadObjectCommand({ Bucket: ctx.bucket, Key: ctx.keys.blob(hash) }),
      'putBlob',
      signal,
    )
    if (exists === undefined) {
      await send(
        ctx.client,
        new CopyObjectCommand({
          Bucket: ctx.bucket,
          Key: ctx.keys.blob(hash),
          CopySource: `${ctx.bucket}/${encodeURI(staging)}`,
          ContentType: CONTENT_TYPE,
          ChecksumAlgorithm: 'SHA256',
          MetadataDirective: 'REPLACE',
          IfNoneMatch: '*',
        }),
        'putBlob',
        signal,
      )
    }
    return { hash, size }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: staging })).catch(() => {})
  }
}

async function getObject(
  ctx: BlobContext,
  hash: Hash,
  signal?: AbortSignal,
): Promise<GetObjectCommandOutput> {
  const object = await sendOrMissing<GetObjectCommandOutput>(
    ctx.client,
    new GetObjectCommand({ Bucket: ctx.bucket, Key: ctx.keys.blob(hash) }),
    'getBlob',
    signal,
  )
  if (object === undefined) throw notFound(`blob ${hash} not found`, { hash })
  return object
}

export async function getBlob(ctx: BlobContext, hash: Hash, signal?: AbortSignal): Promise<Uint8Array> {
  const object = await getObject(ctx, hash, signal)
  let bytes: Uint8Array
  try {
    bytes = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()
  } catch (error) {
    throwIfAborted(signal)
    throw backendError(`s3 read of blob ${hash} failed: ${(error as Error).message}`, error)
  }
  const actual = sha256Hex(bytes)
  if (actual !== hash) throw corrupt(`blob ${hash} does not match its hash (${actual})`, { hash, actual })
  return bytes
}

/**
 * Streams `[start, end)` of the object, verified (see `verifiedRange`): a range still GETs and hashes
 * the whole object, since the protocol verifies every read.
 */
export async function* openBlob(
  ctx: BlobContext,
  hash: Hash,
  range: { start?: number; end?: number },
  signal: AbortSignal | undefined,
  beforeChunk: () => void,
): AsyncGenerator<Uint8Array> {
  const object = await getObject(ctx, hash, signal)
  const body = object.Body as Readable
  try {
    yield* verifiedRange(
      networkErrorsAsBackend(body, hash, signal),
      { hash, size: object.ContentLength ?? 0 },
      range,
      beforeChunk,
    )
  } finally {
    body.destroy?.()
  }
}

/** The body's chunks; a connection that fails mid-read is CAIRN_BACKEND, never a short blob. */
async function* networkErrorsAsBackend(body: Readable, hash: Hash, signal: AbortSignal | undefined) {
  try {
    yield* body as AsyncIterable<Buffer>
  } catch (error) {
    throwIfAborted(signal)
    if (CairnError.isInstance(error)) throw error
    throw backendError(`s3 read of blob ${hash} failed: ${(error as Error).message}`, error)
  }
}
