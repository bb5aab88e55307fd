import { ErrorCode, type Executor, type Job, sha256Hex } from '@cairn/core'
import { ConformanceError, check, deepEqual, equal, expectCode } from './assert.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'

export interface ExecutorSuiteOptions {
  name: string
  factory(): Executor | Promise<Executor>
}

const FUNC = sha256Hex('executor suite')
const job = (fn: (...args: any[]) => unknown, args: unknown[] = []): Job => ({
  name: fn.name || 'job',
  funcHash: FUNC,
  fn,
  args,
})

async function withExecutor(
  options: ExecutorSuiteOptions,
  body: (e: Executor) => Promise<void>,
): Promise<void> {
  const executor = await options.factory()
  try {
    await body(executor)
  } finally {
    await executor.close()
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Registers the Executor rules for in-process executors (jobs carrying `fn`). */
export function executorSuite(runner: SuiteRunner, options: ExecutorSuiteOptions): SuiteReport {
  const report: SuiteReport = { skipped: [] }
  const t = (name: string, body: (e: Executor) => Promise<void>) =>
    register(runner, report, name, () => withExecutor(options, body))
  runner.describe(`executorSuite: ${options.name}`, () => {
    t('returns sync and async values, with arguments in order and no receiver', async (e) => {
      equal(await e.run(job((a: number, b: number) => a - b, [10, 3])), 7, 'sync value')
      equal(await e.run(job(async (s: string) => `${s}!`, ['hi'])), 'hi!', 'async value')
      deepEqual(
        await e.run(job((...xs: unknown[]) => xs, [1, 'b', null, undefined])),
        [1, 'b', null, undefined],
        'argument order',
      )
      equal(
        await e.run(
          job(function receiver(this: unknown) {
            return this === undefined
          }),
        ),
        true,
        'this is undefined',
      )
    })
    t('rejects with the job’s own error', async (e) => {
      class JobError extends RangeError {}
      const thrown = new JobError('bad range')
      let caught: unknown
      try {
        await e.run(
          job(() => {
            throw thrown
          }),
        )
      } catch (error) {
        caught = error
      }
      check(caught !== undefined, 'run must reject')
      if (e.capabilities.inProcess)
        equal(caught, thrown, 'an in-process executor rejects with the same error object')
      else check(String((caught as Error).message).includes('bad range'), 'the message survives')
      const rejected = await e
        .run(job(async () => Promise.reject(new TypeError('async bad'))))
        .catch((x) => x)
      check(rejected instanceof Error && rejected.message === 'async bad', 'async rejections propagate')
    })
    t('refuses a pre-aborted job without running it', async (e) => {
      let ran = false
      const controller = new AbortController()
      controller.abort()
      await expectCode(
        e.run(
          job(() => {
            ran = true
          }),
          { signal: controller.signal },
        ),
        ErrorCode.Aborted,
        'pre-aborted run',
      )
      check(!ran, 'the job must not run')
    })
    t('runs concurrent jobs to completion', async (e) => {
      const gate = deferred()
      const results = Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          e.run(
            job(
              async (x: number) => {
                await gate.promise
                return x * 2
              },
              [i],
            ),
          ),
        ),
      )
      gate.resolve()
      deepEqual(
        await results,
        Array.from({ length: 20 }, (_, i) => i * 2),
        'every job completes with its own value',
      )
    })
    t('refuses jobs without a function', async (e) => {
      if (!e.capabilities.inProcess) return
      await expectCode(e.run({ name: 'x', funcHash: FUNC, args: [] }), ErrorCode.InvalidArgument, 'no fn')
    })
    t('waits for running jobs on close, then refuses new ones', async (e) => {
      const gate = deferred()
      let finished = false
      const running = e.run(
        job(async () => {
          await gate.promise
          finished = true
          return 'done'
        }),
      )
      await Promise.resolve()
      let closed = false
      const closing = e.close().then(() => {
        closed = true
      })
      await new Promise((r) => setImmediate(r))
      if (closed) throw new ConformanceError('close() resolved while a job was still running')
      await expectCode(e.run(job(() => 1)), ErrorCode.Closed, 'run after close')
      gate.resolve()
      equal(await running, 'done', 'the running job completes')
      await closing
      check(finished, 'close resolved after the job finished')
      await e.close()
    })
  })
  return report
}
