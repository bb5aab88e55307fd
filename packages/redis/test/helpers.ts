import { randomUUID } from 'node:crypto'
import type { StoreOracle } from '@cairn/conformance'
import { testServerUrl } from '@cairn/test-servers'
import { Redis } from 'ioredis'
import { escapeGlob, keyLayout } from '../src/index.js'

/** The shared test Redis (started by with-test-servers). */
export const redisUrl = (): string => testServerUrl('redis')

/** A prefix no other test uses: tests share one Redis and never see each other's keys. */
export const freshPrefix = (): string => `test:${randomUUID()}:`

/** A bare ioredis client: the oracle that reads and tampers with what really landed. */
export function bareClient(url: string = redisUrl()): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })
}

export function rawOracle(client: Redis, prefix: string): StoreOracle {
  const keys = keyLayout(prefix)
  return {
    async readBlob(hash: string): Promise<Uint8Array | undefined> {
      const [size, n, data] = await client.hmgetBuffer(keys.blob(hash), 'size', 'n', 'd')
      if (size == null || n == null) return undefined
      const count = Number(n.toString())
      if (count === 1) return data == null ? undefined : new Uint8Array(data)
      const chunks = await Promise.all(
        Array.from({ length: count }, (_, i) => client.getBuffer(keys.chunk(hash, i))),
      )
      return new Uint8Array(Buffer.concat(chunks.map((c) => c ?? Buffer.alloc(0))))
    },
    async writeBlob(hash: string, bytes: Uint8Array): Promise<void> {
      const n = Number((await client.hget(keys.blob(hash), 'n')) ?? 1)
      for (let i = 0; i < n; i++) await client.del(keys.chunk(hash, i))
      await client.hset(keys.blob(hash), 'size', bytes.byteLength, 'n', 1, 'd', Buffer.from(bytes))
    },
    async deleteBlobRaw(hash: string): Promise<void> {
      const n = Number((await client.hget(keys.blob(hash), 'n')) ?? 1)
      for (let i = 0; i < n; i++) await client.del(keys.chunk(hash, i))
      await client.del(keys.blob(hash))
    },
    readRef: async (name: string) => (await client.hget(keys.refs, name)) ?? undefined,
    readCommit: async (hash: string) => {
      const json = await client.get(keys.commit(hash))
      return json === null ? undefined : JSON.parse(json)
    },
  }
}

/** Every key under `prefix` (SCAN), for isolation checks and cleanup. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000)
    cursor = next
    found.push(...batch)
  } while (cursor !== '0')
  return found
}

export async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix)
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500))
}
