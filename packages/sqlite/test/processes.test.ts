import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeCommit } from '@cairn/conformance'
import { describe, expect, it } from 'vitest'
import { collect, useTempDatabase } from './helpers.js'

// The scripts import the built dist: `npm test` builds first (tsc -p tsconfig.build.json).
const run = promisify(execFile)
const script = (name: string) => fileURLToPath(new URL(`./scripts/${name}`, import.meta.url))
const db = useTempDatabase()

describe('several processes on one file', () => {
  it('create it together, race refs, write the same commits: one winner per race, no lost CAS update', async () => {
    const processes = 3
    const rounds = 30
    // No store has opened the file yet: the processes also race to create it.
    const outputs = await Promise.all(
      Array.from({ length: processes }, (_, i) =>
        run(process.execPath, [script('contender.mjs'), db.path(), `p${i}`, String(rounds)]),
      ),
    )
    const wins = outputs
      .flatMap((o) => (JSON.parse(o.stdout) as { wins: number[] }).wins)
      .sort((a, b) => a - b)
    expect(wins).toEqual(Array.from({ length: rounds }, (_, i) => i))
    const store = await db.open()
    expect(await store.getRef('counter')).toBe(String(processes * rounds))
    const stats = await store.stats()
    expect(stats.commits).toBe(rounds + processes * rounds)
    expect(stats.blobs).toBe(rounds)
    for (let f = 0; f < 5; f++) {
      const base = makeCommit({ seed: `fp-${f}` })
      const all = await collect(store.listCommits({ fingerprint: base.fingerprint }))
      expect(all.length).toBe((processes * rounds) / 5)
      expect((await store.findByFingerprint(base.fingerprint))?.hash).toBe(all[0]?.hash)
    }
  })

  it('putting and deleting the same file blob never leaves a row without its file', async () => {
    const first = await db.open()
    await first.close()
    const outputs = await Promise.all(
      [1, 2].map(() => run(process.execPath, [script('churn.mjs'), db.path(), '300'])),
    )
    const corrupt = outputs.map((o) => (JSON.parse(o.stdout) as { corrupt: number }).corrupt)
    expect(corrupt).toEqual([0, 0])
    const store = await db.open()
    expect(await store.stats()).toMatchObject({ blobs: 0, blobBytes: 0 })
  })
})
