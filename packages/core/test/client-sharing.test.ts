import { describe, expect, it } from 'vitest'
import {
  backendError,
  Cairn,
  type CairnWarning,
  type Commit,
  ErrorCode,
  MemoryStore,
  type OpOptions,
} from '../src/index.js'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e) => (e as { code?: string }).code ?? String(e),
  )

describe('a run shared by identical submits', () => {
  it("one caller's abort ends only that caller's wait; the others get the result of the one run", async () => {
    const cairn = new Cairn({ store: new MemoryStore(), leases: false })
    let calls = 0
    const gate = deferred()
    const slow = async (x: number) => {
      calls++
      await gate.promise
      return x * 10
    }
    const counted = { allowFreeVariables: ['calls', 'gate'] }
    const impatient = new AbortController()
    const first = cairn.run(slow, [4], { signal: impatient.signal, ...counted })
    const second = cairn.run(slow, [4], counted)
    const third = cairn.run(slow, [4], { signal: new AbortController().signal, ...counted })
    await new Promise((r) => setImmediate(r))
    impatient.abort()
    expect(await codeOf(first)).toBe(ErrorCode.Aborted)
    gate.resolve()
    const [a, b] = await Promise.all([second, third])
    expect(calls).toBe(1)
    expect(a.commit).toBe(b.commit)
    expect(await a.load()).toBe(40)
  })

  it('is cancelled when every caller has aborted, and a later submit starts afresh', async () => {
    const gate = deferred()
    const store = new MemoryStore()
    // The lookup waits, so both callers abort before the function could start.
    const waiting = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'findByFingerprint') {
          return async (fingerprint: string, opts?: OpOptions) => {
            await gate.promise
            return target.findByFingerprint(fingerprint, opts)
          }
        }
        const value = Reflect.get(target, key, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const cairn = new Cairn({ store: waiting, leases: false })
    let calls = 0
    const f = (x: number) => {
      calls++
      return x + 1
    }
    const a = new AbortController()
    const b = new AbortController()
    const counted = { allowFreeVariables: ['calls'] }
    const first = cairn.run(f, [1], { signal: a.signal, ...counted })
    const second = cairn.run(f, [1], { signal: b.signal, ...counted })
    a.abort()
    b.abort()
    expect(await codeOf(first)).toBe(ErrorCode.Aborted)
    expect(await codeOf(second)).toBe(ErrorCode.Aborted)
    gate.resolve()
    await new Promise((r) => setTimeout(r, 10))
    expect(calls).toBe(0)
    expect((await store.stats()).commits).toBe(0)
    const fresh = await cairn.run(f, [1], counted)
    expect(await fresh.load()).toBe(2)
    expect(calls).toBe(1)
  })
})

describe('a failure that cannot be recorded', () => {
  it("still gives the caller the task's own error, and warns that the record was lost", async () => {
    const store = new MemoryStore()
    const failing = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'putCommit') {
          return async (commit: Commit, opts?: OpOptions) => {
            if (commit.status === 'failed') throw backendError('disk gone', new Error('EIO'))
            return target.putCommit(commit, opts)
          }
        }
        const value = Reflect.get(target, key, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const warnings: CairnWarning[] = []
    const cairn = new Cairn({ store: failing, leases: false, onWarning: (w) => warnings.push(w) })
    const error = await cairn
      .submit((x: number) => {
        if (x > 0) throw new RangeError('too big')
        return x
      }, 5)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RangeError)
    expect((error as Error).message).toBe('too big')
    expect(warnings).toMatchObject([{ code: 'CAIRN_FAILURE_NOT_RECORDED', task: expect.any(String) }])
    expect((await store.stats()).commits).toBe(0)
  })
})
