import { invalidArgument } from '@cairn/core'
import type { RedisOptions } from 'ioredis'

export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port/db?prefix=p` (`rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  url?: string
  /** Every key starts with this (default `cairn:`, or the URL's `prefix`): tenants sharing a Redis stay apart. */
  prefix?: string
  /** Extra ioredis options (host, port, password, tls, …); Cairn's failure settings below win. */
  redis?: RedisOptions
  /** A command that gets no reply within this many ms fails with CAIRN_BACKEND (default 5000). */
  commandTimeoutMs?: number
  /** Opening fails with CAIRN_BACKEND if Redis does not answer within this many ms (default 5000). */
  connectTimeoutMs?: number
  /** Blobs larger than this are split into chunks of this size (default 1 MiB). */
  chunkBytes?: number
  /** Staged chunks of a put that dies expire after this many seconds (default 86400). */
  stageTtlSeconds?: number
  /**
   * Open even when Redis may evict any key (`maxmemory-policy allkeys-*`), which could silently drop
   * chunks, commits or index entries (default false: refused with CAIRN_UNSUPPORTED).
   */
  allowEviction?: boolean
}

export interface ResolvedOptions {
  connection: RedisOptions & { url?: string }
  prefix: string
  commandTimeoutMs: number
  connectTimeoutMs: number
  chunkBytes: number
  stageTtlSeconds: number
  allowEviction: boolean
}

const positiveInteger = (value: number | undefined, fallback: number, what: string): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) throw invalidArgument(`${what} must be a positive integer`)
  return value
}

/** Validates options and splits Cairn's own `prefix` query parameter off the Redis URL. */
export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  let url = options.url
  let prefix = options.prefix
  if (url !== undefined) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw invalidArgument(`not a Redis URL: ${url}`)
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw invalidArgument(`a Redis URL starts with redis:// or rediss://, not ${parsed.protocol}//`)
    }
    const fromUrl = parsed.searchParams.get('prefix')
    if (fromUrl !== null) prefix ??= fromUrl
    parsed.searchParams.delete('prefix')
    url = parsed.href
  }
  prefix ??= 'cairn:'
  if (typeof prefix !== 'string') throw invalidArgument('prefix must be a string')
  return {
    connection: { ...options.redis, ...(url === undefined ? {} : { url }) },
    prefix,
    commandTimeoutMs: positiveInteger(options.commandTimeoutMs, 5000, 'commandTimeoutMs'),
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs, 5000, 'connectTimeoutMs'),
    chunkBytes: positiveInteger(options.chunkBytes, 1024 * 1024, 'chunkBytes'),
    stageTtlSeconds: positiveInteger(options.stageTtlSeconds, 86_400, 'stageTtlSeconds'),
    allowEviction: options.allowEviction ?? false,
  }
}
