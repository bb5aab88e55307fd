import { describe, expect, it } from 'vitest'
import {
  type Commit,
  type CommitQuery,
  commitHash,
  createMemoryBacking,
  ErrorCode,
  isCairnError,
  MemoryStore,
  sha256Hex,
} from '../src/index.js'

interface CommitSpec {
  seed?: string
  func?: string
  args?: string
  name?: string
  status?: 'completed' | 'failed'
  createdAt?: number
  tags?: Record<string, string>
}

/** A valid commit; commits with the same `func` and `args` share a fingerprint. */
function makeCommit(spec: CommitSpec = {}): Commit {
  const funcHash = sha256Hex(`func:${spec.func ?? 'f'}`)
  const argsHash = sha256Hex(`args:${spec.args ?? 'a'}`)
  const status = spec.status ?? 'completed'
  const body = {
    fingerprint: `${funcHash}:${argsHash}`,
    task: { name: spec.name ?? 'task', funcHash, source: '(x) => x', argsHash, argsPreview: '[1]' },
    status,
    ...(status === 'completed'
      ? { output: { kind: 'inline' as const, value: spec.seed ?? 'out' } }
      : { error: { name: 'Error', message: spec.seed ?? 'boom' } }),
    inputs: [],
    tags: spec.tags ?? {},
    createdAt: spec.createdAt ?? 1000,
    durationMs: 5,
  }
  return { hash: commitHash(body), ...body }
}

async function codeOf(action: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof action === 'function' ? action() : action)
  } catch (error) {
    return isCairnError(error) ? error.code : `not a CairnError: ${String(error)}`
  }
  return undefined
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

async function* chunksOf(...chunks: unknown[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield chunk as Uint8Array
}

const bytes = (...values: number[]) => new Uint8Array(values)

describe('MemoryStore blobs: copies in and out', () => {
  it('is not changed when the caller mutates the array it put or got', async () => {
    const store = new MemoryStore()
    const input = bytes(1, 2, 3)
    const { hash } = await store.putBlob(input)
    input[0] = 99
    const got = await store.getBlob(hash)
    expect(got).toEqual(bytes(1, 2, 3))
    got[1] = 99
    expect(await store.getBlob(hash)).toEqual(bytes(1, 2, 3))
    const [chunk] = await collect(store.openBlob(hash))
    chunk![2] = 99
    expect(await store.getBlob(hash)).toEqual(bytes(1, 2, 3))
  })

  it('copies a Buffer, whose slice() would share memory', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const input = Buffer.from([4, 5, 6])
    const { hash } = await store.putBlob(input)
    input[0] = 0
    expect(await store.getBlob(hash)).toEqual(bytes(4, 5, 6))
    expect(Buffer.isBuffer(backing.blobs.get(hash))).toBe(false)
  })

  it('copies each streamed chunk as it arrives, so a producer may reuse one buffer', async () => {
    const store = new MemoryStore()
    const reused = new Uint8Array(2)
    async function* producer(): AsyncIterable<Uint8Array> {
      for (const pair of [
        [1, 2],
        [3, 4],
      ]) {
        reused.set(pair)
        yield reused
      }
    }
    const { hash, size } = await store.putBlob(producer())
    expect(size).toBe(4)
    expect(hash).toBe(sha256Hex(bytes(1, 2, 3, 4)))
    expect(await store.getBlob(hash)).toEqual(bytes(1, 2, 3, 4))
  })

  it('stores nothing when a stream yields something other than a Uint8Array', async () => {
    const store = new MemoryStore()
    for (const bad of ['text', [1, 2], null, new Uint16Array([1]), new ArrayBuffer(2)]) {
      expect(await codeOf(store.putBlob(chunksOf(bytes(1), bad))), String(bad)).toBe(
        ErrorCode.InvalidArgument,
      )
    }
    expect(await codeOf(store.putBlob('text' as never))).toBe(ErrorCode.InvalidArgument)
    expect(await codeOf(store.putBlob(null as never))).toBe(ErrorCode.InvalidArgument)
    expect((await store.stats()).blobs).toBe(0)
  })

  it('refuses a mismatching expectedHash with CAIRN_CORRUPT and a malformed one as invalid', async () => {
    const store = new MemoryStore()
    const wrong = sha256Hex('something else')
    expect(await codeOf(store.putBlob(bytes(1), { expectedHash: wrong }))).toBe(ErrorCode.Corrupt)
    expect(await codeOf(store.putBlob(bytes(1), { expectedHash: 'ABC' }))).toBe(ErrorCode.InvalidArgument)
    expect(await store.hasBlob(sha256Hex(bytes(1)))).toBe(false)
    const ok = await store.putBlob(chunksOf(bytes(1)), { expectedHash: sha256Hex(bytes(1)) })
    expect(ok).toEqual({ hash: sha256Hex(bytes(1)), size: 1 })
  })
})

