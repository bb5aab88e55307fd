import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3'
import { pseudoRandomBytes } from '@cairn/conformance'
import { isCairnError } from '@cairn/core'
import { freePort, startMoto } from '@cairn/test-servers'
import { describe, expect, it } from 'vitest'
import { S3Store } from '../src/index.js'
import { bareClient, credentials, endpoint, freshBucket } from './helpers.js'

const run = promisify(execFile)

describe('an S3 that fails', () => {
  it('open fails with CAIRN_BACKEND when nothing listens', async () => {
    const port = await freePort()
    const start = performance.now()
    const error = await S3Store.open({
      bucket: 'nothing-here',
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      maxAttempts: 1,
    }).catch((e) => e)
    expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
    expect(performance.now() - start).toBeLessThan(5000)
  })

  it('moto stopped mid-upload: the put fails with CAIRN_BACKEND in bounded time, and the store works once S3 is back', async () => {
    let moto = await startMoto()
    try {
      const bare = bareClient(moto.url)
      await bare.send(new CreateBucketCommand({ Bucket: 'faults' }))
      bare.destroy()
      const store = await S3Store.open({
        bucket: 'faults',
        endpoint: moto.url,
        credentials,
        partSize: 5 * 1024 * 1024,
        queueSize: 1,
        maxAttempts: 1,
        requestTimeoutMs: 2000,
      })
      let sent = 0
      let stopped: Promise<void> | undefined
      async function* slowSource() {
        for (let i = 0; i < 40; i++) {
          // After two parts have gone out, the server dies under the upload.
          if (sent >= 11 * 1024 * 1024 && stopped === undefined) stopped = moto.kill()
          const part = pseudoRandomBytes(1024 * 1024, i + 1)
          sent += part.byteLength
          yield part
        }
      }
      const start = performance.now()
      const error = await store.putBlob(slowSource()).catch((e) => e)
      const ms = performance.now() - start
      await stopped
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
      expect(ms).toBeLessThan(15_000)
      expect(stopped).toBeDefined()
      // Reads during the outage are backend errors too, never "not there".
      const read = await store.hasBlob('0'.repeat(64)).catch((e) => e)
      expect(isCairnError(read, 'CAIRN_BACKEND')).toBe(true)
      // moto keeps nothing across a restart; with the bucket back, the same store instance works.
      moto = await startMoto({ port: moto.port })
      const again = bareClient(moto.url)
      await again.send(new CreateBucketCommand({ Bucket: 'faults' }))
      again.destroy()
      const { hash } = await store.putBlob(new TextEncoder().encode('after the outage'))
      expect(new TextDecoder().decode(await store.getBlob(hash))).toBe('after the outage')
      await store.close()
    } finally {
      await moto.stop()
    }
  })

  it('a bucket deleted under the store is CAIRN_BACKEND, never a miss', async () => {
    const bare = bareClient()
    const bucket = await freshBucket(bare)
    const store = await S3Store.open({ bucket, endpoint: endpoint(), credentials })
    const { hash } = await store.putBlob(new TextEncoder().encode('soon gone'))
    await store.deleteBlob(hash)
    await bare.send(new DeleteBucketCommand({ Bucket: bucket }))
    bare.destroy()
    for (const op of [
      (): Promise<unknown> => store.hasBlob(hash),
      () => store.findByFingerprint('f:a'),
      () => store.getRef('main'),
      () => store.getCommit('0'.repeat(64)),
    ]) {
      const error = await op().catch((e) => e)
      expect(isCairnError(error, 'CAIRN_BACKEND')).toBe(true)
    }
    await store.close()
  })

  it('two processes racing refs on one bucket: one winner per round, no lost CAS update', async () => {
    const bare = bareClient()
    const bucket = await freshBucket(bare)
    bare.destroy()
    const contender = fileURLToPath(new URL('./scripts/contender.mjs', import.meta.url))
    const rounds = 15
    const outputs = await Promise.all(
      ['a', 'b'].map((id) => run(process.execPath, [contender, endpoint(), bucket, id, String(rounds)])),
    )
    const results = outputs.map((o) => JSON.parse(o.stdout) as { wins: number[] })
    const allWins = results.flatMap((r) => r.wins).sort((x, y) => x - y)
    expect(allWins).toEqual(Array.from({ length: rounds }, (_, i) => i))
    const store = await S3Store.open({ bucket, endpoint: endpoint(), credentials })
    expect(await store.getRef('counter')).toBe(String(2 * rounds))
    await store.close()
  })
})
