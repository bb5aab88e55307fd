import { closedError, invalidArgument, throwIfAborted } from './errors.js'
import type { OpOptions } from './protocols/common.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Executor, ExecutorCapabilities, Job } from './protocols/executor.js'

/**
 * Runs each job in the caller's process, as soon as it is submitted: `job.fn(...job.args)` with
 * `this` undefined. Jobs overlap freely (concurrency is unbounded: a job that awaits lets others run).
 * Errors pass through as the very object the job threw. A signal is checked before the job starts;
 * a running job is not interrupted (`abortsRunningJobs: false`).
 */
export class InlineExecutor implements Executor {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: ExecutorCapabilities = {
    inProcess: true,
    abortsRunningJobs: false,
    concurrency: Number.POSITIVE_INFINITY,
  }
  #closed = false
  readonly #running = new Set<Promise<unknown>>()

  async run(job: Job, ctx?: OpOptions): Promise<unknown> {
    if (this.#closed) throw closedError('InlineExecutor')
    throwIfAborted(ctx?.signal)
    const fn = (job as Partial<Job> | null | undefined)?.fn
    if (typeof fn !== 'function') throw invalidArgument('InlineExecutor needs job.fn, a function to call')
    if (!Array.isArray(job.args)) throw invalidArgument('job.args must be an array')
    // An async wrapper turns a synchronous throw into a rejection with the same error object.
    const running = (async () => Reflect.apply(fn, undefined, job.args))()
    this.#running.add(running)
    try {
      return await running
    } finally {
      this.#running.delete(running)
    }
  }

  /** Refuses new jobs at once; resolves once every running job has settled. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#running])
  }
}