describe('MemoryStore blobs: tampering through the backing', () => {
  it('getBlob and openBlob report CAIRN_CORRUPT instead of returning changed bytes', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const { hash } = await store.putBlob(bytes(1, 2, 3))
    backing.blobs.set(hash, bytes(1, 2, 4))
    expect(await codeOf(store.getBlob(hash))).toBe(ErrorCode.Corrupt)
    const received: Uint8Array[] = []
    const code = await codeOf(async () => {
      for await (const chunk of store.openBlob(hash, { start: 0, end: 1 })) received.push(chunk)
    })
    expect(code).toBe(ErrorCode.Corrupt)
    expect(received).toEqual([])
  })

  it('detects in-place mutation of the stored array', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const { hash } = await store.putBlob(bytes(7, 8, 9))
    backing.blobs.get(hash)![0] = 0
    expect(await codeOf(store.getBlob(hash))).toBe(ErrorCode.Corrupt)
  })

  it('re-putting good content leaves the stored copy untouched (and still corrupt)', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const { hash } = await store.putBlob(bytes(1, 2, 3))
    const tampered = bytes(0, 0, 0)
    backing.blobs.set(hash, tampered)
    await store.putBlob(bytes(1, 2, 3))
    expect(backing.blobs.get(hash)).toBe(tampered)
  })

  it('quarantineBlob moves the bytes aside so hasBlob is false', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const { hash } = await store.putBlob(bytes(5))
    backing.blobs.set(hash, bytes(6))
    await store.quarantineBlob(hash)
    expect(await store.hasBlob(hash)).toBe(false)
    expect(backing.quarantine.get(hash)).toEqual(bytes(6))
    expect(await codeOf(store.getBlob(hash))).toBe(ErrorCode.NotFound)
    await store.quarantineBlob(hash) // absent: no error
  })
})

describe('MemoryStore openBlob ranges', () => {
  it('yields [start, end) in 64 KiB chunks', async () => {
    const store = new MemoryStore()
    const data = new Uint8Array(200_000)
    for (let i = 0; i < data.length; i++) data[i] = i % 251
    const { hash } = await store.putBlob(data)
    const chunks = await collect(store.openBlob(hash, { start: 10, end: 150_000 }))
    expect(chunks.map((c) => c.byteLength)).toEqual([65_536, 65_536, 150_000 - 10 - 2 * 65_536])
    expect(Buffer.concat(chunks).equals(data.subarray(10, 150_000))).toBe(true)
    expect(await collect(store.openBlob(hash, { start: 5, end: 5 }))).toEqual([])
    expect(await collect(store.openBlob(hash, { start: 200_000 }))).toEqual([])
  })

  it('refuses malformed or out-of-bounds ranges with CAIRN_INVALID_ARGUMENT', async () => {
    const store = new MemoryStore()
    const { hash } = await store.putBlob(bytes(1, 2, 3, 4))
    const ranges = [
      { start: -1 },
      { start: 1.5 },
      { end: Number.NaN },
      { start: '1' as never },
      { start: 3, end: 2 },
      { end: 5 },
      { start: 5 },
    ]
    for (const range of ranges) {
      expect(await codeOf(collect(store.openBlob(hash, range))), JSON.stringify(range)).toBe(
        ErrorCode.InvalidArgument,
      )
    }
    expect(await codeOf(collect(store.openBlob(sha256Hex('absent'))))).toBe(ErrorCode.NotFound)
  })
})

