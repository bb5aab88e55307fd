import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Cairn, sha256Hex } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { blobFile, tempRoot } from './helpers.js'

describe('Cairn on FsStore', () => {
  it('serves a second client from disk, and self-heals a deleted blob', async () => {
    const root = await tempRoot()
    let calls = 0
    const f = (n: number) => {
      calls++ // deliberately not a dep: counting runs must not change the function's identity
      return 'v'.repeat(n)
    }
    const firstStore = await FsStore.open({ root })
    const first = new Cairn({ store: firstStore })
    const ref = await first.task(f, { name: 'f', allowFreeVariables: ['calls'] })(3000)
    await first.close()
    await firstStore.close()
    const store = await FsStore.open({ root })
    const second = new Cairn({ store })
    const hit = await second.task(f, { name: 'f', allowFreeVariables: ['calls'] })(3000)
    expect(hit.cached).toBe(true)
    expect(hit.commit).toBe(ref.commit)
    expect(calls).toBe(1)
    await rm(blobFile(root, hit.hash))
    const healed = await second.task(f, { name: 'f', allowFreeVariables: ['calls'] })(3000)
    expect(healed.cached).toBe(false)
    expect(await healed.load()).toBe('v'.repeat(3000))
    expect(calls).toBe(2)
    await second.close()
    await store.close()
  })
})

describe("a store with files that are not Cairn's", () => {
  it('stats, verify and gc skip stray files and directories among the blob shards', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const cairn = new Cairn({ store })
    const result = await cairn.task((n: number) => 'w'.repeat(n), { name: 'w' })(4000)
    const blobs = join(root, 'blobs', 'sha256')
    writeFileSync(join(blobs, '.DS_Store'), 'finder') // a file where a shard would be
    mkdirSync(join(blobs, 'Thumbs'))
    writeFileSync(join(blobs, 'Thumbs', sha256Hex('x')), 'not in its shard')
    // a directory with a blob's name: not a blob
    mkdirSync(join(blobs, result.hash.slice(0, 2), `${result.hash.slice(0, 2)}${'0'.repeat(62)}`))
    writeFileSync(join(blobs, result.hash.slice(0, 2), '.DS_Store'), 'finder')
    const stats = await cairn.stats()
    expect(stats.blobs).toBe(1)
    const report = await cairn.verify()
    expect(report.ok).toBe(true)
    expect(report.corrupt).toEqual([])
    const gc = await cairn.gc({ dryRun: true })
    expect(gc.blobsKept).toBe(1)
    expect(gc.blobsRemoved).toBe(0)
    expect(readFileSync(join(blobs, '.DS_Store'), 'utf8')).toBe('finder')
    await cairn.close()
    await store.close()
  })
})
