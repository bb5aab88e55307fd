// One of several processes sharing a bucket: races create-if-absent refs and a CAS counter.
import { S3Store } from '../../dist/index.js'

const [endpoint, bucket, id, roundsText] = process.argv.slice(2)
const store = await S3Store.open({
  bucket,
  endpoint,
  credentials: { accessKeyId: 't', secretAccessKey: 't' },
})
const wins = []
for (let r = 0; r < Number(roundsText); r++) {
  if (await store.setRef(`round/${r}`, id, null)) wins.push(r)
  for (;;) {
    const current = await store.getRef('counter')
    if (await store.setRef('counter', String(Number(current ?? 0) + 1), current ?? null)) break
  }
}
await store.close()
process.stdout.write(JSON.stringify({ id, wins }))
