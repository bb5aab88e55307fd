import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { makeCommit, pseudoRandomBytes, pseudoRandomStream, sameCall } from '@cairn/conformance'
import { sha256Hex } from '@cairn/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { S3Store, s3Keys } from '../src/index.js'
import { bareClient, credentials, endpoint, freshBucket, keysIn, rawOracle } from './helpers.js'

let bare: S3Client
let bucket: string
const stores: S3Store[] = []
const open = async (options: { prefix?: string; pageSize?: number } = {}) => {
  const store = await S3Store.open({ bucket, endpoint: endpoint(), credentials, ...options })
  stores.push(store)
  return store
}

beforeEach(async () => {
  bare = bareClient()
  bucket = await freshBucket(bare)
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  bare.destroy()
})

describe('S3 layout and conditional writes', () => {
  it('stores blobs at sharded keys, sending the SHA-256 checksum S3 checks the upload against', async () => {
    const client = new S3Client({
      endpoint: endpoint(),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    })
    const sent: Record<string, string>[] = []
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers })
        return next(args)
      },
      { step: 'finalizeRequest' },
    )
    const store = await S3Store.open({ bucket, client, prefix: 'team' })
    stores.push(store)
    const bytes = pseudoRandomBytes(10_000, 3)
    const { hash } = await store.putBlob(bytes)
    const key = `team/blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`
    expect(s3Keys('team/').blob(hash)).toBe(key)
    const put = sent.find((headers) => headers['x-amz-checksum-sha256'] !== undefined)
    expect(put?.['x-amz-checksum-sha256']).toBe(Buffer.from(hash, 'hex').toString('base64'))
    expect(put?.['if-none-match']).toBe('*')
    const head = await bare.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }))
    expect(head.ContentLength).toBe(10_000)
    expect(head.ChecksumSHA256).toBe(Buffer.from(hash, 'hex').toString('base64'))
    // moto 5.2 stores the checksum without checking it (AWS S3 refuses a mismatch with BadDigest), so
    // this test checks that the header goes out with every blob PUT and lands beside the object.
    client.destroy()
  })

  it('never overwrites a stored blob: a second put of the same hash is a success that changes nothing', async () => {
    const store = await open()
    const bytes = pseudoRandomBytes(5000, 4)
    const { hash } = await store.putBlob(bytes)
    const oracle = rawOracle(bare, bucket)
    const planted = pseudoRandomBytes(5000, 99)
    await oracle.writeBlob(hash, planted)
    expect(await store.putBlob(bytes)).toEqual({ hash, size: 5000 })
    // If-None-Match kept the object that was there (verify/quarantine deal with bad bytes, puts never clobber).
    expect(Buffer.from((await oracle.readBlob(hash)) as Uint8Array).equals(Buffer.from(planted))).toBe(true)
  })

  it('streams a multi-part blob through a staging key, leaving only the blob', async () => {
    const store = await open()
    const total = 12 * 1024 * 1024 + 17
    const ref = await store.putBlob(pseudoRandomStream(total, 256 * 1024, 8))
    const keys = await keysIn(bare, bucket)
    expect(keys).toEqual([s3Keys('').blob(ref.hash)])
    const head = await bare.send(
      new HeadObjectCommand({ Bucket: bucket, Key: keys[0], ChecksumMode: 'ENABLED' }),
    )
    expect(head.ContentLength).toBe(total)
    const again = await store.putBlob(pseudoRandomStream(total, 256 * 1024, 8))
    expect(again).toEqual(ref)
    expect(await keysIn(bare, bucket)).toEqual(keys)
  })

  it('a failed stream or a wrong expected hash stores nothing and leaves nothing behind', async () => {
    const store = await open()
    async function* dies() {
      yield pseudoRandomBytes(9 * 1024 * 1024, 5)
      throw new Error('source died')
    }
    await expect(store.putBlob(dies())).rejects.toThrow('source died')
    const err = await store
      .putBlob(pseudoRandomStream(10 * 1024 * 1024, 1024 * 1024, 2), { expectedHash: sha256Hex('other') })
      .catch((e) => e)
    expect(err.code).toBe('CAIRN_CORRUPT')
    expect(await keysIn(bare, bucket)).toEqual([])
  })

  it('pages through listings without losing or repeating anything', async () => {
    const store = await open({ pageSize: 4 })
    const hashes = new Set<string>()
    for (let i = 0; i < 23; i++) hashes.add((await store.putBlob(new TextEncoder().encode(`blob ${i}`))).hash)
    const listed: string[] = []
    for await (const ref of store.listBlobs()) listed.push(ref.hash)
    expect(listed.length).toBe(23)
    expect(new Set(listed)).toEqual(hashes)
    const commits = Array.from({ length: 19 }, (_, i) =>
      makeCommit({ seed: `c${i}`, createdAt: 1000 + (i % 5) }),
    )
    for (const c of commits) await store.putCommit(c)
    const expected = [...commits]
      .sort((a, b) => b.createdAt - a.createdAt || (a.hash < b.hash ? 1 : -1))
      .map((c) => c.hash)
    const all: string[] = []
    for await (const c of store.listCommits()) all.push(c.hash)
    expect(all).toEqual(expected)
    const before: string[] = []
    for await (const c of store.listCommits({ before: 1003, limit: 5 })) before.push(c.hash)
    expect(before).toEqual(
      expected.filter((h) => (commits.find((c) => c.hash === h)?.createdAt ?? 0) < 1003).slice(0, 5),
    )
    expect((await store.stats()).blobs).toBe(23)
  })

  it('keeps the fingerprint head on the newest completed commit through puts and deletes', async () => {
    const store = await open()
    const first = makeCommit({ seed: 'h1', createdAt: 1000 })
    const newer = sameCall(first, { seed: 'h2', createdAt: 2000 })
    const failed = sameCall(first, { seed: 'h3', createdAt: 3000, status: 'failed' })
    await Promise.all([first, newer, failed].map((c) => store.putCommit(c)))
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(newer.hash)
    await store.deleteCommit(newer.hash)
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(first.hash)
    await store.deleteCommit(first.hash)
    expect(await store.findByFingerprint(first.fingerprint)).toBeUndefined()
    expect((await store.history(failed.hash)).map((c) => c.hash)).toEqual([failed.hash])
  })

  it('parses s3:// URLs', async () => {
    const store = await S3Store.open({
      url: `s3://${bucket}/some/prefix?endpoint=${encodeURIComponent(endpoint())}&region=us-east-1`,
      credentials,
    })
    stores.push(store)
    expect(store.bucket).toBe(bucket)
    expect(store.prefix).toBe('some/prefix/')
    await store.setRef('main', 'v')
    expect(await keysIn(bare, bucket)).toEqual(['some/prefix/refs/main'])
  })
})
