import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn, type Store } from '@cairn/core'
import { RedisStore } from '@cairn/redis'
import { S3Store } from '@cairn/s3'
import { SqliteStore } from '@cairn/sqlite'
import { testServerUrl } from '@cairn/test-servers'
import { afterAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-stores-'))
const aws = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' }
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cairn(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...aws, NO_COLOR: '', CAIRN_STORE: '', NODE_NO_WARNINGS: '1' },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

/** Each server-backed store, opened by the package and then by URL through the CLI. */
const cases: [scheme: string, open: () => Promise<{ store: Store; url: string }>][] = [
  [
    'sqlite',
    async () => {
      const path = join(dir, 'cairn.db')
      return { store: await SqliteStore.open({ path }), url: `sqlite://${path}` }
    },
  ],
  [
    'redis',
    async () => {
      const prefix = `cli-${randomUUID()}:`
      const url = `${testServerUrl('redis')}/0?prefix=${prefix}`
      return { store: await RedisStore.open({ url }), url }
    },
  ],
  [
    's3',
    async () => {
      const bucket = `cli-${randomUUID()}`
      const endpoint = testServerUrl('s3')
      const store = await S3Store.open({
        bucket,
        endpoint,
        createBucket: true,
        credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY },
      })
      return { store, url: `s3://${bucket}?endpoint=${encodeURIComponent(endpoint)}` }
    },
  ],
]

describe('cairn CLI on the server-backed stores', () => {
  for (const [scheme, open] of cases) {
    it(`${scheme}:// — log, get and stats read what the library wrote`, async () => {
      const { store, url } = await open()
      const client = new Cairn({ store, leases: false })
      const ref = await client.task((n: number) => ({ n, squares: [n * n] }), { name: `${scheme}-task` })(7)
      await store.close()
      const log = cairn(['log', '--store', url, '--json'])
      expect(log.err).toBe('')
      expect(log.code).toBe(0)
      expect(JSON.parse(log.out).map((c: { hash: string }) => c.hash)).toEqual([ref.commit])
      const got = cairn(['get', ref.commit.slice(0, 10), '--store', url])
      expect(got.code).toBe(0)
      expect(JSON.parse(got.out)).toEqual({ n: 7, squares: [49] })
      const stats = cairn(['stats', '--store', url, '--json'])
      expect(stats.code).toBe(0)
      expect(JSON.parse(stats.out)).toMatchObject({ commits: 1 })
    })
  }
})
