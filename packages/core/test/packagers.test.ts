import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  Cairn,
  type CairnError,
  type CairnWarning,
  type Commit,
  commitHash,
  createMemoryBacking,
  ErrorCode,
  isCairnError,
  jsonSerializer,
  MemoryStore,
  type Packager,
  PackagerRegistry,
} from '../src/index.js'

function setup(options: ConstructorParameters<typeof Cairn>[0] = {}) {
  const store = new MemoryStore()
  const warnings: CairnWarning[] = []
  const cairn = new Cairn({ store, leases: false, onWarning: (w) => warnings.push(w), ...options })
  return { store, cairn, warnings }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e) => (e as { code?: string }).code,
  )

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class Point3 extends Point {}

/** A user packager for Point: "x,y" as text, at a priority above the built-ins. */
function pointPackager(version = '1', library = '2.0.0'): Packager<Point> {
  return {
    id: 'geo/point',
    version,
    priority: 60,
    types: [Point],
    artifactTypes: { pack: ['point'], unpack: ['point'] },
    library: { name: 'geo', version: library },
    pack: (p) => ({ artifactType: 'point', bytes: new TextEncoder().encode(`${p.x},${p.y}`) }),
    unpack: (bytes) => {
      const [x, y] = new TextDecoder().decode(bytes).split(',').map(Number)
      return new Point(x as number, y as number)
    },
  }
}

describe('built-in packagers', () => {
  it('stores bytes as they are, a view only its own bytes, and a Buffer comes back a Buffer', async () => {
    const { cairn, store } = setup()
    const backing = new Uint8Array([9, 9, 1, 2, 3, 4, 9])
    const view = new Uint8Array(backing.buffer, 2, 4)
    const ref = await cairn.run((_n: number) => view, [1], { deps: { view } })
    expect(await store.getBlob(ref.hash)).toEqual(new Uint8Array([1, 2, 3, 4]))
    const loaded = await ref.load()
    expect(loaded).toEqual(new Uint8Array([1, 2, 3, 4]))
    expect(Buffer.isBuffer(loaded)).toBe(false)
    const commit = (await store.getCommit(ref.commit)) as Commit
    expect(commit.output).toMatchObject({
      kind: 'blob',
      serializer: 'none',
      instructions: {
        artifactType: 'bytes',
        packager: { id: 'bytes', version: '1' },
        runtime: { name: 'node', version: process.versions.node },
        class: 'Uint8Array',
      },
    })
    const buffer = await (await cairn.submit((s: string) => Buffer.from(s), 'buffer bytes')).load()
    expect(Buffer.isBuffer(buffer)).toBe(true)
    expect((buffer as Buffer).toString()).toBe('buffer bytes')
  })

  it('packs every typed array as raw little-endian numbers with dtype and shape', async () => {
    const { cairn, store } = setup()
    const arrays = [
      new Int8Array([-1, 2]),
      new Uint8ClampedArray([0, 255]),
      new Int16Array([-300, 7]),
      new Uint16Array([65535]),
      new Int32Array([-1, 2 ** 31 - 1]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, -0, Number.NaN]),
      new Float64Array([Math.PI, -0, Number.POSITIVE_INFINITY]),
      new BigInt64Array([-(2n ** 63n), 5n]),
      new BigUint64Array([2n ** 64n - 1n]),
      new Float64Array(0),
    ]
    for (const array of arrays) {
      const ref = await cairn.run((a: string) => arrays[Number(a)], [String(arrays.indexOf(array))], {
        deps: { arrays },
      })
      const back = (await ref.load()) as typeof array
      expect(back.constructor).toBe(array.constructor)
      expect(Array.from(back as ArrayLike<number>)).toEqual(Array.from(array as ArrayLike<number>))
      if (array instanceof Float64Array || array instanceof Float32Array) {
        expect(Object.is(back[1], -0) || array.length < 2).toBe(true)
      }
      const commit = (await store.getCommit(ref.commit)) as Commit
      const instructions = (commit.output as { instructions: Record<string, unknown> }).instructions
      expect(instructions.shape).toEqual([array.length])
      expect(instructions.artifactType).toBe('ndarray')
    }
    const one = await cairn.submit(() => new Float32Array([1.5]))
    // 1.5f is 0x3fc00000: little-endian bytes 00 00 c0 3f.
    expect(Array.from(await store.getBlob(one.hash))).toEqual([0, 0, 0xc0, 0x3f])
    const commit = (await store.getCommit(one.commit)) as Commit
    expect((commit.output as { instructions: Record<string, unknown> }).instructions.dtype).toBe('float32')
  })

  it('stores long strings as UTF-8 text and other values through the serializer', async () => {
    const { cairn, store } = setup()
    const text = `${'héllo 🌍 '.repeat(300)}\u0000end`
    const ref = await cairn.submit((s: string) => s, text)
    expect(await ref.load()).toBe(text)
    expect(new TextDecoder().decode(await store.getBlob(ref.hash))).toBe(text)
    // A lone surrogate cannot be UTF-8: text steps aside, and the JSON serializer refuses it too.
    expect(await codeOf(cairn.submit((n: number) => `${'x'.repeat(n)}\ud800`, 2000))).toBe(
      ErrorCode.Unserializable,
    )
    const object = await cairn.submit(() => ({ rows: Array.from({ length: 200 }, (_, i) => i) }))
    const commit = (await store.getCommit(object.commit)) as Commit
    expect(commit.output).toMatchObject({
      serializer: 'json',
      instructions: {
        artifactType: 'object',
        packager: { id: 'object' },
        serializer: { id: 'json', version: '1' },
      },
    })
  })
})

