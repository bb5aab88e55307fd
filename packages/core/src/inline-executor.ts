import { closedError, invalidArgument, throwIfAborted } from './errors.js'
import type { OpOptions } from './protocols/common.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Executor, ExecutorCapabilities, Job } from './protocols/executor.js'

/** Runs each job in the caller's process, as soon as it is submitted. */
export class InlineExecutor implements Executor {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: ExecutorCapabilities = {
    inProcess: true,
    abortsRunningJobs: false,
    concurrency: Number.POSITIVE_INFINITY,
  }
  #closed = false
  readonly #running = new Set<Promise<unknown>>()

  async run(job: Job, ctx: OpOptions = {}): Promise<unknown> {
    if (this.#closed) throw closedError('InlineExecutor')
    throwIfAborted(ctx.signal)
    if (typeof job?.fn !== 'function')
      throw invalidArgument('InlineExecutor needs job.fn, a function to call')
    const fn = job.fn
    const running = (async () => fn.apply(undefined, job.args))()
    this.#running.add(running)
    try {
      return await running
    } finally {
      this.#running.delete(running)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#running])
  }
}
