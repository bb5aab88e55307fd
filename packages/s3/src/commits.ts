import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { backendError, type Commit, compareNewestFirst } from '@cairn/core'
import type { S3Keys } from './keys.js'
import { listObjects, mapLimit } from './listing.js'
import { isConflict, isNotFound, isPreconditionFailed, send, sendOrMissing } from './requests.js'

export interface CommitContext {
  client: S3Client
  bucket: string
  keys: S3Keys
  pageSize: number
}

/** Parallel GETs when a listing has to read commits. */
export const READ_WIDTH = 16

export async function readText(
  ctx: CommitContext,
  key: string,
  what: string,
  signal?: AbortSignal,
): Promise<{ text: string; etag: string } | undefined> {
  const object = await sendOrMissing<GetObjectCommandOutput>(
    ctx.client,
    new GetObjectCommand({ Bucket: ctx.bucket, Key: key }),
    what,
    signal,
  )
  if (object === undefined) return undefined
  const text = await (object.Body as { transformToString(): Promise<string> }).transformToString()
  return { text, etag: object.ETag ?? '' }
}

export async function putText(
  ctx: CommitContext,
  key: string,
  text: string,
  what: string,
  condition: { IfNoneMatch?: string; IfMatch?: string },
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await send(
      ctx.client,
      new PutObjectCommand({
        Bucket: ctx.bucket,
        Key: key,
        Body: Buffer.from(text),
        ContentLength: Buffer.byteLength(text),
        ContentType: 'application/json',
        ...condition,
      }),
      what,
      signal,
      (e) => isPreconditionFailed(e) || isConflict(e) || (condition.IfMatch !== undefined && isNotFound(e)),
    )
    return true
  } catch (error) {
    if (isPreconditionFailed(error) || isConflict(error) || isNotFound(error)) return false
    throw error
  }
}

export async function readCommit(
  ctx: CommitContext,
  hash: string,
  signal?: AbortSignal,
): Promise<Commit | undefined> {
  const found = await readText(ctx, ctx.keys.commit(hash), 'getCommit', signal)
  return found === undefined ? undefined : (JSON.parse(found.text) as Commit)
}

/** The commits with this fingerprint, newest first (their member keys sort that way). */
export async function commitsWith(
  ctx: CommitContext,
  fingerprint: string,
  signal?: AbortSignal,
): Promise<Commit[]> {
  const hashes: string[] = []
  for await (const { key } of listObjects(ctx.client, ctx.bucket, ctx.keys.members(fingerprint), {
    pageSize: ctx.pageSize,
    ...(signal ? { signal } : {}),
  })) {
    hashes.push(ctx.keys.hashOfIndexKey(key))
  }
  const commits = await mapLimit(hashes, READ_WIDTH, (hash) => readCommit(ctx, hash, signal))
  return commits.filter((c): c is Commit => c !== undefined).sort(compareNewestFirst)
}

const newer = (a: Commit, b: Commit) => compareNewestFirst(a, b) < 0

/**
 * Makes the fingerprint's head the newest completed commit, by compare-and-swap on the head object
 * (If-Match / If-None-Match), retrying when another writer got there first. `candidate` is the commit
 * just written; without one (after a delete) the head is recomputed from the members.
 */
export async function updateHead(
  ctx: CommitContext,
  fingerprint: string,
  change: { put: Commit } | { deleted: string },
  signal?: AbortSignal,
): Promise<void> {
  const key = ctx.keys.head(fingerprint)
  for (let attempt = 0; attempt < 50; attempt++) {
    const current = await readText(ctx, key, 'head', signal)
    const head = current === undefined ? undefined : (JSON.parse(current.text) as Commit | { none: true })
    const headCommit = head && 'hash' in head ? head : undefined
    let next: Commit | undefined
    if ('put' in change) {
      if (change.put.status !== 'completed') return
      if (headCommit && !newer(change.put, headCommit)) return
      next = change.put
    } else {
      if (headCommit?.hash !== change.deleted) return
      next = (await commitsWith(ctx, fingerprint, signal)).find(
        (c) => c.status === 'completed' && c.hash !== change.deleted,
      )
    }
    // A fingerprint without a completed commit keeps a `{ none: true }` head, so CAS always has an ETag.
    const text = next === undefined ? '{"none":true}' : JSON.stringify(next)
    const condition = current === undefined ? { IfNoneMatch: '*' } : { IfMatch: current.etag }
    if (await putText(ctx, key, text, 'head', condition, signal)) return
    await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)))
  }
  throw backendError(`head of ${fingerprint} kept changing; gave up after 50 attempts`, undefined)
}

export async function removeObject(
  ctx: CommitContext,
  key: string,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  await send(ctx.client, new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }), what, signal)
}
