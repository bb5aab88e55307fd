import { makeCommit, pseudoRandomBytes, pseudoRandomStream, sameCall } from '@cairn/conformance'
import { isCairnError } from '@cairn/core'
import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keyLayout, RedisStore } from '../src/index.js'
import { bareClient, dropPrefix, freshPrefix, keysUnder, redisUrl } from './helpers.js'

let bare: Redis
const prefixes: string[] = []
const stores: RedisStore[] = []

async function open(options: { prefix?: string; chunkBytes?: number } = {}) {
  const prefix = options.prefix ?? freshPrefix()
  prefixes.push(prefix)
  const store = await RedisStore.open({
    url: redisUrl(),
    prefix,
    chunkBytes: options.chunkBytes ?? 64 * 1024,
  })
  stores.push(store)
  return { store, prefix, keys: keyLayout(prefix) }
}

beforeEach(() => {
  bare = bareClient()
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const prefix of prefixes.splice(0)) await dropPrefix(bare, prefix)
  await bare.quit()
})

describe('key layout', () => {
  it('keeps tenants apart: two prefixes on one Redis never see each other', async () => {
    const a = await open()
    const b = await open()
    const blob = await a.store.putBlob(new TextEncoder().encode('tenant a'))
    const commit = makeCommit({ seed: 'a' })
    await a.store.putCommit(commit)
    await a.store.setRef('main', 'a')
    expect(await b.store.hasBlob(blob.hash)).toBe(false)
    expect(await b.store.getCommit(commit.hash)).toBeUndefined()
    expect(await b.store.findByFingerprint(commit.fingerprint)).toBeUndefined()
    expect(await b.store.getRef('main')).toBeUndefined()
    const listed = []
    for await (const ref of b.store.listBlobs()) listed.push(ref)
    expect(listed).toEqual([])
    expect(await b.store.stats()).toEqual({ blobs: 0, blobBytes: 0, commits: 0, refs: 0 })
    // Everything A wrote is under A's prefix.
    for (const key of await keysUnder(bare, 'test:')) {
      if (!key.startsWith(b.prefix)) continue
      throw new Error(`B's prefix holds ${key}`)
    }
    expect((await keysUnder(bare, a.prefix)).length).toBeGreaterThan(0)
  })

  it('a prefix with glob characters lists only its own blobs', async () => {
    const star = await open({ prefix: `${freshPrefix()}*[x]?` })
    const other = await open({ prefix: `${star.prefix.replace('*[x]?', '')}aaaa` })
    await other.store.putBlob(new TextEncoder().encode('other tenant'))
    const mine = await star.store.putBlob(new TextEncoder().encode('mine'))
    const listed = []
    for await (const ref of star.store.listBlobs()) listed.push(ref.hash)
    expect(listed).toEqual([mine.hash])
  })

  it('splits large blobs so no stored value exceeds chunkBytes', async () => {
    const chunkBytes = 64 * 1024
    const { store, keys } = await open({ chunkBytes })
    const bytes = pseudoRandomBytes(5 * chunkBytes + 123, 7)
    const { hash } = await store.putBlob(bytes)
    const streamed = await store.putBlob(pseudoRandomStream(3 * chunkBytes + 5, 1000, 9))
    expect(await bare.hget(keys.blob(hash), 'n')).toBe('6')
    for (let i = 0; i < 6; i++) {
      expect(await bare.strlen(keys.chunk(hash, i))).toBeLessThanOrEqual(chunkBytes)
    }
    expect(await bare.strlen(keys.chunk(hash, 5))).toBe(123)
    expect(await bare.hget(keys.blob(streamed.hash), 'n')).toBe('4')
    expect(Buffer.from(await store.getBlob(hash)).equals(Buffer.from(bytes))).toBe(true)
    // A range in the middle of a chunk border comes back exact.
    const parts: Uint8Array[] = []
    for await (const part of store.openBlob(hash, { start: chunkBytes - 10, end: 2 * chunkBytes + 10 })) {
      parts.push(part)
    }
    expect(
      Buffer.concat(parts).equals(Buffer.from(bytes.subarray(chunkBytes - 10, 2 * chunkBytes + 10))),
    ).toBe(true)
    // No staging keys are left behind.
    expect(await keysUnder(bare, keys.stage('', 0).replace(/:0$/, ''))).toEqual([])
  })

  it('a stream that fails half-way stores nothing and leaves no staged chunks', async () => {
    const { store, keys, prefix } = await open({ chunkBytes: 1024 })
    async function* failing() {
      yield pseudoRandomBytes(5000, 3)
      throw new Error('source died')
    }
    await expect(store.putBlob(failing())).rejects.toThrow('source died')
    expect(await keysUnder(bare, `${prefix}stage:`)).toEqual([])
    expect(await keysUnder(bare, `${prefix}chunk:`)).toEqual([])
    expect(await store.stats()).toMatchObject({ blobs: 0, blobBytes: 0 })
    void keys
  })

  it('a missing chunk is corruption, never a short read', async () => {
    const { store, keys } = await open({ chunkBytes: 1024 })
    const { hash } = await store.putBlob(pseudoRandomBytes(4000, 5))
    await bare.del(keys.chunk(hash, 2))
    const error = await store.getBlob(hash).catch((e) => e)
    expect(isCairnError(error, 'CAIRN_CORRUPT')).toBe(true)
    const streamed: Uint8Array[] = []
    const streamError = await (async () => {
      for await (const part of store.openBlob(hash)) streamed.push(part)
    })().catch((e) => e)
    expect(isCairnError(streamError, 'CAIRN_CORRUPT')).toBe(true)
    // Bytes before the gap may be delivered; the stream never ends normally.
    expect(Buffer.concat(streamed).byteLength).toBeLessThan(4000)
  })

  it('writes a commit with all its index entries at once, and removes them at once', async () => {
    const { store, keys } = await open()
    const commit = makeCommit({ seed: 'indexed', tags: { team: 'ml', 'odd:key': 'v:1' } })
    await store.putCommit(commit)
    const time = commit.createdAt
    expect(await bare.zscore(keys.commitsByTime, commit.hash)).toBe(String(time))
    expect(await bare.zscore(keys.byFingerprint(commit.fingerprint), commit.hash)).toBe(String(time))
    expect(await bare.zscore(keys.byFunc('task'), commit.hash)).toBe(String(time))
    expect(await bare.zscore(keys.byStatus('completed'), commit.hash)).toBe(String(time))
    expect(await bare.zscore(keys.byTag('odd:key', 'v:1'), commit.hash)).toBe(String(time))
    expect(JSON.parse((await bare.get(keys.head(commit.fingerprint))) as string).hash).toBe(commit.hash)
    await store.deleteCommit(commit.hash)
    expect(await keysUnder(bare, `${keys.prefix}`)).toEqual([])
  })

  it('keeps the fingerprint head on the newest completed commit through puts and deletes', async () => {
    const { store } = await open()
    const first = makeCommit({ seed: 'h1', createdAt: 1000 })
    const newer = sameCall(first, { seed: 'h2', createdAt: 2000 })
    const failed = sameCall(first, { seed: 'h3', createdAt: 3000, status: 'failed' })
    const older = sameCall(first, { seed: 'h0', createdAt: 500 })
    for (const c of [first, newer, failed, older]) await store.putCommit(c)
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(newer.hash)
    await store.deleteCommit(newer.hash)
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(first.hash)
    await store.deleteCommits([first.hash, older.hash])
    expect(await store.findByFingerprint(first.fingerprint)).toBeUndefined()
    expect((await store.history(failed.hash)).map((c) => c.hash)).toEqual([failed.hash])
  })

  it('pages through many commits with equal times without losing or repeating one', async () => {
    const { store } = await open()
    const commits = Array.from({ length: 600 }, (_, i) =>
      makeCommit({ seed: `p${i}`, createdAt: 1000 + Math.floor(i / 300) }),
    )
    for (let i = 0; i < commits.length; i += 100) {
      await Promise.all(commits.slice(i, i + 100).map((c) => store.putCommit(c)))
    }
    const listed = []
    for await (const c of store.listCommits()) listed.push(c.hash)
    const expected = [...commits]
      .sort((a, b) => b.createdAt - a.createdAt || (a.hash < b.hash ? 1 : -1))
      .map((c) => c.hash)
    expect(listed).toEqual(expected)
    const tagged = []
    for await (const c of store.listCommits({ func: 'task', before: 1001, limit: 7 })) tagged.push(c.hash)
    expect(tagged).toEqual(
      expected.filter((h) => commits.find((c) => c.hash === h)?.createdAt === 1000).slice(0, 7),
    )
  })
})
