import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCommit } from '@cairn/conformance'
import { type Commit, isCairnError } from '@cairn/core'
import { freePort, type ServerProcess, startRedis } from '@cairn/test-servers'
import { afterEach, describe, expect, it } from 'vitest'
import { keyLayout, RedisStore } from '../src/index.js'
import { bareClient, keysUnder } from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A Redis of this test's own, with an append-only file, so it can be killed and restarted. */
async function ownRedis(): Promise<{ server: () => ServerProcess; restart(): Promise<void>; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-redis-fault-'))
  let server = await startRedis({ dir })
  cleanups.push(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })
  return {
    server: () => server,
    url: server.url,
    restart: async () => {
      server = await startRedis({ dir, port: server.port })
    },
  }
}

async function timed<T>(op: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = performance.now()
  try {
    const result = await op()
    return { ms: performance.now() - start, result }
  } catch (error) {
    return { ms: performance.now() - start, error }
  }
}

describe('a Redis that fails', () => {
  it('open fails with CAIRN_BACKEND when nothing listens', async () => {
    const port = await freePort()
    const { ms, error } = await timed(() =>
      RedisStore.open({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 }),
    )
    expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
    expect(ms).toBeLessThan(5000)
  })

  it('killed mid-run: every call fails with CAIRN_BACKEND (never a miss), then the store recovers with its data', async () => {
    const redis = await ownRedis()
    const store = await RedisStore.open({ url: redis.url, prefix: 'fault:', commandTimeoutMs: 1000 })
    cleanups.push(() => store.close())
    const acknowledged: Commit[] = []
    let stop = false
    let failures = 0
    // A writer that keeps going through the outage, as a real pipeline would.
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const commit = makeCommit({ seed: `w${i}`, createdAt: 1000 + i, tags: { i: String(i % 3) } })
        try {
          await store.putCommit(commit)
          acknowledged.push(commit)
        } catch (error) {
          if (!isCairnError(error, 'CAIRN_BACKEND')) throw error
          failures++
          await new Promise((r) => setTimeout(r, 20))
        }
      }
    })()
    while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 5))
    await redis.server().kill()
    const known = acknowledged[0] as Commit
    for (const op of [
      (): Promise<unknown> => store.findByFingerprint(known.fingerprint),
      () => store.getCommit(known.hash),
      () => store.hasBlob(known.hash),
      () => store.getRef('main'),
      () => store.setRef('main', 'x'),
      () => store.putBlob(new Uint8Array(10)),
    ]) {
      const { ms, error, result } = await timed(op)
      expect(result, 'a down Redis must not look like a miss').toBeUndefined()
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
      expect(ms).toBeLessThan(3000)
    }
    await redis.restart()
    // Recovery: the client reconnects on its own.
    const deadline = Date.now() + 10_000
    let recovered: Commit | undefined
    while (Date.now() < deadline && recovered === undefined) {
      recovered = await store.findByFingerprint(known.fingerprint).catch(() => undefined)
      if (recovered === undefined) await new Promise((r) => setTimeout(r, 100))
    }
    expect(recovered?.hash).toBe(known.hash)
    const before = acknowledged.length
    while (acknowledged.length < before + 20) await new Promise((r) => setTimeout(r, 5))
    stop = true
    await writer
    expect(failures).toBeGreaterThan(0)
    // Everything acknowledged survived (appendfsync always), and no commit lacks an index entry.
    const keys = keyLayout('fault:')
    const bare = bareClient(redis.url)
    cleanups.push(async () => void (await bare.quit()))
    const stored = (await keysUnder(bare, keys.commit(''))).map((k) => k.slice(keys.commit('').length))
    for (const c of acknowledged) expect(stored).toContain(c.hash)
    expect(await bare.zcard(keys.commitsByTime)).toBe(stored.length)
    expect(await bare.zcard(keys.commitHashes)).toBe(stored.length)
    const tagged =
      (await bare.zcard(keys.byTag('i', '0'))) +
      (await bare.zcard(keys.byTag('i', '1'))) +
      (await bare.zcard(keys.byTag('i', '2')))
    expect(tagged).toBe(stored.length)
    for (const c of acknowledged.slice(-5))
      expect((await store.findByFingerprint(c.fingerprint))?.hash).toBe(c.hash)
  })

  it('a Redis that stops answering times out with CAIRN_BACKEND instead of hanging', async () => {
    const redis = await ownRedis()
    const store = await RedisStore.open({ url: redis.url, prefix: 'hang:', commandTimeoutMs: 500 })
    cleanups.push(() => store.close())
    await store.setRef('main', 'v1')
    process.kill(redis.server().pid, 'SIGSTOP')
    try {
      const { ms, error } = await timed(() => store.getRef('main'))
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
      expect(ms).toBeGreaterThanOrEqual(400)
      expect(ms).toBeLessThan(2500)
    } finally {
      process.kill(redis.server().pid, 'SIGCONT')
    }
    const deadline = Date.now() + 10_000
    let value: string | undefined
    while (Date.now() < deadline && value === undefined) {
      value = await store.getRef('main').catch(() => undefined)
      if (value === undefined) await new Promise((r) => setTimeout(r, 100))
    }
    expect(value).toBe('v1')
  })

  it('refuses a Redis that may evict any key, unless told to allow it', async () => {
    const server = await startRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] })
    cleanups.push(() => server.stop())
    const error = await RedisStore.open({ url: server.url }).catch((e) => e)
    expect(isCairnError(error, 'CAIRN_UNSUPPORTED')).toBe(true)
    expect(error.message).toContain('allkeys-lru')
    const store = await RedisStore.open({ url: server.url, allowEviction: true })
    await store.close()
  })

  it('scripts work again after a restart emptied the script cache', async () => {
    const redis = await ownRedis()
    const store = await RedisStore.open({ url: redis.url, prefix: 'noscript:' })
    cleanups.push(() => store.close())
    await store.putCommit(makeCommit({ seed: 'before' }))
    await redis.server().stop()
    await redis.restart()
    const commit = makeCommit({ seed: 'after' })
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await store.putCommit(commit)
        break
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    expect((await store.findByFingerprint(commit.fingerprint))?.hash).toBe(commit.hash)
    expect(await store.setRef('r', 'v', null)).toBe(true)
  })
})
