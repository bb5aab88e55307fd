import { rm } from 'node:fs/promises'
import { Cairn } from '@cairn/core'
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