describe('built-in packagers: edges', () => {
  it('round-trips empty bytes, an empty Buffer and every empty typed array', async () => {
    const { cairn, store } = setup()
    const empties: ArrayBufferView[] = [
      new Uint8Array(0),
      Buffer.alloc(0),
      new DataView(new ArrayBuffer(0)),
      new Int8Array(0),
      new Uint8ClampedArray(0),
      new Int16Array(0),
      new Uint16Array(0),
      new Int32Array(0),
      new Uint32Array(0),
      new Float32Array(0),
      new Float64Array(0),
      new BigInt64Array(0),
      new BigUint64Array(0),
    ]
    for (const [i, empty] of empties.entries()) {
      const ref = await cairn.run((n: number) => empties[n], [i], { deps: { empties } })
      const back = (await ref.load()) as ArrayBufferView
      expect(back.constructor).toBe(empty.constructor)
      expect(back.byteLength).toBe(0)
      expect((await store.getBlob(ref.hash)).byteLength).toBe(0)
    }
  })

  it('stores a DataView as its own bytes and gives a DataView back', async () => {
    const { cairn, store } = setup()
    const buffer = new Uint8Array([7, 7, 1, 2, 3, 7]).buffer
    const ref = await cairn.run((n: number) => new DataView(buffer, n, 3), [2], { deps: { buffer } })
    const back = (await ref.load()) as DataView
    expect(back).toBeInstanceOf(DataView)
    expect(Array.from(new Uint8Array(back.buffer, back.byteOffset, back.byteLength))).toEqual([1, 2, 3])
    expect(await store.getBlob(ref.hash)).toEqual(new Uint8Array([1, 2, 3]))
    const commit = (await store.getCommit(ref.commit)) as Commit
    expect(commit.output).toMatchObject({ instructions: { packager: { id: 'bytes' }, class: 'DataView' } })
  })

  it('keeps unicode text exactly: a leading BOM, NUL, combining marks, astral characters', async () => {
    const { cairn, store } = setup()
    const text = `\ufeff${'e\u0301 日本語 𝄞 🏳️‍🌈 \u0000 '.repeat(100)}`
    const ref = await cairn.submit((s: string) => s, text)
    expect(await ref.load()).toBe(text)
    expect(await store.getBlob(ref.hash)).toEqual(new TextEncoder().encode(text))
    const commit = (await store.getCommit(ref.commit)) as Commit
    expect(commit.output).toMatchObject({
      serializer: 'none',
      instructions: { packager: { id: 'text' }, artifactType: 'text', encoding: 'utf-8' },
    })
  })

  it('keeps small scalars inline, with no blob', async () => {
    const { cairn, store } = setup()
    for (const value of [null, true, 0, -1.5, '', 'é🌍']) {
      const ref = await cairn.submit((v: unknown) => v, value)
      expect(await ref.load()).toBe(value)
      const commit = (await store.getCommit(ref.commit)) as Commit
      expect(commit.output).toEqual({ kind: 'inline', value })
    }
    expect((await store.stats()).blobs).toBe(0)
  })
})