describe('MemoryStore: hash arguments', () => {
  it('validates the hash of every blob and commit method', async () => {
    const store = new MemoryStore()
    const bad = 'A'.repeat(64)
    const calls: [string, () => Promise<unknown>][] = [
      ['getBlob', () => store.getBlob(bad)],
      ['openBlob', () => collect(store.openBlob(bad))],
      ['hasBlob', () => store.hasBlob(bad)],
      ['deleteBlob', () => store.deleteBlob(bad)],
      ['quarantineBlob', () => store.quarantineBlob(bad)],
      ['history', () => store.history(bad)],
      ['deleteCommit', () => store.deleteCommit('abc')],
      ['getCommit (too short)', () => store.getCommit('abc')],
      ['getCommit (uppercase)', () => store.getCommit('ABCD')],
      ['getCommit (not a string)', () => store.getCommit(42 as never)],
    ]
    for (const [label, call] of calls) expect(await codeOf(call), label).toBe(ErrorCode.InvalidArgument)
  })
})

describe('MemoryStore commits', () => {
  it('refuses a commit whose hash does not match, and one that cannot be hashed, with INVALID_ARGUMENT', async () => {
    const store = new MemoryStore()
    const good = makeCommit()
    expect(await codeOf(store.putCommit({ ...good, createdAt: 2 }))).toBe(ErrorCode.InvalidArgument)
    const cyclic = makeCommit() as Commit & { extra?: unknown }
    cyclic.extra = cyclic
    expect(await codeOf(store.putCommit(cyclic))).toBe(ErrorCode.InvalidArgument)
    const withBigInt = { ...makeCommit(), extra: 1n } as unknown as Commit
    expect(await codeOf(store.putCommit(withBigInt))).toBe(ErrorCode.InvalidArgument)
    expect(await codeOf(store.putCommit(null as never))).toBe(ErrorCode.InvalidArgument)
    expect((await store.stats()).commits).toBe(0)
  })

  it('keeps its own copy and hands out copies', async () => {
    const store = new MemoryStore()
    const commit = makeCommit({ tags: { env: 'test' } })
    await store.putCommit(commit)
    commit.tags.env = 'changed'
    const got = (await store.getCommit(commit.hash))!
    expect(got.tags.env).toBe('test')
    got.tags.env = 'changed again'
    const [listed] = await collect(store.listCommits())
    expect(listed!.tags.env).toBe('test')
    listed!.task.name = 'renamed'
    expect((await store.findByFingerprint(commit.fingerprint))!.task.name).toBe('task')
    expect((await store.history(commit.hash))[0]!.task.name).toBe('task')
  })

  it('stores the JSON form, so an undefined optional field is simply absent', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const base = makeCommit()
    const withUndefined = { ...base, parent: undefined, salt: undefined }
    expect(commitHash(withUndefined)).toBe(base.hash)
    await store.putCommit(withUndefined)
    expect(Object.hasOwn(backing.commits.get(base.hash)!, 'parent')).toBe(false)
    expect(await store.getCommit(base.hash)).toEqual(base)
  })

  it('finds by unique prefix and lists the candidates of an ambiguous one', async () => {
    const store = new MemoryStore()
    const byPrefix = new Map<string, Commit>()
    let clash: [Commit, Commit] | undefined
    for (let i = 0; !clash; i++) {
      const commit = makeCommit({ seed: `prefix-${i}` })
      await store.putCommit(commit)
      const prefix = commit.hash.slice(0, 4)
      const earlier = byPrefix.get(prefix)
      if (earlier) clash = [earlier, commit]
      byPrefix.set(prefix, commit)
    }
    const [a, b] = clash
    const prefix = a.hash.slice(0, 4)
    let error: unknown
    await store.getCommit(prefix).catch((e) => {
      error = e
    })
    expect(isCairnError(error, ErrorCode.Ambiguous)).toBe(true)
    const details = (error as { details: { prefix: string; count: number; candidates: string[] } }).details
    expect(details.prefix).toBe(prefix)
    expect(details.count).toBe(2)
    expect(details.candidates).toEqual([a.hash, b.hash].sort())
    // A longer prefix that tells them apart resolves.
    let split = 5
    while (a.hash.slice(0, split) === b.hash.slice(0, split)) split++
    expect((await store.getCommit(a.hash.slice(0, split)))?.hash).toBe(a.hash)
    expect(await store.getCommit(sha256Hex('no such commit'))).toBeUndefined()
  })

  it('findByFingerprint returns the newest completed commit, ties to the larger hash', async () => {
    const store = new MemoryStore()
    const older = makeCommit({ seed: 'older', createdAt: 100 })
    const newerFailed = makeCommit({ seed: 'failed', status: 'failed', createdAt: 300 })
    const tieA = makeCommit({ seed: 'tie-a', createdAt: 200 })
    const tieB = makeCommit({ seed: 'tie-b', createdAt: 200 })
    const other = makeCommit({ args: 'other', createdAt: 900 })
    for (const c of [tieA, older, newerFailed, other, tieB]) await store.putCommit(c)
    const larger = tieA.hash > tieB.hash ? tieA : tieB
    expect((await store.findByFingerprint(older.fingerprint))?.hash).toBe(larger.hash)
    expect(await store.findByFingerprint('nope')).toBeUndefined()
    expect(await codeOf(store.findByFingerprint(7 as never))).toBe(ErrorCode.InvalidArgument)

    const history = (await store.history(older.hash)).map((c) => c.hash)
    const smaller = larger === tieA ? tieB : tieA
    expect(history).toEqual([newerFailed.hash, larger.hash, smaller.hash, older.hash])
    expect(await codeOf(store.history(sha256Hex('unknown')))).toBe(ErrorCode.NotFound)

    await store.deleteCommit(larger.hash)
    expect((await store.findByFingerprint(older.fingerprint))?.hash).toBe(smaller.hash)
    expect(await store.history(older.hash)).toHaveLength(3)
    await store.deleteCommit(larger.hash) // idempotent
  })

  it('listCommits filters, orders newest first (ties by hash descending) and limits', async () => {
    const store = new MemoryStore()
    const commits = [
      makeCommit({ seed: '1', name: 'a', createdAt: 10, tags: { env: 'prod', team: 'x' } }),
      makeCommit({ seed: '2', name: 'a', createdAt: 30, tags: { env: 'dev' } }),
      makeCommit({ seed: '3', name: 'b', createdAt: 20, status: 'failed', tags: { env: 'prod' } }),
      makeCommit({ seed: '4', name: 'a', createdAt: 30, args: 'other' }),
    ]
    for (const c of commits) await store.putCommit(c)
    const hashes = async (q?: CommitQuery) => (await collect(store.listCommits(q))).map((c) => c.hash)
    const [c1, c2, c3, c4] = commits as [Commit, Commit, Commit, Commit]
    const tied = [c2, c4].sort((x, y) => (x.hash < y.hash ? 1 : -1)).map((c) => c.hash)
    expect(await hashes()).toEqual([...tied, c3.hash, c1.hash])
    expect(await hashes({ func: 'a', limit: 2 })).toEqual(tied)
    expect(await hashes({ tags: { env: 'prod' } })).toEqual([c3.hash, c1.hash])
    expect(await hashes({ tags: { env: 'prod', team: 'x' } })).toEqual([c1.hash])
    expect(await hashes({ status: 'failed' })).toEqual([c3.hash])
    expect(await hashes({ before: 30 })).toEqual([c3.hash, c1.hash])
    expect(await hashes({ fingerprint: c4.fingerprint })).toEqual([c4.hash])
    expect(await hashes({ limit: 0 })).toEqual([])
    expect(await hashes({ tags: { constructor: 'x' } })).toEqual([])
  })

  it('refuses malformed queries with CAIRN_INVALID_ARGUMENT', async () => {
    const store = new MemoryStore()
    await store.putCommit(makeCommit())
    const queries: unknown[] = [
      null,
      'all',
      [],
      { limit: -1 },
      { limit: 1.5 },
      { limit: '3' },
      { before: Number.POSITIVE_INFINITY },
      { before: Number.NaN },
      { before: '5' },
      { tags: 'env' },
      { tags: null },
      { tags: { env: 1 } },
      { status: 'running' },
      { fingerprint: 5 },
      { func: 5 },
    ]
    for (const query of queries) {
      expect(await codeOf(collect(store.listCommits(query as CommitQuery))), JSON.stringify(query)).toBe(
        ErrorCode.InvalidArgument,
      )
    }
  })
})

