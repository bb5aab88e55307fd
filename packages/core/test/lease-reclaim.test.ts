import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { Cairn, createMemoryBacking, MemoryStore, type SetRefOptions, type Store } from '../src/index.js'

const deadPid = (): number => spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid as number
const lease = (owner: string, pid: number, expiresAt: number, host = hostname()) =>
  JSON.stringify({ owner, pid, host, expiresAt })
const HOUR = 3_600_000

/** `inner` with some methods replaced (private fields need the real receiver for the rest). */
function withMethods(inner: Store, methods: Partial<Store>): Store {
  return new Proxy(inner, {
    get(target, key) {
      if (key in methods) return (methods as Record<PropertyKey, unknown>)[key]
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** A backing with one user ref, a live lease (this process), an expired one and a dead holder's. */
function pile() {
  const backing = createMemoryBacking()
  backing.refs.set('registry/x/latest', 'v1')
  backing.refs.set('leases/live', lease('live', process.pid, Date.now() + HOUR))
  backing.refs.set('leases/expired', lease('expired', 1, 0, 'elsewhere'))
  backing.refs.set('leases/dead', lease('dead', deadPid(), Date.now() + HOUR))
  backing.refs.set('leases/garbled', 'not json')
  return backing
}
const leaseNames = (backing: ReturnType<typeof createMemoryBacking>) =>
  [...backing.refs.keys()].filter((name) => name.startsWith('leases/')).sort()

describe('lease refs', () => {
  it('are never counted as user refs: stats() reports them apart', async () => {
    const backing = pile()
    const store = new MemoryStore({ backing })
    const cairn = new Cairn({ store, leases: true })
    await cairn.store() // first use sweeps; the live lease stays
    backing.refs.set('leases/dead-later', lease('dead', deadPid(), Date.now() + HOUR))
    const stats = await cairn.stats()
    expect(stats.refs).toBe(1)
    expect(stats.leases).toBe(2)
    expect((await store.stats()).refs).toBe(3) // the store itself knows nothing of leases
  })

  it('gc removes expired, garbled and dead-holder leases and keeps the live one; a dry run only counts', async () => {
    const backing = pile()
    const cairn = new Cairn({ store: new MemoryStore({ backing }), leases: false })
    await cairn.store()
    // Leases left after the client's first use (the open sweep) are what gc must handle.
    backing.refs.set('leases/expired', lease('expired', 1, 0, 'elsewhere'))
    backing.refs.set('leases/dead', lease('dead', deadPid(), Date.now() + HOUR))
    const dry = await cairn.gc({ dryRun: true })
    expect(dry.leasesReclaimed).toBe(2)
    expect(leaseNames(backing)).toEqual(['leases/dead', 'leases/expired', 'leases/live'])
    const report = await cairn.gc()
    expect(report.leasesReclaimed).toBe(2)
    expect(leaseNames(backing)).toEqual(['leases/live'])
    expect(backing.refs.get('registry/x/latest')).toBe('v1')
  })

  it('are swept on a client’s first use of its store', async () => {
    const backing = pile()
    const cairn = new Cairn({ store: new MemoryStore({ backing }) })
    await cairn.submit((x: number) => x + 1, 1)
    expect(leaseNames(backing)).toEqual(['leases/live'])
  })

  it('the sweep on first use is bounded; gc finishes the job', async () => {
    const backing = createMemoryBacking()
    for (let i = 0; i < 300; i++)
      backing.refs.set(`leases/${String(i).padStart(3, '0')}`, lease('x', 1, 0, 'elsewhere'))
    const cairn = new Cairn({ store: new MemoryStore({ backing }) })
    await cairn.store()
    expect(leaseNames(backing)).toHaveLength(300 - 256)
    expect((await cairn.gc()).leasesReclaimed).toBe(300 - 256)
    expect(leaseNames(backing)).toEqual([])
  })

  it('a lease renewed between the sweep’s read and its removal stays (compare-and-swap on the value)', async () => {
    const backing = createMemoryBacking()
    const inner = new MemoryStore({ backing })
    const renewed = lease('holder', process.pid, Date.now() + HOUR)
    backing.refs.set('leases/slow', lease('holder', process.pid, 0))
    // The holder renews its lease after the sweep has read the expired value, before it swaps.
    const store = withMethods(inner, {
      async setRef(name, value, expected, opts): Promise<boolean> {
        if (name === 'leases/slow') backing.refs.set('leases/slow', renewed)
        return inner.setRef(name, value, expected, opts)
      },
    })
    const cairn = new Cairn({ store, leases: false })
    expect((await cairn.gc()).leasesReclaimed).toBe(0)
    expect(backing.refs.get('leases/slow')).toBe(renewed)
  })

  it('takes, renews and releases leases with non-durable writes', async () => {
    const inner = new MemoryStore()
    const writes: [string, SetRefOptions | undefined][] = []
    const store = withMethods(inner, {
      setRef(
        name: string,
        value: string | undefined,
        expected?: string | null,
        opts?: SetRefOptions,
      ): Promise<boolean> {
        writes.push([name, opts])
        return inner.setRef(name, value, expected, opts)
      },
    })
    const cairn = new Cairn({ store, leases: true, leaseTtlMs: 30 })
    const slow = async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 60)) // long enough for a renewal
      return x
    }
    await cairn.run(slow, [1], { allowFreeVariables: ['setTimeout'] })
    expect(writes.length).toBeGreaterThanOrEqual(3) // take, at least one renewal, release
    for (const [name, opts] of writes) {
      expect(name.startsWith('leases/')).toBe(true)
      expect(opts?.durable).toBe(false)
    }
  })
})
