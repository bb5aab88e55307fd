import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3'
import { send } from './requests.js'

export interface Listed {
  key: string
  size: number
}

/** Every object under `prefix` in key order, page by page (continuation tokens, never a truncated page). */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: { pageSize: number; startAfter?: string; signal?: AbortSignal },
): AsyncGenerator<Listed> {
  let token: string | undefined
  do {
    const page = await send<ListObjectsV2CommandOutput>(
      client,
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: options.pageSize,
        ...(token === undefined ? {} : { ContinuationToken: token }),
        ...(options.startAfter === undefined || token !== undefined
          ? {}
          : { StartAfter: options.startAfter }),
      }),
      'list',
      options.signal,
    )
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token !== undefined)
}

/** Runs `fn` over `items` with at most `width` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return results
}