describe('MemoryStore: two stores on one backing', () => {
  it('share blobs, commits (with the fingerprint index) and refs, and close independently', async () => {
    const backing = createMemoryBacking()
    const a = new MemoryStore({ backing })
    const b = new MemoryStore({ backing })
    const { hash } = await a.putBlob(bytes(1, 2))
    expect(await b.getBlob(hash)).toEqual(bytes(1, 2))

    const first = makeCommit({ seed: 'first', createdAt: 1 })
    const second = makeCommit({ seed: 'second', createdAt: 2 })
    await a.putCommit(first)
    expect((await b.findByFingerprint(first.fingerprint))?.hash).toBe(first.hash)
    await b.putCommit(second)
    expect((await a.findByFingerprint(first.fingerprint))?.hash).toBe(second.hash)
    await a.deleteCommit(second.hash)
    expect((await b.findByFingerprint(first.fingerprint))?.hash).toBe(first.hash)

    expect(await b.setRef('x', '1', null)).toBe(true)
    expect(await a.setRef('x', '2', null)).toBe(false)
    expect(await a.setRef('x', '2', '1')).toBe(true)
    await a.close()
    expect(await codeOf(a.getRef('x'))).toBe(ErrorCode.Closed)
    expect(await b.getRef('x')).toBe('2')
    const reopened = new MemoryStore({ backing })
    expect(await reopened.stats()).toEqual({ blobs: 1, blobBytes: 2, commits: 1, refs: 1 })
  })

  it('sees commits deleted from or added to the backing map directly', async () => {
    const backing = createMemoryBacking()
    const store = new MemoryStore({ backing })
    const first = makeCommit({ seed: 'first', createdAt: 1 })
    const second = makeCommit({ seed: 'second', createdAt: 2 })
    await store.putCommit(first)
    await store.putCommit(second)
    backing.commits.delete(second.hash)
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(first.hash)
    const third = makeCommit({ seed: 'third', createdAt: 3 })
    backing.commits.set(third.hash, structuredClone(third))
    backing.commits.set(second.hash, structuredClone(second))
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(third.hash)
    expect(await store.history(first.hash)).toHaveLength(3)
    // Replaced in place (same size, so the index is not rebuilt): never answers with the wrong fingerprint.
    const unrelated = makeCommit({ args: 'unrelated', createdAt: 9 })
    backing.commits.set(third.hash, structuredClone(unrelated))
    expect((await store.findByFingerprint(first.fingerprint))?.hash).toBe(second.hash)
  })
})