describe('choosing a packager', () => {
  it('takes the highest priority, user packagers first on ties, subclasses only when asked', () => {
    const registry = new PackagerRegistry([pointPackager()])
    expect(registry.select(new Point(1, 2)).id).toBe('geo/point')
    expect(registry.select(new Point3(1, 2)).id).toBe('object')
    const withSubclasses = new PackagerRegistry([{ ...pointPackager(), subclasses: true }])
    expect(withSubclasses.select(new Point3(1, 2)).id).toBe('geo/point')
    expect(registry.select(new Float32Array(1)).id).toBe('ndarray')
    const floats: Packager<Float32Array> = {
      id: 'my/floats',
      version: '1',
      priority: 50,
      types: [Float32Array],
      artifactTypes: { pack: ['bytes'], unpack: ['bytes'] },
      pack: (a) => ({ artifactType: 'bytes', bytes: new Uint8Array(a.buffer.slice(0)) }),
      unpack: (b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
    }
    expect(new PackagerRegistry([floats]).select(new Float32Array(1)).id).toBe('my/floats')
    expect(new PackagerRegistry([floats]).select(new Float64Array(1)).id).toBe('ndarray')
  })

  it('refuses malformed packagers and duplicate ids', () => {
    const bad = [{}, { ...pointPackager(), id: '' }, { ...pointPackager(), priority: Number.NaN }]
    for (const p of bad) {
      expect(() => new PackagerRegistry([p as Packager])).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidArgument }),
      )
    }
    expect(() => new PackagerRegistry([pointPackager(), pointPackager()])).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    )
  })

  it('a user packager round-trips its type through the client, with the library version recorded', async () => {
    const { cairn, store } = setup({ packagers: [pointPackager()] })
    const ref = await cairn.run((x: number) => new Point(x, x + 1), [4], { deps: { Point } })
    const back = await ref.load()
    expect(back).toBeInstanceOf(Point)
    expect(back).toEqual(new Point(4, 5))
    expect(new TextDecoder().decode(await store.getBlob(ref.hash))).toBe('4,5')
    const commit = (await store.getCommit(ref.commit)) as Commit
    expect(commit.output).toMatchObject({
      instructions: {
        packager: { id: 'geo/point', version: '1' },
        library: { name: 'geo', version: '2.0.0' },
      },
    })
  })
  it('a user packager with a built-in id replaces it for packing too; a declining default is refused', () => {
    const mine: Packager<Float32Array> = {
      id: 'ndarray',
      version: '9',
      priority: 10,
      types: [Float32Array],
      artifactTypes: { pack: ['ndarray'], unpack: ['ndarray'] },
      pack: (a) => ({ artifactType: 'ndarray', bytes: new Uint8Array(a.buffer.slice(0)) }),
      unpack: (b) => new Float32Array(b.slice().buffer),
    }
    const registry = new PackagerRegistry([mine])
    expect(registry.select(new Float32Array(1))).toBe(mine)
    expect(registry.get('ndarray')).toBe(mine)
    // The built-in ndarray is gone: a Float64Array falls to the default.
    expect(registry.select(new Float64Array(1)).id).toBe('object')
    const strictDefault: Packager = {
      id: 'object',
      version: '1',
      priority: 0,
      artifactTypes: { pack: ['object'], unpack: ['object'] },
      handles: (v) => typeof v === 'number',
      pack: (v) => ({ artifactType: 'object', bytes: jsonSerializer.encode(v) }),
      unpack: (b) => jsonSerializer.decode(b),
    }
    expect(() => new PackagerRegistry([strictDefault]).select(new Map())).toThrow(
      expect.objectContaining({ code: ErrorCode.Unserializable }),
    )
  })

  it('a higher priority takes values from the built-ins, by handles alone', () => {
    const shout: Packager<string> = {
      id: 'shout',
      version: '1',
      priority: 41,
      artifactTypes: { pack: ['text'], unpack: ['text'] },
      handles: (v) => typeof v === 'string' && v.startsWith('!'),
      pack: (v) => ({ artifactType: 'text', bytes: new TextEncoder().encode(v) }),
      unpack: (b) => new TextDecoder().decode(b),
    }
    const registry = new PackagerRegistry([shout])
    expect(registry.select('!hey').id).toBe('shout')
    expect(registry.select('hey').id).toBe('text')
    expect(new PackagerRegistry([{ ...shout, priority: 40 }]).select('!hey').id).toBe('shout')
    expect(new PackagerRegistry([{ ...shout, priority: 39 }]).select('!hey').id).toBe('text')
  })

  it('refuses a malformed pack result before storing anything', async () => {
    const results: unknown[] = [
      { artifactType: 'point', bytes: [1, 2] },
      { artifactType: 'elsewhere', bytes: new Uint8Array(1) },
      { artifactType: 'point', bytes: new Uint8Array(1), instructions: { n: Number.NaN } },
      { artifactType: 'point', bytes: new Uint8Array(1), instructions: { f: () => 1 } },
      { artifactType: 'point', bytes: new Uint8Array(1), instructions: { at: new Date(0) } },
    ]
    for (const result of results) {
      const { cairn, store } = setup({
        packagers: [{ ...pointPackager(), pack: () => result as ReturnType<Packager['pack']> }],
      })
      const error = (await cairn
        .run(() => new Point(1, 2), [], { deps: { Point } })
        .catch((e: unknown) => e)) as CairnError
      expect(error.code).toBe(ErrorCode.InvalidArgument)
      expect(error.message).toContain('geo/point')
      expect(await store.stats()).toMatchObject({ blobs: 0, commits: 0 })
    }
  })

  it('a packager may pack and unpack asynchronously', async () => {
    const gzipped: Packager<{ text: string }> = {
      id: 'gz-json',
      version: '1',
      priority: 10,
      artifactTypes: { pack: ['gzip'], unpack: ['gzip'] },
      library: { name: 'zlib', version: process.versions.zlib as string },
      handles: (v) => typeof v === 'object' && v !== null && 'text' in v,
      pack: async (v) => ({
        artifactType: 'gzip',
        bytes: new Uint8Array(await promisify(gzip)(JSON.stringify(v))),
      }),
      unpack: async (b) => JSON.parse((await promisify(gunzip)(b)).toString()),
    }
    const { cairn, store } = setup({ packagers: [gzipped] })
    const value = { text: 'a'.repeat(10_000) }
    const ref = await cairn.submit((n: number) => ({ text: 'a'.repeat(n) }), 10_000)
    expect(ref.size).toBeLessThan(200)
    expect(await ref.load()).toEqual(value)
    const commit = (await store.getCommit(ref.commit)) as Commit
    expect(commit.output).toMatchObject({ instructions: { library: { name: 'zlib' } } })
  })
})

