import { randomUUID } from 'node:crypto'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { StoreOracle } from '@cairn/conformance'
import { testServerUrl } from '@cairn/test-servers'
import { s3Keys } from '../src/index.js'

export const endpoint = (): string => testServerUrl('s3')
export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

/** A bare client: the oracle that reads and tampers with what really landed. */
export function bareClient(url: string = endpoint()): S3Client {
  return new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials })
}

/** A bucket no other test uses. */
export async function freshBucket(client: S3Client): Promise<string> {
  const bucket = `test-${randomUUID()}`
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return bucket
}

async function read(client: S3Client, bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const object: GetObjectCommandOutput = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    )
    return await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return undefined
    throw error
  }
}

export function rawOracle(client: S3Client, bucket: string, prefix = ''): StoreOracle {
  const keys = s3Keys(prefix)
  return {
    readBlob: (hash) => read(client, bucket, keys.blob(hash)),
    writeBlob: async (hash, bytes) => {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keys.blob(hash),
          Body: bytes,
          ContentType: 'application/octet-stream',
        }),
      )
    },
    deleteBlobRaw: async (hash) => {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys.blob(hash) }))
    },
    readRef: async (name) => {
      const bytes = await read(client, bucket, keys.ref(name))
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
    },
    readCommit: async (hash) => {
      const bytes = await read(client, bucket, keys.commit(hash))
      return bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes))
    },
  }
}

/** Every key in the bucket under `prefix`. */
export async function keysIn(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    )
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}