describe('MemoryStore refs', () => {
  it('follows the compare-and-swap rules, including delete', async () => {
    const store = new MemoryStore()
    expect(await store.setRef('r', 'v1', 'v0')).toBe(false)
    expect(await store.getRef('r')).toBeUndefined()
    expect(await store.setRef('r', 'v1', null)).toBe(true)
    expect(await store.setRef('r', 'v2', null)).toBe(false)
    expect(await store.setRef('r', 'v2', 'v1')).toBe(true)
    expect(await store.setRef('r', undefined, 'v1')).toBe(false)
    expect(await store.getRef('r')).toBe('v2')
    expect(await store.setRef('r', undefined, 'v2')).toBe(true)
    expect(await store.getRef('r')).toBeUndefined()
    expect(await store.setRef('r', 'v3')).toBe(true)
    expect(await store.getRef('r')).toBe('v3')
  })

  it('of concurrent swaps from one expected value, exactly one wins', async () => {
    const backing = createMemoryBacking()
    const stores = [new MemoryStore({ backing }), new MemoryStore({ backing })]
    await stores[0]!.setRef('lock', 'free')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % 2]!.setRef('lock', `owner-${i}`, 'free')),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(backing.refs.get('lock')).toBe(`owner-${results.indexOf(true)}`)
  })

  it('refuses bad names, values and expected values, changing nothing', async () => {
    const store = new MemoryStore()
    const calls: [string, () => Promise<unknown>][] = [
      ['__proto__ segment', () => store.setRef('a/__proto__', 'x')],
      ['dot-dot', () => store.setRef('../x', 'x')],
      ['empty', () => store.getRef('')],
      ['value type', () => store.setRef('ok', 5 as never)],
      ['expected type', () => store.setRef('ok', 'x', 5 as never)],
      ['prefix type', () => collect(store.listRefs(undefined as never))],
      ['prefix control char', () => collect(store.listRefs('a\u0000'))],
    ]
    for (const [label, call] of calls) expect(await codeOf(call), label).toBe(ErrorCode.InvalidArgument)
    expect((await store.stats()).refs).toBe(0)
  })

  it('lists by prefix in UTF-16 code unit order', async () => {
    const store = new MemoryStore()
    // '\uff5e' sorts after '\ud83d' (the lead surrogate of 🚀) by code unit, but before it by code point.
    for (const name of ['reg/b', 'reg/\uff5e', 'reg/🚀', 'reg/a', 'reg/B', 'other/a']) {
      await store.setRef(name, name.toUpperCase())
    }
    const listed = await collect(store.listRefs('reg/'))
    expect(listed.map(([name]) => name)).toEqual(['reg/B', 'reg/a', 'reg/b', 'reg/🚀', 'reg/\uff5e'])
    expect(listed[0]).toEqual(['reg/B', 'REG/B'])
    expect(await collect(store.listRefs(''))).toHaveLength(6)
  })
})

