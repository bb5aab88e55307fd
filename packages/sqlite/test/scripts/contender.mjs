// One of several processes sharing one SQLite file: races create-if-absent refs, increments a
// counter by compare-and-swap, writes commits with the same fingerprints as the others.
import { makeCommit } from '@cairn/conformance'
import { SqliteStore } from '../../dist/index.js'

const [path, id, roundsText] = process.argv.slice(2)
const store = await SqliteStore.open({ path })
const wins = []
for (let r = 0; r < Number(roundsText); r++) {
  if (await store.setRef(`round/${r}`, id, null)) wins.push(r)
  for (;;) {
    const current = await store.getRef('counter')
    if (await store.setRef('counter', String(Number(current ?? 0) + 1), current ?? null)) break
  }
  await store.putCommit(makeCommit({ seed: `shared-${r}`, createdAt: 1000 + r }))
  const base = makeCommit({ seed: `fp-${r % 5}` })
  await store.putCommit(makeCommit({ task: base.task, seed: `${id}-${r}`, createdAt: 2000 + r }))
  await store.putBlob(new TextEncoder().encode(`shared blob ${r}`.repeat(r * 500)))
}
await store.close()
process.stdout.write(JSON.stringify({ id, wins }))
