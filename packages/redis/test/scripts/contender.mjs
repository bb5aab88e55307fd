// One of several processes sharing a Redis: races create-if-absent refs, increments a counter by
// compare-and-swap, and writes commits with the same fingerprints as the others.
import { makeCommit } from '@cairn/conformance'
import { RedisStore } from '../../dist/index.js'

const [url, prefix, id, roundsText] = process.argv.slice(2)
const rounds = Number(roundsText)
const store = await RedisStore.open({ url, prefix })
const wins = []
for (let r = 0; r < rounds; r++) {
  if (await store.setRef(`round/${r}`, id, null)) wins.push(r)
  for (;;) {
    const current = await store.getRef('counter')
    const next = String(Number(current ?? 0) + 1)
    if (await store.setRef('counter', next, current ?? null)) break
  }
  // Same content from every process (idempotent), and one commit of its own per shared fingerprint.
  await store.putCommit(makeCommit({ seed: `shared-${r}`, createdAt: 1000 + r }))
  const base = makeCommit({ seed: `fp-${r % 5}` })
  await store.putCommit(makeCommit({ task: base.task, seed: `${id}-${r}`, createdAt: 2000 + r }))
}
await store.close()
process.stdout.write(JSON.stringify({ id, wins }))
