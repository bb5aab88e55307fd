import { describe, expect, it } from 'vitest'
import {
  type Commit,
  commitHash,
  createMemoryBacking,
  ErrorCode,
  InlineExecutor,
  isCairnError,
  jsonSerializer,
  MemoryStore,
  sha256Hex,
} from '../src/index.js'

function commitFor(seed: string): Commit {
  const funcHash = sha256Hex(`f${seed}`)
  const argsHash = sha256Hex(`a${seed}`)
  const body = {
    fingerprint: `${funcHash}:${argsHash}`,
    task: { name: 't', funcHash, source: '() => 1', argsHash, argsPreview: '[]' },
    status: 'completed' as const,
    output: { kind: 'inline' as const, value: seed },
    inputs: [],
    tags: {},
    createdAt: 1,
    durationMs: 1,
  }
  return { hash: commitHash(body), ...body }
}

function refusalOf(value: unknown): { code?: string; message?: string } {
  try {
    jsonSerializer.encode(value)
  } catch (error) {
    return isCairnError(error) ? { code: error.code, message: error.message } : { message: String(error) }
  }
  return {}
}

describe('jsonSerializer', () => {
  it('refuses, with the path, everything JSON would silently change', () => {
    class Point {}
    const cyclic: Record<string, unknown> = {}
    cyclic.me = cyclic
    const cases: [unknown, string][] = [
      [{ a: [1, 2, { b: undefined }] }, '$.a[2].b: undefined'],
      [[Number.NaN], '$[0]: NaN'],
      [{ x: Number.POSITIVE_INFINITY }, '$.x: Infinity'],
      [{ z: -0 }, '$.z: -0'],
      [{ n: 1n }, '$.n: BigInt'],
      [{ d: new Date(0) }, '$.d: Date'],
      [{ m: new Map() }, '$.m: Map'],
      [{ s: new Set() }, '$.s: Set'],
      [{ t: new Uint8Array(1) }, '$.t: Uint8Array'],
      [{ p: new Point() }, '$.p: Point'],
      [{ j: { toJSON: () => 1 } }, '$.j: objects with toJSON'],
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point
      [[1, , 3], '$[1]: sparse'],
      [cyclic, '$.me: cycle'],
      [{ 'odd key': () => 1 }, '$["odd key"]: a function'],
      [{ s: 'lone \udc00' }, '$.s: string has a lone surrogate'],
    ]
    for (const [value, prefix] of cases) {
      const r = refusalOf(value)
      expect(r.code, prefix).toBe(ErrorCode.Unserializable)
      expect(r.message?.startsWith(prefix), `${r.message} should start with ${prefix}`).toBe(true)
    }
  })

  it('round-trips JSON exactly and deterministically', () => {
    const value = { b: [1, 'two', null, true, { c: 0.1 }], a: 'é🚀' }
    const bytes = jsonSerializer.encode(value)
    expect(jsonSerializer.decode(bytes)).toEqual(value)
    expect(jsonSerializer.encode(value)).toEqual(bytes)
  })

  it('keeps __proto__ keys as plain data and never pollutes prototypes', () => {
    const decoded = jsonSerializer.decode(
      new TextEncoder().encode('{"__proto__":{"polluted":1},"a":1}'),
    ) as object
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(jsonSerializer.decode(jsonSerializer.encode(decoded))).toEqual(decoded)
  })

  it('reports invalid UTF-8 and invalid JSON as CAIRN_CORRUPT', () => {
    for (const bytes of [
      new Uint8Array([0xff, 0xfe]),
      new TextEncoder().encode('{"a":'),
      new Uint8Array(0),
    ]) {
      let code: string | undefined
      try {
        jsonSerializer.decode(bytes)
      } catch (error) {
        code = isCairnError(error) ? error.code : 'uncoded'
      }
      expect(code).toBe(ErrorCode.Corrupt)
    }
  })
})

describe('MemoryStore', () => {
  it('shares data between instances on one backing, and detects tampering through it', async () => {
    const backing = createMemoryBacking()
    const a = new MemoryStore({ backing })
    const b = new MemoryStore({ backing })
    const { hash } = await a.putBlob(new Uint8Array([1, 2, 3]))
    expect(await b.getBlob(hash)).toEqual(new Uint8Array([1, 2, 3]))
    expect(await b.setRef('x', '1', null)).toBe(true)
    expect(await a.setRef('x', '2', null)).toBe(false)
    backing.blobs.set(hash, new Uint8Array([1, 2, 4]))
    await expect(a.getBlob(hash)).rejects.toMatchObject({ code: ErrorCode.Corrupt })
    await a.close()
    expect(await b.getRef('x')).toBe('1')
  })

  it('lists ambiguity candidates in the error details', async () => {
    const store = new MemoryStore()
    const seen = new Map<string, string>()
    let prefix = ''
    for (let i = 0; !prefix; i++) {
      const c = commitFor(`amb-${i}`)
      await store.putCommit(c)
      const p = c.hash.slice(0, 4)
      if (seen.has(p)) prefix = p
      seen.set(p, c.hash)
    }
    try {
      await store.getCommit(prefix)
      expect.unreachable()
    } catch (error) {
      expect(isCairnError(error, ErrorCode.Ambiguous)).toBe(true)
      expect((error as { details: { candidates: string[] } }).details.candidates).toHaveLength(2)
    }
    expect(sha256Hex('x')).toHaveLength(64)
  })
})

describe('InlineExecutor', () => {
  it('passes the original error object through, and close waits for running jobs', async () => {
    const executor = new InlineExecutor()
    const original = new SyntaxError('original')
    const caught = await executor
      .run({
        name: 't',
        funcHash: 'a'.repeat(64),
        fn: () => {
          throw original
        },
        args: [],
      })
      .catch((e) => e)
    expect(caught).toBe(original)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const running = executor.run({
      name: 't',
      funcHash: 'a'.repeat(64),
      fn: () => gate.then(() => 'ok'),
      args: [],
    })
    let closed = false
    const closing = executor.close().then(() => {
      closed = true
    })
    await new Promise((r) => setImmediate(r))
    expect(closed).toBe(false)
    release()
    expect(await running).toBe('ok')
    await closing
    expect(closed).toBe(true)
  })
})
