import { backendError, CairnError, ErrorCode } from '@cairn/core'
import { Redis } from 'ioredis'
import type { ResolvedOptions } from './options.js'
import {
  DELETE_COMMIT,
  PUBLISH_CHUNKED_BLOB,
  PUBLISH_SMALL_BLOB,
  PUT_COMMIT,
  REMOVE_BLOB,
  SET_REF,
} from './scripts.js'

/**
 * A client that fails fast instead of queueing or hanging: with no connection, commands fail at once
 * (no offline queue); with a connection that stops answering, after `commandTimeoutMs`. It keeps
 * reconnecting in the background, so the store works again as soon as Redis is back.
 */
export async function connect(options: ResolvedOptions): Promise<Redis> {
  const { url, ...rest } = options.connection
  const settings = {
    ...rest,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
    // After a failed connect ioredis otherwise keeps a 2 s timer that holds the process open.
    disconnectTimeout: 100,
  }
  const client = url === undefined ? new Redis(settings) : new Redis(url, settings)
  // Errors surface on the commands that hit them; without a listener ioredis would log each one.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw backendError(`cannot connect to Redis: ${(error as Error).message}`, error)
  }
  if (!options.allowEviction) await refuseEvictingServer(client)
  return client
}

/**
 * A Redis that may evict any key could drop a chunk, a commit or an index entry without a word.
 * Refused unless `allowEviction`; a server that hides CONFIG (managed services) is taken on trust.
 */
async function refuseEvictingServer(client: Redis): Promise<void> {
  let policy: string | undefined
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[]
    policy = reply[1]
  } catch {
    return
  }
  if (policy?.startsWith('allkeys-')) {
    client.disconnect()
    throw new CairnError(
      ErrorCode.Unsupported,
      `Redis evicts any key under memory pressure (maxmemory-policy ${policy}), which would lose Cairn data; use noeviction or a volatile-* policy, or pass allowEviction: true`,
      { details: { policy } },
    )
  }
}

const SCRIPTS: Record<
  'publishSmall' | 'publishChunked' | 'removeBlob' | 'putCommit' | 'deleteCommit' | 'setRef',
  string
> = {
  publishSmall: PUBLISH_SMALL_BLOB,
  publishChunked: PUBLISH_CHUNKED_BLOB,
  removeBlob: REMOVE_BLOB,
  putCommit: PUT_COMMIT,
  deleteCommit: DELETE_COMMIT,
  setRef: SET_REF,
}

/** Runs one of Cairn's scripts atomically in Redis. */
export function runScript(
  client: Redis,
  script: keyof typeof SCRIPTS,
  keys: string[],
  args: (string | number | Buffer)[],
): Promise<unknown> {
  return cachedEval(client, SCRIPTS[script], keys, args)
}

const shas = new Map<string, string>()

/** EVALSHA with the script's digest, loading it on NOSCRIPT (a restarted Redis has no script cache). */
async function cachedEval(client: Redis, lua: string, keys: string[], args: (string | number | Buffer)[]) {
  let sha = shas.get(lua)
  if (sha === undefined) {
    sha = (await client.script('LOAD', lua)) as string
    shas.set(lua, sha)
  }
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args)
  } catch (error) {
    if (!String((error as Error).message).includes('NOSCRIPT')) throw error
    return client.eval(lua, keys.length, ...keys, ...args)
  }
}

/** Turns anything the client throws into CAIRN_BACKEND (coded Cairn errors pass through). */
export async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (CairnError.isInstance(error)) throw error
    throw backendError(`redis ${what} failed: ${(error as Error).message}`, error)
  }
}
