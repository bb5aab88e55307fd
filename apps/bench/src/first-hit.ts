/** Child process: opens an existing FsStore and measures its first cache hit. Prints JSON. */
const started = performance.now()
const { Cairn } = await import('@cairn/core')
const { FsStore } = await import('@cairn/fs')
const imported = performance.now()
const root = process.argv[2] as string
const store = await FsStore.open({ root })
const opened = performance.now()
const cairn = new Cairn({ store })
const ref = await cairn.submit((x: number) => ({ x, doubled: x * 2 }), 1)
const value = await ref.load()
const hit = performance.now()
await store.close()
process.stdout.write(
  JSON.stringify({
    cached: ref.cached,
    value,
    importMs: imported - started,
    openMs: opened - imported,
    hitMs: hit - opened,
  }),
)
