import type { S3Client } from '@aws-sdk/client-s3'
import { backendError, CairnError, throwIfAborted } from '@cairn/core'

interface S3ErrorShape {
  name?: string
  Code?: string
  $metadata?: { httpStatusCode?: number }
}

const status = (error: unknown) => (error as S3ErrorShape)?.$metadata?.httpStatusCode

/** A missing key. A missing bucket is not an answer but a failure (CAIRN_BACKEND), never a miss. */
export const isNotFound = (error: unknown): boolean => {
  const name = (error as S3ErrorShape)?.name ?? ''
  if (name === 'NoSuchBucket') return false
  return status(error) === 404 || name === 'NoSuchKey' || name === 'NotFound'
}

/** 412: a conditional write lost (the object exists, or changed since it was read). */
export const isPreconditionFailed = (error: unknown): boolean =>
  status(error) === 412 || (error as S3ErrorShape)?.name === 'PreconditionFailed'

/** 409 ConditionalRequestConflict: a concurrent conditional write on the same key; retry it. */
export const isConflict = (error: unknown): boolean => status(error) === 409

/**
 * Sends a command; an aborted signal gives CAIRN_ABORTED, anything unexpected CAIRN_BACKEND. Callers
 * pass `expected` for the statuses that are answers, not failures (404, 412), and get them back.
 */
export async function send<T>(
  client: S3Client,
  command: object,
  what: string,
  signal: AbortSignal | undefined,
  expected: (error: unknown) => boolean = () => false,
): Promise<T> {
  try {
    return (await client.send(command as never, { abortSignal: signal as never })) as T
  } catch (error) {
    throwIfAborted(signal)
    if (CairnError.isInstance(error) || expected(error)) throw error
    throw backendError(
      `s3 ${what} failed: ${(error as Error).message || (error as S3ErrorShape).name}`,
      error,
    )
  }
}

/** `send` that turns a 404 into `undefined`. */
export async function sendOrMissing<T>(
  client: S3Client,
  command: object,
  what: string,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  try {
    return await send<T>(client, command, what, signal, isNotFound)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}
