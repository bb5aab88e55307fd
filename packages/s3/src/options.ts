import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { invalidArgument } from '@cairn/core'

export interface S3StoreOptions {
  /** `s3://bucket/prefix?endpoint=http://host:port&region=us-east-1&forcePathStyle=true`. */
  url?: string
  bucket?: string
  /** Every key starts with this (default ''); a trailing `/` is added when missing. */
  prefix?: string
  /** An S3-compatible endpoint (MinIO, moto, R2, …); default AWS. */
  endpoint?: string
  /** Default `AWS_REGION`, else `us-east-1`. */
  region?: string
  /** Path-style URLs (`endpoint/bucket/key`): most non-AWS servers need it. Default true with an endpoint. */
  forcePathStyle?: boolean
  /** Default: the SDK's chain (environment, shared config, instance role). */
  credentials?: S3ClientConfig['credentials']
  /** Use this client instead of building one (the store does not destroy it on close). */
  client?: S3Client
  /** Create the bucket at open if it does not exist (default false). */
  createBucket?: boolean
  /** Part size of multipart uploads, and the size up to which a stream is buffered into one PUT (default 8 MiB). */
  partSize?: number
  /** Parts uploaded at once (default 4). */
  queueSize?: number
  /** Per-request socket timeout in ms (default 30000); a dead server fails within about this. */
  requestTimeoutMs?: number
  /** Connection timeout in ms (default 3000). */
  connectionTimeoutMs?: number
  /** SDK attempts per request, retries included (default 3). */
  maxAttempts?: number
  /** Page size of listings (default 1000, the S3 maximum; smaller values exercise pagination). */
  pageSize?: number
}

export interface ResolvedS3Options {
  bucket: string
  prefix: string
  config: S3ClientConfig
  client?: S3Client
  createBucket: boolean
  partSize: number
  queueSize: number
  pageSize: number
}

const MiB = 1024 * 1024

function positive(value: number | undefined, fallback: number, what: string, min = 1): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min)
    throw invalidArgument(`${what} must be an integer ≥ ${min}`)
  return value
}

/** Merges the URL's parts under explicit options and checks them. */
export function resolveS3Options(options: S3StoreOptions): ResolvedS3Options {
  const merged: S3StoreOptions = { ...options }
  if (options.url !== undefined) {
    let url: URL
    try {
      url = new URL(options.url)
    } catch {
      throw invalidArgument(`not an S3 URL: ${options.url}`)
    }
    if (url.protocol !== 's3:') throw invalidArgument(`an S3 URL starts with s3://, not ${url.protocol}//`)
    merged.bucket ??= decodeURIComponent(url.hostname)
    const path = decodeURIComponent(url.pathname.replace(/^\//, ''))
    if (path !== '') merged.prefix ??= path
    const q = url.searchParams
    if (q.has('endpoint')) merged.endpoint ??= q.get('endpoint') as string
    if (q.has('region')) merged.region ??= q.get('region') as string
    if (q.has('forcePathStyle')) merged.forcePathStyle ??= q.get('forcePathStyle') !== 'false'
    if (q.has('createBucket')) merged.createBucket ??= q.get('createBucket') !== 'false'
  }
  const bucket = merged.bucket
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalidArgument(`bucket must be a valid S3 bucket name, got ${JSON.stringify(bucket)}`)
  }
  let prefix = merged.prefix ?? ''
  if (typeof prefix !== 'string') throw invalidArgument('prefix must be a string')
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/'
  const config: S3ClientConfig = {
    region: merged.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: positive(merged.maxAttempts, 3, 'maxAttempts'),
    // Cairn hashes every byte it reads with SHA-256 itself; it sends SHA-256 checksums on writes.
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: {
      requestTimeout: positive(merged.requestTimeoutMs, 30_000, 'requestTimeoutMs'),
      connectionTimeout: positive(merged.connectionTimeoutMs, 3000, 'connectionTimeoutMs'),
    },
  }
  if (merged.endpoint !== undefined) {
    config.endpoint = merged.endpoint
    config.forcePathStyle = merged.forcePathStyle ?? true
  } else if (merged.forcePathStyle !== undefined) {
    config.forcePathStyle = merged.forcePathStyle
  }
  if (merged.credentials !== undefined) config.credentials = merged.credentials
  const resolved: ResolvedS3Options = {
    bucket,
    prefix,
    config,
    createBucket: merged.createBucket ?? false,
    partSize: positive(merged.partSize, 8 * MiB, 'partSize', 5 * MiB),
    queueSize: positive(merged.queueSize, 4, 'queueSize'),
    pageSize: positive(merged.pageSize, 1000, 'pageSize'),
  }
  if (merged.client !== undefined) resolved.client = merged.client
  return resolved
}