describe('MemoryStore: abort and close', () => {
  it('a fired signal gives CAIRN_ABORTED and changes nothing', async () => {
    const store = new MemoryStore()
    const controller = new AbortController()
    controller.abort()
    const signal = controller.signal
    const calls: [string, () => Promise<unknown>][] = [
      ['putBlob', () => store.putBlob(bytes(1), { signal })],
      ['putCommit', () => store.putCommit(makeCommit(), { signal })],
      ['setRef', () => store.setRef('r', 'v', undefined, { signal })],
      ['listRefs', () => collect(store.listRefs('', { signal }))],
    ]
    for (const [label, call] of calls) expect(await codeOf(call), label).toBe(ErrorCode.Aborted)
    expect(await store.stats()).toEqual({ blobs: 0, blobBytes: 0, commits: 0, refs: 0 })
  })

  it('a signal fired while a stream is being put stores nothing', async () => {
    const store = new MemoryStore()
    const controller = new AbortController()
    async function* producer(): AsyncIterable<Uint8Array> {
      yield bytes(1)
      controller.abort()
      yield bytes(2)
    }
    expect(await codeOf(store.putBlob(producer(), { signal: controller.signal }))).toBe(ErrorCode.Aborted)
    expect((await store.stats()).blobs).toBe(0)
  })

  it('closing stops every method, including iterators opened before close', async () => {
    const store = new MemoryStore()
    const data = new Uint8Array(3 * 65_536)
    const { hash } = await store.putBlob(data)
    await store.setRef('a', '1')
    await store.setRef('b', '2')
    const reader = store.openBlob(hash)[Symbol.asyncIterator]()
    expect((await reader.next()).done).toBe(false)
    const refs = store.listRefs('')[Symbol.asyncIterator]()
    expect((await refs.next()).value).toEqual(['a', '1'])
    await store.close()
    await store.close() // idempotent
    expect(await codeOf(reader.next())).toBe(ErrorCode.Closed)
    expect(await codeOf(refs.next())).toBe(ErrorCode.Closed)
    expect(await codeOf(store.hasBlob(hash))).toBe(ErrorCode.Closed)
    expect(await codeOf(store.stats())).toBe(ErrorCode.Closed)
    expect(await codeOf(collect(store.listBlobs()))).toBe(ErrorCode.Closed)
  })
})

describe('MemoryStore stats and capabilities', () => {
  it('counts blobs, bytes, commits and refs, and declares what it can do', async () => {
    const store = new MemoryStore()
    await store.putBlob(bytes(1, 2, 3))
    await store.putBlob(bytes(1, 2, 3))
    await store.putBlob(bytes(4))
    await store.putCommit(makeCommit())
    await store.putCommit(makeCommit())
    await store.setRef('r', 'v')
    expect(await store.stats()).toEqual({ blobs: 2, blobBytes: 4, commits: 1, refs: 1 })
    expect(store.specVersion).toBe('1.0')
    expect(store.capabilities).toEqual({
      streamingWrites: false,
      streamingReads: false,
      crossProcessCas: false,
      persistent: false,
      quarantine: true,
    })
    const listed = await collect(store.listBlobs())
    expect(listed.map((b) => b.size).sort()).toEqual([1, 3])
  })
})
