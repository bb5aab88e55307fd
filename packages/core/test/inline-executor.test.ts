import { describe, expect, it } from 'vitest'
import { ErrorCode, InlineExecutor, isCairnError, type Job, sha256Hex } from '../src/index.js'

const FUNC_HASH = sha256Hex('inline executor test')

function job(fn: ((...args: any[]) => unknown) | undefined, args: unknown[] = []): Job {
  return { name: 'job', funcHash: FUNC_HASH, fn, args }
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return isCairnError(error) ? error.code : `not a CairnError: ${String(error)}`
  }
  return undefined
}

/** Lets every pending promise callback and I/O callback run once. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('InlineExecutor', () => {
  it('calls fn with the args in order and this undefined, and returns the awaited value', async () => {
    const executor = new InlineExecutor()
    const seen: unknown[] = []
    const value = await executor.run(
      job(
        async function (this: unknown, ...args: unknown[]) {
          seen.push(this, ...args)
          return { sum: (args[0] as number) + (args[1] as number) }
        },
        [2, 3, undefined],
      ),
    )
    expect(value).toEqual({ sum: 5 })
    expect(seen).toEqual([undefined, 2, 3, undefined])
  })

  it('passes the same object a job threw or rejected with, even a non-Error', async () => {
    const executor = new InlineExecutor()
    class JobError extends RangeError {}
    const thrown = new JobError('sync')
    const rejected = new TypeError('async')
    const oddThing = { not: 'an error' }
    const throwing = () => {
      throw thrown
    }
    expect(await executor.run(job(throwing)).catch((e) => e)).toBe(thrown)
    expect(await executor.run(job(() => Promise.reject(rejected))).catch((e) => e)).toBe(rejected)
    expect(
      await executor
        .run(
          job(async () => {
            throw oddThing
          }),
        )
        .catch((e) => e),
    ).toBe(oddThing)
  })

  it('a pre-aborted signal gives CAIRN_ABORTED and the fn never runs', async () => {
    const executor = new InlineExecutor()
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    let ran = false
    const code = await codeOf(
      executor.run(
        job(() => {
          ran = true
        }),
        { signal: controller.signal },
      ),
    )
    expect(code).toBe(ErrorCode.Aborted)
    expect(ran).toBe(false)
  })

  it('does not stop a running job when its signal fires (abortsRunningJobs: false)', async () => {
    const executor = new InlineExecutor()
    expect(executor.capabilities).toEqual({
      inProcess: true,
      abortsRunningJobs: false,
      concurrency: Number.POSITIVE_INFINITY,
    })
    const controller = new AbortController()
    const release = gate()
    const running = executor.run(
      job(async () => {
        await release.opened
        return 'finished'
      }),
      { signal: controller.signal },
    )
    controller.abort()
    release.open()
    expect(await running).toBe('finished')
  })

  it('refuses a job without a function, or with args that are not an array', async () => {
    const executor = new InlineExecutor()
    expect(await codeOf(executor.run(job(undefined)))).toBe(ErrorCode.InvalidArgument)
    expect(await codeOf(executor.run({ ...job(undefined), fn: 'source' as never }))).toBe(
      ErrorCode.InvalidArgument,
    )
    expect(await codeOf(executor.run(null as never))).toBe(ErrorCode.InvalidArgument)
    let ran = false
    const markRan = () => {
      ran = true
    }
    expect(await codeOf(executor.run({ ...job(markRan), args: 'ab' as never }))).toBe(
      ErrorCode.InvalidArgument,
    )
    expect(ran).toBe(false)
  })

  it('runs jobs concurrently: a job waiting on another does not deadlock', async () => {
    const executor = new InlineExecutor()
    const second = gate()
    const first = executor.run(
      job(async () => {
        await second.opened
        return 'first'
      }),
    )
    const other = executor.run(
      job(() => {
        second.open()
        return 'second'
      }),
    )
    expect(await Promise.all([first, other])).toEqual(['first', 'second'])
  })

  it('close refuses new jobs at once and resolves only after running jobs settle', async () => {
    const executor = new InlineExecutor()
    const release = gate()
    const failLater = gate()
    let finished = false
    const running = executor.run(
      job(async () => {
        await release.opened
        finished = true
        return 'done'
      }),
    )
    const failing = executor
      .run(
        job(async () => {
          await failLater.opened
          throw new Error('late failure')
        }),
      )
      .catch((e: Error) => e.message)
    let closed = false
    const closing = executor.close().then(() => {
      closed = true
    })
    expect(await codeOf(executor.run(job(() => 1)))).toBe(ErrorCode.Closed)
    await settle()
    expect(closed).toBe(false)
    release.open()
    expect(await running).toBe('done')
    await settle()
    expect(closed).toBe(false) // the failing job is still running
    failLater.open()
    expect(await failing).toBe('late failure')
    await closing
    expect(finished).toBe(true)
    await executor.close() // idempotent
    expect(await codeOf(executor.run(job(() => 1)))).toBe(ErrorCode.Closed)
  })
})