describe('unpacking checks the instructions', () => {
  it('warns once on a version mismatch, throws in strict mode, and names a missing packager', async () => {
    const store = new MemoryStore()
    const writer = new Cairn({ store, leases: false, packagers: [pointPackager('1', '2.0.0')] })
    const ref = await writer.run((x: number) => new Point(x, 0), [1], { deps: { Point } })
    const warnings: CairnWarning[] = []
    const newer = new Cairn({
      store,
      leases: false,
      packagers: [pointPackager('2', '3.1.0')],
      onWarning: (w) => warnings.push(w),
    })
    expect(await newer.get(ref.commit)).toEqual(new Point(1, 0))
    expect(await newer.get(ref.commit)).toEqual(new Point(1, 0))
    expect(
      warnings.map((w) => w.code === 'CAIRN_PACKAGING_MISMATCH' && [w.field, w.recorded, w.current]),
    ).toEqual([
      ['packager', '1', '2'],
      ['library', '2.0.0', '3.1.0'],
    ])
    const strict = new Cairn({ store, packagers: [pointPackager('2')], strictPackaging: true })
    const error = (await strict.get(ref.commit).catch((e: unknown) => e)) as CairnError
    expect(isCairnError(error, ErrorCode.VersionMismatch)).toBe(true)
    expect(error.details).toMatchObject({
      packager: 'geo/point',
      field: 'packager',
      recorded: '1',
      current: '2',
    })
    const without = new Cairn({ store })
    const missing = (await without.get(ref.commit).catch((e: unknown) => e)) as CairnError
    expect(isCairnError(missing, ErrorCode.Unsupported)).toBe(true)
    expect(missing.message).toContain('geo/point')
  })

  it('warns when the runtime that packed an output had another major version', async () => {
    const { cairn, store, warnings } = setup()
    const ref = await cairn.submit(() => new Int16Array([1, 2, 3]))
    const commit = (await store.getCommit(ref.commit)) as Commit
    const { hash: _old, ...body } = JSON.parse(JSON.stringify(commit)) as Commit
    ;(
      body.output as unknown as { instructions: { runtime: { version: string } } }
    ).instructions.runtime.version = '14.0.0'
    body.createdAt += 1
    const moved = { hash: commitHash(body), ...body } as Commit
    await store.putCommit(moved)
    expect(await cairn.get(moved.hash)).toEqual(new Int16Array([1, 2, 3]))
    expect(warnings).toMatchObject([
      { code: 'CAIRN_PACKAGING_MISMATCH', field: 'runtime', recorded: 'node 14.0.0' },
    ])
    const strict = new Cairn({ store, strictPackaging: true })
    expect(await codeOf(strict.get(moved.hash))).toBe(ErrorCode.VersionMismatch)
  })

  it('warns on a serializer version mismatch and through process warnings once by default', async () => {
    const store = new MemoryStore()
    const old = { ...jsonSerializer, version: '0' }
    const ref = await new Cairn({ store, leases: false, serializer: old }).submit(
      (n: number) => ({
        rows: Array.from({ length: n }, (_, i) => i),
      }),
      300,
    )
    const seen: { name: string; code?: string; message: string }[] = []
    const listener = (w: Error & { code?: string }) =>
      seen.push({ name: w.name, code: w.code, message: w.message })
    process.on('warning', listener)
    try {
      const reader = new Cairn({ store, leases: false })
      expect(((await reader.get(ref.commit)) as { rows: number[] }).rows).toHaveLength(300)
      expect(((await reader.get(ref.commit)) as { rows: number[] }).rows).toHaveLength(300)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', listener)
    }
    const mismatches = seen.filter((w) => w.code === 'CAIRN_PACKAGING_MISMATCH')
    expect(mismatches).toHaveLength(1)
    expect(mismatches[0]?.message).toContain('serializer 0')
    const strict = new Cairn({ store, strictPackaging: true })
    expect(await codeOf(strict.get(ref.commit))).toBe(ErrorCode.VersionMismatch)
  })

  it('refuses an artifact type the packager does not unpack', async () => {
    const store = new MemoryStore()
    const ref = await new Cairn({ store, leases: false, packagers: [pointPackager()] }).run(
      (x: number) => new Point(x, 0),
      [1],
      { deps: { Point } },
    )
    const narrowed = { ...pointPackager(), artifactTypes: { pack: ['point'], unpack: ['point/v2'] } }
    const reader = new Cairn({ store, packagers: [narrowed] })
    const error = (await reader.get(ref.commit).catch((e: unknown) => e)) as CairnError
    expect(error.code).toBe(ErrorCode.Unsupported)
    expect(error.message).toContain('"point"')
  })
})

