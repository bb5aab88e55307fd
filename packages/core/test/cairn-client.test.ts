import { describe, expect, it } from 'vitest'
import {
  Cairn,
  CairnError,
  type CairnWarning,
  createMemoryBacking,
  ErrorCode,
  type Executor,
  functionIdentity,
  hashArgs,
  InlineExecutor,
  isCairnError,
  MemoryStore,
} from '../src/index.js'

function setup(options: { now?: () => number } = {}) {
  const backing = createMemoryBacking()
  const store = new MemoryStore({ backing })
  const warnings: CairnWarning[] = []
  const cairn = new Cairn({ store, onWarning: (w) => warnings.push(w), ...options })
  return { backing, store, cairn, warnings }
}

/** Makes a function from source text, so two spellings of one function can be compared. */
function compile(source: string): (x: number) => number {
  return new Function(`return (${source}\n)`)()
}

/** A promise and the function that resolves it: lets a test hold a running task at a known point. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return isCairnError(error) ? error.code : `not a CairnError: ${String(error)}`
  }
  return undefined
}

describe('submit: hits and misses', () => {
  it('runs once, then answers identical calls from the cache', async () => {
    const { cairn } = setup()
    let calls = 0
    const square = (x: number) => {
      calls++
      return { x, squared: x * x }
    }
    // The counter is deliberate test instrumentation, read unkeyed.
    const counted = { allowFreeVariables: ['calls'] }
    const first = await cairn.run(square, [7], counted)
    const second = await cairn.run(square, [7], counted)
    expect(calls).toBe(1)
    expect(first.cached).toBe(false)
    expect(second.cached).toBe(true)
    expect(second.commit).toBe(first.commit)
    expect(second.hash).toBe(first.hash)
    expect(await second.load()).toEqual({ x: 7, squared: 49 })
    await cairn.run(square, [8], counted)
    expect(calls).toBe(2)
  })

  it('treats a formatting-only change of the source as the same function, and a semantic change as a new one', async () => {
    const { cairn } = setup()
    const a = compile('(x) => x + 1')
    const b = compile('(x)=>x+1 // same, reformatted')
    const c = compile('(x) => x + 2')
    const ra = await cairn.submit(a, 1)
    const rb = await cairn.submit(b, 1)
    expect(ra.cached).toBe(false)
    expect(rb.cached).toBe(true)
    const rc = await cairn.submit(c, 1)
    expect(await rc.load()).toBe(3)
    expect(rc.cached).toBe(false)
  })

  it('keys by version and deps, not by tags', async () => {
    const { cairn } = setup()
    let calls = 0
    const f = (x: number) => {
      calls++
      return x
    }
    const counted = { allowFreeVariables: ['calls'] }
    const v1 = cairn.task(f, { name: 'f', version: '1', tags: { run: 'a' }, ...counted })
    const v1again = cairn.task(f, { name: 'f', version: '1', tags: { run: 'b' }, ...counted })
    const v2 = cairn.task(f, { name: 'f', version: '2', ...counted })
    await v1(1)
    expect((await v1again(1)).cached).toBe(true)
    expect((await v2(1)).cached).toBe(false)
    expect(calls).toBe(2)
    const commits = await cairn.log({ tags: { run: 'a' } })
    expect(commits).toHaveLength(1)
    expect(commits[0]?.task.version).toBe('1')
  })

  it('records small scalars inline, undefined as undefined, and larger values as blobs', async () => {
    const { cairn, store } = setup()
    const scalar = await cairn.submit((x: number) => x * 2, 21)
    const nothing = await cairn.submit((_x: number) => undefined, 1)
    const big = await cairn.submit((n: number) => 'y'.repeat(n), 5000)
    expect(await scalar.load()).toBe(42)
    expect(await nothing.load()).toBeUndefined()
    expect(await big.load()).toBe('y'.repeat(5000))
    expect((await cairn.show(scalar.commit)).output).toEqual({ kind: 'inline', value: 42 })
    expect((await cairn.show(nothing.commit)).output).toEqual({ kind: 'undefined' })
    const bigCommit = await cairn.show(big.commit)
    expect(bigCommit.output?.kind).toBe('blob')
    expect(await store.hasBlob(big.hash)).toBe(true)
    // A long string is a text artifact: its UTF-8 bytes as they are (no JSON quotes).
    expect(big.size).toBe(5000)
    expect(new TextDecoder().decode(await store.getBlob(big.hash))).toBe('y'.repeat(5000))
  })

  it('refuses unhashable arguments with the path, and records nothing', async () => {
    const { cairn, store } = setup()
    class Foo {}
    const f = (x: unknown, _options: unknown) => x
    const error = await cairn.submit(f, 1, { model: { layers: [0, 1, 2, new Foo()] } }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Unserializable)).toBe(true)
    expect(String(error.message)).toMatch(/^args\[1\]\.model\.layers\[3\]/)
    expect((await store.stats()).commits).toBe(0)
  })

  it('refuses a pre-aborted call without running it', async () => {
    const { cairn, store } = setup()
    let calls = 0
    const controller = new AbortController()
    controller.abort()
    const code = await codeOf(
      cairn.run(() => calls++, [], { signal: controller.signal, allowFreeVariables: ['calls'] }),
    )
    expect(code).toBe(ErrorCode.Aborted)
    expect(calls).toBe(0)
    expect((await store.stats()).commits).toBe(0)
  })
})

describe('chaining and lineage', () => {
  it('keys a chained step by the content of its input, and records the DAG', async () => {
    const { cairn } = setup()
    let consumed = 0
    const loadA = () => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    const loadB = () => Array.from({ length: 20 }, (_, i) => i + 1)
    const total = (xs: number[]) => {
      consumed++
      return xs.reduce((s, x) => s + x, 0)
    }
    const counted = { allowFreeVariables: ['consumed'] }
    const a = await cairn.submit(loadA)
    const sumA = await cairn.run(total, [a], counted)
    const b = await cairn.submit(loadB)
    expect(b.hash).toBe(a.hash) // different functions, same output content
    const sumB = await cairn.run(total, [b], counted)
    expect(consumed).toBe(1)
    expect(sumB.cached).toBe(true)
    expect(await sumA.load()).toBe(210)
    const commit = await cairn.show(sumA.commit)
    expect(commit.inputs).toEqual([a.commit])
  })

  it('links a rerun to its parent and lists history newest first', async () => {
    let clock = 1_000
    const { cairn } = setup({ now: () => clock })
    const noisy = cairn.task((x: number) => x + 1, { name: 'noisy', cache: false })
    const r1 = await noisy(1)
    clock += 10
    const r2 = await noisy(1)
    clock += 10
    const r3 = await noisy(1)
    expect(new Set([r1.commit, r2.commit, r3.commit]).size).toBe(3)
    const c3 = await cairn.show(r3.commit)
    expect(c3.parent).toBe(r2.commit)
    expect(c3.salt).toMatch(/^[0-9a-f-]{36}$/)
    expect((await cairn.history(r1.commit)).map((c) => c.hash)).toEqual([r3.commit, r2.commit, r1.commit])
  })
})

describe('failures', () => {
  it('records a failed commit, rethrows the original error, and does not serve failures from cache', async () => {
    const { cairn } = setup()
    let calls = 0
    class DomainError extends TypeError {}
    const boom = (x: number) => {
      calls++
      throw new DomainError(`bad ${x}`)
    }
    const counted = { allowFreeVariables: ['calls', 'DomainError'] }
    const e1 = await cairn.run(boom, [1], counted).catch((e) => e)
    expect(e1).toBeInstanceOf(DomainError)
    expect(e1.message).toBe('bad 1')
    const e2 = await cairn.run(boom, [1], counted).catch((e) => e)
    expect(e2).toBeInstanceOf(DomainError)
    expect(calls).toBe(2)
    const failed = await cairn.log({ status: 'failed' })
    expect(failed).toHaveLength(2)
    expect(failed[0]?.error).toMatchObject({ name: 'TypeError', message: 'bad 1' })
    expect(failed[0]?.parent).toBe(failed[1]?.hash)
    expect(await codeOf(cairn.get(failed[0]!.hash))).toBe(ErrorCode.NotFound)
  })

  it('records an output the serializer cannot keep as a failure with a coded error', async () => {
    const { cairn } = setup()
    const error = await cairn.submit(() => new Map([[1, 2]])).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Unserializable)).toBe(true)
    const [commit] = await cairn.log()
    expect(commit?.status).toBe('failed')
    expect(commit?.error?.code).toBe(ErrorCode.Unserializable)
  })
})

describe('concurrency', () => {
  it('shares one run between concurrent identical submits in a process', async () => {
    const { cairn } = setup()
    let calls = 0
    const { promise: gate, resolve: release } = deferred()
    const slow = async (x: number) => {
      calls++
      await gate
      return x * 10
    }
    const counted = { allowFreeVariables: ['calls', 'gate'] }
    const pending = Array.from({ length: 5 }, () => cairn.run(slow, [4], counted))
    await Promise.resolve()
    release()
    const refs = await Promise.all(pending)
    expect(calls).toBe(1)
    expect(new Set(refs.map((r) => r.commit)).size).toBe(1)
    expect(await refs[4]!.load()).toBe(40)
  })

  it('makes a second client on the same store wait for the lease holder instead of computing again', async () => {
    const backing = createMemoryBacking()
    const first = new Cairn({ store: new MemoryStore({ backing }), leases: true })
    const second = new Cairn({ store: new MemoryStore({ backing }), leases: true })
    let calls = 0
    const { promise: gate, resolve: release } = deferred()
    const slow = async (x: number) => {
      calls++
      await gate
      return x + 100
    }
    const counted = { allowFreeVariables: ['calls', 'gate'] }
    const a = first.run(slow, [1], counted)
    // Let the first client take the lease before the second asks.
    while (![...backing.refs.keys()].some((k) => k.startsWith('leases/')))
      await new Promise((r) => setImmediate(r))
    const b = second.run(slow, [1], counted)
    await new Promise((r) => setTimeout(r, 30))
    release()
    const [ra, rb] = await Promise.all([a, b])
    expect(calls).toBe(1)
    expect(rb.cached).toBe(true)
    expect(rb.commit).toBe(ra.commit)
    expect([...backing.refs.keys()].filter((k) => k.startsWith('leases/'))).toEqual([])
  })

  it('takes over an expired lease, and one held by a dead process on this host, at once', async () => {
    const { hostname } = await import('node:os')
    const { spawnSync } = await import('node:child_process')
    const deadPid = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!
    const f = (x: number) => x * 3
    const fingerprint = (x: number) => `${functionIdentity(f).hash}:${hashArgs([x])}`
    const holders = [
      { owner: 'expired', pid: 1, host: 'elsewhere', expiresAt: 0 },
      { owner: 'dead', pid: deadPid, host: hostname(), expiresAt: Date.now() + 3_600_000 },
    ]
    for (const [i, holder] of holders.entries()) {
      const backing = createMemoryBacking()
      const cairn = new Cairn({ store: new MemoryStore({ backing }), leases: true })
      await cairn.store() // the sweep on first use is done: the submit itself must take over
      backing.refs.set(`leases/${fingerprint(i)}`, JSON.stringify(holder))
      const ref = await cairn.submit(f, i)
      expect(await ref.load()).toBe(i * 3)
      expect(ref.cached).toBe(false)
      expect(backing.refs.has(`leases/${fingerprint(i)}`)).toBe(false)
    }
  })
})

describe('self-healing', () => {
  it('recomputes when the output blob of a hit is missing', async () => {
    const { cairn, backing } = setup()
    let calls = 0
    const f = (n: number) => {
      calls++
      return 'z'.repeat(n)
    }
    const counted = { allowFreeVariables: ['calls'] }
    const ref = await cairn.run(f, [3000], counted)
    backing.blobs.delete(ref.hash)
    const again = await cairn.run(f, [3000], counted)
    expect(again.cached).toBe(false)
    expect(calls).toBe(2)
    expect(await again.load()).toBe('z'.repeat(3000))
  })

  it('recomputes on load when the output blob is corrupt, and the next submit does not throw', async () => {
    const { cairn, backing } = setup()
    let calls = 0
    const f = (n: number) => {
      calls++
      return Array.from({ length: n }, (_, i) => i)
    }
    const counted = { allowFreeVariables: ['calls'] }
    const ref = await cairn.run(f, [500], counted)
    const bytes = backing.blobs.get(ref.hash)!
    bytes[3] = (bytes[3]! + 1) % 256
    expect(await ref.load()).toEqual(Array.from({ length: 500 }, (_, i) => i))
    expect(calls).toBe(2)
    const next = await cairn.run(f, [500], counted)
    expect(await next.load()).toHaveLength(500)
    expect(backing.quarantine.size).toBe(1)
  })

  it('get() of a corrupt blob fails with CAIRN_CORRUPT instead of returning wrong data', async () => {
    const { cairn, backing } = setup()
    const ref = await cairn.submit((n: number) => 'q'.repeat(n), 2000)
    const bytes = backing.blobs.get(ref.hash)!
    bytes[10] = 0
    expect(await codeOf(cairn.get(ref.commit))).toBe(ErrorCode.Corrupt)
  })
})

describe('inspecting', () => {
  it('show accepts unique prefixes and refuses unknown ones', async () => {
    const { cairn } = setup()
    const ref = await cairn.submit((x: number) => x, 1)
    expect((await cairn.show(ref.commit.slice(0, 8))).hash).toBe(ref.commit)
    expect(await codeOf(cairn.show('ffffffffffff'.replace(/f/g, ref.commit[0] === 'f' ? 'e' : 'f')))).toBe(
      ErrorCode.NotFound,
    )
    expect(await codeOf(cairn.show('xyz'))).toBe(ErrorCode.InvalidArgument)
    expect(await cairn.get(ref.commit.slice(0, 10))).toBe(1)
  })

  it('diff reports what changed between two runs', async () => {
    const { cairn } = setup()
    const r1 = await cairn.submit(
      cairn.task((x: number) => x + 1, { name: 'inc', tags: { a: '1' } }),
      1,
    )
    const r2 = await cairn.submit(
      cairn.task((x: number) => x + 2, { name: 'inc', tags: { a: '2', b: 'x' } }),
      1,
    )
    const d = await cairn.diff(r1.commit, r2.commit)
    expect(d.function.changed).toBe(true)
    expect(d.args.changed).toBe(false)
    expect(d.output.changed).toBe(true)
    expect(d.sameCall).toBe(false)
    expect(d.tags).toEqual({ added: { b: 'x' }, removed: {}, changed: { a: ['1', '2'] } })
  })

  it('log filters by function name, status and limit, newest first', async () => {
    let clock = 0
    const { cairn } = setup({ now: () => ++clock })
    const inc = cairn.task((x: number) => x + 1, { name: 'inc' })
    const dbl = cairn.task((x: number) => x * 2, { name: 'dbl' })
    for (let i = 0; i < 3; i++) {
      await inc(i)
      await dbl(i)
    }
    const incs = await cairn.log({ func: 'inc' })
    expect(incs.map((c) => c.task.name)).toEqual(['inc', 'inc', 'inc'])
    expect(incs.map((c) => c.createdAt)).toEqual([5, 3, 1])
    expect(await cairn.log({ limit: 2 })).toHaveLength(2)
  })

  it('rm removes a commit so the next call recomputes', async () => {
    const { cairn } = setup()
    let calls = 0
    const f = cairn.task((x: number) => ++calls + x, { allowFreeVariables: ['calls'] })
    const ref = await f(1)
    await cairn.rm(ref.commit)
    expect(await codeOf(cairn.show(ref.commit))).toBe(ErrorCode.NotFound)
    await f(1)
    expect(calls).toBe(2)
  })

  it('keeps large arguments as a blob and a short preview; small ones only as a preview', async () => {
    const { cairn, store } = setup()
    const big = Array.from({ length: 2000 }, (_, i) => i)
    const ref = await cairn.submit((xs: number[]) => xs.length, big)
    const commit = await cairn.show(ref.commit)
    expect(commit.task.argsPreview.length).toBeLessThanOrEqual(200)
    expect(commit.task.argsBlob).toBeDefined()
    expect(await store.hasBlob(commit.task.argsBlob!.hash)).toBe(true)
    const small = await cairn.show((await cairn.submit((x: number) => x, 5)).commit)
    expect(small.task.argsBlob).toBeUndefined()
    expect(small.task.argsPreview).toContain('5')
  })
})

describe('maintenance', () => {
  it('gc drops old commits and unreachable blobs, keeping refs, inputs and recent work', async () => {
    let clock = 0
    const { cairn, store } = setup({ now: () => clock })
    const make = cairn.task((n: number, c: string) => c.repeat(n), { name: 'make' })
    const measure = cairn.task((s: string) => s.length * 2 + 0.5, { name: 'measure' })
    clock = 1_000
    const old = await make(3000, 'a') // old, unreferenced: goes
    const pinned = await make(3000, 'b') // old, but a ref names its commit: stays
    const input = await make(3000, 'c') // old, but input of a recent commit: stays
    clock = 10_000
    const recent = await measure(input)
    await store.setRef('pins/b', pinned.commit)
    const report = await cairn.gc({ olderThan: 5_000 })
    expect(report.commitsRemoved).toEqual([old.commit])
    expect(await store.hasBlob(old.hash)).toBe(false)
    expect(await store.hasBlob(pinned.hash)).toBe(true)
    expect(await store.hasBlob(input.hash)).toBe(true)
    expect((await cairn.show(recent.commit)).hash).toBe(recent.commit)
    expect(report.blobsRemoved).toBe(1)
    expect(report.bytesFreed).toBe(old.size)
  })

  it('gc keep retains the newest N, and dryRun changes nothing', async () => {
    let clock = 0
    const { cairn, store } = setup({ now: () => ++clock })
    for (let i = 0; i < 5; i++) await cairn.submit((n: number) => 'k'.repeat(n), 2000 + i)
    const dry = await cairn.gc({ keep: 2, dryRun: true })
    expect(dry.commitsRemoved).toHaveLength(3)
    expect((await store.stats()).commits).toBe(5)
    const real = await cairn.gc({ keep: 2 })
    expect(real.commitsRemoved).toEqual(dry.commitsRemoved)
    expect((await cairn.log()).map((c) => c.createdAt)).toEqual([5, 4])
    expect((await store.stats()).blobs).toBe(2)
    expect(await codeOf(cairn.gc({ keep: -1 }))).toBe(ErrorCode.InvalidArgument)
  })

  it('verify finds corrupt and missing blobs and quarantines the corrupt ones', async () => {
    const { cairn, backing } = setup()
    const good = await cairn.submit((n: number) => 'g'.repeat(n), 2000)
    const bad = await cairn.submit((n: number) => 'b'.repeat(n), 2000)
    const gone = await cairn.submit((n: number) => 'm'.repeat(n), 2000)
    backing.blobs.get(bad.hash)![0] = 0
    backing.blobs.delete(gone.hash)
    const report = await cairn.verify()
    expect(report.ok).toBe(false)
    expect(report.corrupt).toEqual([bad.hash])
    expect(report.missing).toEqual(
      expect.arrayContaining([
        { commit: gone.commit, blob: gone.hash, role: 'output' },
        { commit: bad.commit, blob: bad.hash, role: 'output' },
      ]),
    )
    expect(backing.quarantine.has(bad.hash)).toBe(true)
    // Counted without an onProgress callback too.
    expect(report.blobsChecked).toBe(2)
    expect(report.commitsChecked).toBe(3)
    expect(report.bytesChecked).toBeGreaterThanOrEqual(2000)
    expect(await good.load()).toBe('g'.repeat(2000))
  })

  it('stats counts completed and failed commits', async () => {
    const { cairn } = setup()
    await cairn.submit((x: number) => x, 1)
    await cairn
      .submit((): number => {
        throw new Error('x')
      })
      .catch(() => undefined)
    expect(await cairn.stats()).toMatchObject({ commits: 2, completed: 1, failed: 1 })
  })
})

describe('function identity in the client', () => {
  it('refuses undeclared free variables before lookup; deps key them; an opt-out is recorded; strict refuses the opt-out', async () => {
    const { cairn, store, warnings } = setup()
    const scale = 3
    const f = (x: number) => x * scale
    expect(await codeOf(cairn.submit(f, 1))).toBe(ErrorCode.FreeVariables)
    expect((await store.stats()).commits).toBe(0)
    const withDeps = await cairn.task(f, { deps: { scale } })(1)
    expect((await cairn.show(withDeps.commit)).task.unkeyedFreeVariables).toBeUndefined()
    const optedOut = await cairn.run(f, [1], { allowFreeVariables: ['scale'] })
    expect(await optedOut.load()).toBe(3)
    expect((await cairn.show(optedOut.commit)).task.unkeyedFreeVariables).toEqual(['scale'])
    // The opt-out is not remembered for later calls without it.
    expect(await codeOf(cairn.submit(f, 1))).toBe(ErrorCode.FreeVariables)
    expect(warnings).toEqual([])
    const strict = new Cairn({ store: new MemoryStore(), strict: true })
    expect(await codeOf(strict.run(f, [1], { allowFreeVariables: true }))).toBe(ErrorCode.InvalidArgument)
    expect(await codeOf(strict.submit(f, 1))).toBe(ErrorCode.FreeVariables)
  })

  it('changing a declared dep changes the key', async () => {
    const { cairn } = setup()
    const f = (x: number) => x
    const a = await cairn.task(f, { name: 'f', deps: { table: [1, 2] } })(1)
    const b = await cairn.task(f, { name: 'f', deps: { table: [1, 3] } })(1)
    expect(b.cached).toBe(false)
    expect(b.commit).not.toBe(a.commit)
  })

  it('refuses functions it cannot identify', async () => {
    const { cairn } = setup()
    expect(await codeOf(cairn.submit(Math.max, 1, 2))).toBe(ErrorCode.InvalidArgument)
    const bound = ((x: number) => x).bind(null)
    expect(await codeOf(cairn.submit(bound, 1))).toBe(ErrorCode.InvalidArgument)
  })
})

describe('lifecycle', () => {
  it('closes what it opened, refuses work after close, and leaves a passed-in store open', async () => {
    const { cairn, store } = setup()
    await cairn.submit((x: number) => x, 1)
    await cairn.close()
    await cairn.close()
    expect(await codeOf(cairn.submit((x: number) => x, 1))).toBe(ErrorCode.Closed)
    expect(await codeOf(cairn.log())).toBe(ErrorCode.Closed)
    expect((await store.stats()).commits).toBe(1)
  })

  it('uses the executor it is given', async () => {
    const seen: string[] = []
    const inline = new InlineExecutor()
    const recording: Executor = {
      specVersion: inline.specVersion,
      capabilities: inline.capabilities,
      run(job, ctx) {
        seen.push(job.name)
        return inline.run(job, ctx)
      },
      close: () => inline.close(),
    }
    const cairn = new Cairn({ store: new MemoryStore(), executor: recording })
    await cairn.submit(function named(x: number) {
      return x
    }, 1)
    expect(seen).toEqual(['named'])
    expect(CairnError.isInstance(new CairnError(ErrorCode.Closed, 'x'), ErrorCode.Closed)).toBe(true)
  })
})

describe('gc down to a size', () => {
  it('drops the oldest commits until reachable blobs fit maxBytes, sparing refs and inputs', async () => {
    let clock = 0
    const { cairn, store } = setup({ now: () => ++clock })
    const make = cairn.task((n: number, c: string) => c.repeat(n), { name: 'make' })
    const refs = []
    for (const c of 'abcdef') refs.push(await make(2000, c)) // 6 text blobs of 2000 bytes, oldest first
    await store.setRef('pins/a', refs[0]!.commit) // the oldest is pinned
    const report = await cairn.gc({ maxBytes: 6050 })
    const left = (await cairn.log()).map((c) => c.hash)
    expect(left).toEqual([refs[5]!.commit, refs[4]!.commit, refs[0]!.commit])
    expect(report.blobsKept).toBe(3)
    expect((await store.stats()).blobBytes).toBe(3 * 2000)
    expect(await codeOf(cairn.gc({ maxBytes: -1 }))).toBe(ErrorCode.InvalidArgument)
  })
})
