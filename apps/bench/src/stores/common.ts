import { makeCommit } from '@cairn/conformance'
import { Cairn, type Store } from '@cairn/core'
import { median, type Sample, summarize, timeOps } from '../measure.js'
import type { StoreBenchContext } from './context.js'

/** What the bare client does for each row: the minimal equivalent of the store's operation. */
export interface BareClient {
  /** One read of a small value: the minimal round trip a hit needs. */
  get(): Promise<unknown>
  /** One write of a small value (about a commit's size). */
  put(i: number): Promise<unknown>
  /** Writes `bytes` as one object/value under a fresh name. */
  putLarge(bytes: Uint8Array, i: number): Promise<unknown>
  /** Reads back what `putLarge` wrote last. */
  getLarge(): Promise<unknown>
}

const MiB = 1024 * 1024

/**
 * The rows every store gets: hits through the `Cairn` client (inline scalar: one store read; blob
 * result: two), a small commit put, and 64 MiB of bytes in and out, each next to its bare baseline.
 */
export async function benchStoreAgainstBare(
  label: string,
  ctx: StoreBenchContext,
  store: Store,
  bare: BareClient,
): Promise<Sample[]> {
  const samples: Sample[] = []
  const rounds = ctx.n(2000)
  ctx.log('hits')
  const bareGet = await timeOps(rounds, () => bare.get())
  const bareGetTwice = await timeOps(rounds, async () => {
    await bare.get()
    await bare.get()
  })
  samples.push(summarize(label, `bare client: one small read`, bareGet, { note: 'the baseline round trip' }))
  const cairn = new Cairn({ store, leases: false })
  const scalar = (x: number) => x * 2
  const object = (x: number) => ({ x, doubled: x * 2, label: 'small result' })
  await cairn.submit(scalar, 1)
  await cairn.submit(object, 1)
  const fingerprint = (await cairn.submit(scalar, 1)).commit
  const scalarCommit = await store.getCommit(fingerprint)
  const lookups = await timeOps(rounds, () => store.findByFingerprint(scalarCommit?.fingerprint as string))
  samples.push(
    summarize(label, 'store.findByFingerprint alone', lookups, {
      baseline: '1 bare read',
      ratio: median(lookups) / median(bareGet),
      target: '≤ 1.5× bare',
    }),
  )
  const scalarHits = await timeOps(rounds, () => cairn.submit(scalar, 1))
  const blobHits = await timeOps(rounds, () => cairn.submit(object, 1))
  samples.push(
    summarize(label, 'warm hit, inline scalar (1 store read)', scalarHits, {
      baseline: '1 bare read',
      ratio: median(scalarHits) / median(bareGet),
      target: '≤ 1.5× bare',
    }),
  )
  samples.push(
    summarize(label, 'warm hit, blob result (fingerprint + blob check)', blobHits, {
      baseline: '2 bare reads',
      ratio: median(blobHits) / median(bareGetTwice),
      target: '≤ 1.5× bare',
    }),
  )

  ctx.log('small puts')
  const barePut = await timeOps(ctx.n(1000), (i) => bare.put(i))
  const puts = await timeOps(ctx.n(1000), (i) =>
    store.putCommit(
      makeCommit({ seed: `bench-${i}`, createdAt: 1_700_000_000_000 + i, tags: { run: 'bench' } }),
    ),
  )
  samples.push(summarize(label, 'bare client: one small write', barePut))
  samples.push(
    summarize(label, 'putCommit (commit + its index entries)', puts, {
      baseline: '1 bare write',
      ratio: median(puts) / median(barePut),
    }),
  )

  ctx.log('64 MiB')
  const iterations = ctx.quick ? 1 : 3
  const blobs = Array.from({ length: iterations + 1 }, (_, i) => {
    const bytes = new Uint8Array(64 * MiB)
    new DataView(bytes.buffer).setUint32(0, i + 17)
    return bytes
  })
  const hashes: string[] = []
  const bareLargePut = await timeOps(
    iterations,
    (i) => bare.putLarge(blobs[Math.max(0, i + 1)] as Uint8Array, i),
    1,
  )
  const bareLargeGet = await timeOps(iterations, () => bare.getLarge(), 1)
  const largePut = await timeOps(
    iterations,
    async (i) => hashes.push((await store.putBlob(blobs[Math.max(0, i + 1)] as Uint8Array)).hash),
    1,
  )
  const largeGet = await timeOps(
    iterations,
    (i) => store.getBlob(hashes[Math.max(0, i) % hashes.length] as string),
    1,
  )
  const largeStream = await timeOps(
    iterations,
    async (i) => {
      for await (const _ of store.openBlob(hashes[Math.max(0, i) % hashes.length] as string)) {
        // drain
      }
    },
    1,
  )
  const rate = (micros: number[]) => 64 / (median(micros) / 1e6)
  const throughput = (name: string, micros: number[], baseline: string, bareMicros: number[]) =>
    samples.push({
      group: label,
      name,
      unit: 'MB/s',
      median: rate(micros),
      iterations: micros.length,
      baseline,
      ratio: rate(micros) / rate(bareMicros),
      note: `bare ${rate(bareMicros).toFixed(0)} MB/s`,
    })
  throughput('putBlob 64 MiB (hash + chunked/verified write)', largePut, 'bare write 64 MiB', bareLargePut)
  throughput('getBlob 64 MiB (read + verify)', largeGet, 'bare read 64 MiB', bareLargeGet)
  throughput('openBlob 64 MiB (streamed, verified)', largeStream, 'bare read 64 MiB', bareLargeGet)
  return samples
}
