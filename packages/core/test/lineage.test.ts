import { describe, expect, it } from 'vitest'
import {
  Cairn,
  type Commit,
  commitHash,
  createMemoryBacking,
  ErrorCode,
  type LineageGraph,
  MemoryStore,
} from '../src/index.js'

/** a → b → c, a → d, b → e ← d: a diamond with a tail, each step a second later. */
async function pipeline() {
  const backing = createMemoryBacking()
  const store = new MemoryStore({ backing })
  let clock = 1_000
  const cairn = new Cairn({ store, now: () => (clock += 1000), leases: false })
  const load = cairn.task((n: number) => [n, n + 1], { name: 'load' })
  const clean = cairn.task((xs: number[]) => xs.map((x) => x * 2), { name: 'clean' })
  const train = cairn.task((xs: number[]) => xs.length, { name: 'fit' })
  const report = cairn.task((xs: number[]) => `rows: ${xs.length}`, { name: 'report' })
  const join = cairn.task((xs: number[], s: string) => `${s} ${xs}`, { name: 'join' })
  const a = await load(1)
  const b = await clean(a)
  const c = await train(b)
  const d = await report(a)
  const e = await join(b, d)
  return { backing, store, cairn, a: a.commit, b: b.commit, c: c.commit, d: d.commit, e: e.commit }
}

const names = (graph: LineageGraph) =>
  Object.values(graph.nodes)
    .map((n) => (n.missing ? `missing ${n.hash.slice(0, 4)}` : n.name))
    .sort()

describe('cairn.lineage', () => {
  it('walks upstream through inputs, downstream through consumers, or both', async () => {
    const { cairn, a, b, c, d, e } = await pipeline()
    const up = await cairn.lineage(c, { direction: 'upstream' })
    expect(up.root).toBe(c)
    expect(names(up)).toEqual(['clean', 'fit', 'load'])
    expect(up.edges).toEqual([
      [b, c],
      [a, b],
    ])
    expect(up.truncated).toBe(false)

    const down = await cairn.lineage(a.slice(0, 8), { direction: 'downstream' })
    expect(down.root).toBe(a)
    expect(names(down)).toEqual(['clean', 'fit', 'join', 'load', 'report'])
    // Newest consumer first at each step; e, reached from d and from b, is one node with two edges.
    expect(down.edges).toEqual([
      [a, d],
      [a, b],
      [d, e],
      [b, e],
      [b, c],
    ])

    const both = await cairn.lineage(b)
    expect(both.direction).toBe('both')
    expect(names(both)).toEqual(['clean', 'fit', 'join', 'load'])
    expect(both.edges).toEqual([
      [a, b],
      [b, e],
      [b, c],
    ])
    const node = both.nodes[b]
    expect(node).toMatchObject({ hash: b, missing: false, name: 'clean', status: 'completed', inputs: [a] })
    await cairn.close()
  })

  it('stops at depth and says whether there was more', async () => {
    const { cairn, a, b, d } = await pipeline()
    const one = await cairn.lineage(a, { direction: 'downstream', depth: 1 })
    expect(names(one)).toEqual(['clean', 'load', 'report'])
    expect(one.edges).toEqual([
      [a, d],
      [a, b],
    ])
    expect(one.truncated).toBe(true)
    const two = await cairn.lineage(a, { direction: 'downstream', depth: 2 })
    expect(names(two)).toEqual(['clean', 'fit', 'join', 'load', 'report'])
    expect(two.truncated).toBe(false)
    const none = await cairn.lineage(b, { depth: 0 })
    expect(Object.keys(none.nodes)).toEqual([b])
    expect(none.edges).toEqual([])
    expect(none.truncated).toBe(true)
    const leaf = await cairn.lineage(a, { direction: 'upstream', depth: 0 })
    expect(leaf.truncated).toBe(false)
    await cairn.close()
  })

  it('reports a deleted input as a missing node and keeps walking the rest', async () => {
    const { cairn, store, a, b, c } = await pipeline()
    await store.deleteCommit(a)
    const up = await cairn.lineage(c, { direction: 'upstream' })
    expect(up.nodes[a]).toEqual({ hash: a, missing: true })
    expect(up.edges).toEqual([
      [b, c],
      [a, b],
    ])
    await expect(cairn.lineage(a)).rejects.toMatchObject({ code: ErrorCode.NotFound })
    await cairn.close()
  })

  it('terminates on a cycle, and never looks up a malformed input, that a damaged store could hold', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const cairn = new Cairn({ store, leases: false })
    // Two records naming each other: impossible with real hashes, so written straight into the backing.
    const base = (name: string): Omit<Commit, 'hash'> => ({
      fingerprint: `${name}:fp`,
      task: {
        name,
        funcHash: '1'.repeat(64),
        source: '() => 1',
        argsHash: '2'.repeat(64),
        argsPreview: '[]',
      },
      status: 'completed',
      output: { kind: 'inline', value: 1 },
      inputs: [],
      tags: {},
      createdAt: 1,
      durationMs: 1,
    })
    const x = 'a'.repeat(64)
    const y = 'b'.repeat(64)
    backing.commits.set(x, { ...base('x'), hash: x, inputs: [y] })
    backing.commits.set(y, { ...base('y'), hash: y, inputs: [x] })
    for (const direction of ['upstream', 'downstream', 'both'] as const) {
      const graph = await cairn.lineage(x, { direction })
      expect(names(graph), direction).toEqual(['x', 'y'])
      expect(graph.edges.length, direction).toBeLessThanOrEqual(2)
    }
    expect(commitHash(base('x'))).not.toBe(x) // the fixture really is damaged
    // Inputs no real commit has: a prefix of a stored commit, a prototype key. Neither is looked up.
    const z = 'c'.repeat(64)
    backing.commits.set(z, { ...base('z'), hash: z, inputs: [x.slice(0, 8), '__proto__'] })
    const up = await cairn.lineage(z, { direction: 'upstream' })
    expect(Object.keys(up.nodes).sort()).toEqual([x.slice(0, 8), '__proto__', z].sort())
    expect(up.nodes[x.slice(0, 8)]).toEqual({ hash: x.slice(0, 8), missing: true })
    expect(Object.getOwnPropertyDescriptor(up.nodes, '__proto__')?.value).toEqual({
      hash: '__proto__',
      missing: true,
    })
    expect(({} as Record<string, unknown>).missing).toBeUndefined()
    await cairn.close()
  })

  it('refuses bad options with CAIRN_INVALID_ARGUMENT, an unknown commit with CAIRN_NOT_FOUND, and honours abort', async () => {
    const { cairn, a } = await pipeline()
    for (const options of [{ direction: 'sideways' }, { depth: -1 }, { depth: 1.5 }, { depth: Number.NaN }]) {
      await expect(cairn.lineage(a, options as never), JSON.stringify(options)).rejects.toMatchObject({
        code: ErrorCode.InvalidArgument,
      })
    }
    await expect(cairn.lineage('ffff0000')).rejects.toMatchObject({ code: ErrorCode.NotFound })
    await expect(cairn.lineage('xyz')).rejects.toMatchObject({ code: ErrorCode.InvalidArgument })
    await expect(cairn.lineage(a, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: ErrorCode.Aborted,
    })
    await cairn.close()
  })
})