describe('bundles', () => {
  const model = (seed: number) => ({
    name: `model ${seed}`,
    weights: new Float32Array([seed, seed / 2, -0]),
    mask: new Uint8Array([1, 0, seed]),
    meta: { layers: [seed, seed + 1], note: 'n'.repeat(3000) },
    steps: 12,
  })

  it('packs each member with its own packager and gives the whole value back', async () => {
    const { cairn, store } = setup()
    const ref = await cairn.submit(model, 3)
    expect(await ref.load()).toEqual(model(3))
    const commit = (await store.getCommit(ref.commit)) as Commit
    const output = commit.output as Extract<Commit['output'], { kind: 'bundle' }>
    expect(output.kind).toBe('bundle')
    expect(output.container).toBe('record')
    const kinds = Object.fromEntries(
      output.entries.map(([key, o]) => [
        key,
        o.kind === 'blob' ? (o.instructions?.packager as { id: string } | undefined)?.id : o.kind,
      ]),
    )
    expect(kinds).toEqual({
      name: 'inline',
      weights: 'ndarray',
      mask: 'bytes',
      meta: 'object',
      steps: 'inline',
    })
    expect(await store.getBlob((output.entries[2]![1] as { blob: { hash: string } }).blob.hash)).toEqual(
      new Uint8Array([1, 0, 3]),
    )
    // Binary data deeper inside plain containers makes bundles all the way down to it.
    const nested = await cairn.submit(
      (n: number) => ({ model: { layers: [{ w: new Float32Array([n]) }] }, n }),
      6,
    )
    expect(await nested.load()).toEqual({ model: { layers: [{ w: new Float32Array([6]) }] }, n: 6 })
    const nestedCommit = (await store.getCommit(nested.commit)) as Commit
    expect(nestedCommit.output?.kind).toBe('bundle')
    const list = await cairn.submit((n: number) => [new Int32Array([n]), 'x', { n }], 5)
    expect(await list.load()).toEqual([new Int32Array([5]), 'x', { n: 5 }])
  })

  it('has a content identity: the same value from two stores, hit or miss, chains alike', async () => {
    const a = setup()
    const b = setup()
    const refA = await a.cairn.submit(model, 1)
    const refB = await b.cairn.submit(model, 1)
    const hit = await a.cairn.submit(model, 1)
    expect(hit.cached).toBe(true)
    expect(refA.hash).toBe(refB.hash)
    expect(hit.hash).toBe(refA.hash)
    expect((await a.cairn.submit(model, 2)).hash).not.toBe(refA.hash)
    const total = (m: ReturnType<typeof model>) => m.weights.reduce((s, x) => s + x, 0)
    expect(await (await a.cairn.submit(total, refA)).load()).toBe(1.5)
  })

  it('gc keeps every member blob while the commit lives, and drops them with it', async () => {
    const { cairn, store } = setup()
    const ref = await cairn.submit(model, 7)
    expect((await store.stats()).blobs).toBe(3)
    await cairn.gc()
    expect((await store.stats()).blobs).toBe(3)
    expect(await ref.load()).toEqual(model(7))
    await cairn.rm(ref.commit)
    await cairn.gc()
    expect((await store.stats()).blobs).toBe(0)
  })

  it('a missing member is a miss; a corrupt member is CAIRN_CORRUPT on get and recomputed by load', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const cairn = new Cairn({ store, leases: false })
    let runs = 0
    const counted = (seed: number) => {
      runs++
      return { w: new Float64Array([seed]), b: new Uint8Array([seed]) }
    }
    const unkeyedCounter = { allowFreeVariables: ['runs'] }
    const ref = await cairn.run(counted, [2], unkeyedCounter)
    const memberHash = (commit: Commit) =>
      (
        (commit.output as Extract<Commit['output'], { kind: 'bundle' }>).entries[0]![1] as {
          blob: { hash: string }
        }
      ).blob.hash
    const weights = memberHash((await store.getCommit(ref.commit)) as Commit)
    await store.deleteBlob(weights)
    const again = await cairn.run(counted, [2], unkeyedCounter)
    expect(again.cached).toBe(false)
    expect(runs).toBe(2)
    // Damage the member in place: get refuses it; the ResultRef from submit heals by recomputing.
    backing.blobs.set(weights, new Uint8Array(8).fill(7))
    expect(await codeOf(cairn.get(again.commit))).toBe(ErrorCode.Corrupt)
    expect(await again.load()).toEqual({ w: new Float64Array([2]), b: new Uint8Array([2]) })
    expect(runs).toBe(3)
    expect(await store.getBlob(weights)).toEqual(new Uint8Array(new Float64Array([2]).buffer))
  })

  it('keeps a "__proto__" key of a bundled record as an own property', async () => {
    const { cairn } = setup()
    const ref = await cairn.submit((json: string) => {
      const record = JSON.parse(json) as Record<string, unknown>
      record.w = new Int8Array([1])
      return record
    }, '{"__proto__": {"polluted": true}, "n": 1}')
    const back = (await ref.load()) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(back.w).toEqual(new Int8Array([1]))
  })

  it('verify reports a bundle member that is missing', async () => {
    const { cairn, store } = setup()
    const ref = await cairn.submit(model, 9)
    const commit = (await store.getCommit(ref.commit)) as Commit
    const member = (commit.output as Extract<Commit['output'], { kind: 'bundle' }>).entries[1]?.[1] as {
      blob: { hash: string }
    }
    await store.deleteBlob(member.blob.hash)
    const report = await cairn.verify()
    expect(report.missing).toEqual([{ commit: ref.commit, blob: member.blob.hash, role: 'output' }])
  })
})
