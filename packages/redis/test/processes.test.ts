import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeCommit } from '@cairn/conformance'
import { afterAll, expect, it } from 'vitest'
import { RedisStore } from '../src/index.js'
import { bareClient, dropPrefix, freshPrefix, redisUrl } from './helpers.js'

const run = promisify(execFile)
const contender = fileURLToPath(new URL('./scripts/contender.mjs', import.meta.url))
const prefix = freshPrefix()

afterAll(async () => {
  const bare = bareClient()
  await dropPrefix(bare, prefix)
  await bare.quit()
})

it('several processes on one Redis: one winner per race, no lost CAS update, one head per fingerprint', async () => {
  const processes = 3
  const rounds = 40
  const outputs = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      run(process.execPath, [contender, redisUrl(), prefix, `p${i}`, String(rounds)]),
    ),
  )
  const results = outputs.map((o) => JSON.parse(o.stdout) as { id: string; wins: number[] })
  const winners = new Map<number, string[]>()
  for (const { id, wins } of results) for (const r of wins) winners.set(r, [...(winners.get(r) ?? []), id])
  for (let r = 0; r < rounds; r++) expect(winners.get(r)?.length, `round ${r}`).toBe(1)

  const store = await RedisStore.open({ url: redisUrl(), prefix })
  expect(await store.getRef('counter')).toBe(String(processes * rounds))
  for (let r = 0; r < rounds; r++) expect(await store.getRef(`round/${r}`)).toBe(winners.get(r)?.[0])
  // Shared commits exist once; each fingerprint's head is its newest completed commit.
  expect((await store.stats()).commits).toBe(rounds + processes * rounds)
  for (let f = 0; f < 5; f++) {
    const base = makeCommit({ seed: `fp-${f}` })
    const all = []
    for await (const c of store.listCommits({ fingerprint: base.fingerprint })) all.push(c)
    expect(all.length).toBe((processes * rounds) / 5)
    expect((await store.findByFingerprint(base.fingerprint))?.hash).toBe(all[0]?.hash)
  }
  await store.close()
})
