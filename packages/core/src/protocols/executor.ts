import type { Hash } from '../hash.js'
import type { OpOptions, SpecVersion } from './common.js'

/** One unit of work handed to an executor. */
export interface Job {
  /** Task name (for logs and remote registration). */
  name: string
  /** Identity hash of the function; a remote worker checks it before running its own copy. */
  funcHash: Hash
  /** The function itself, for executors that run in this process. */
  fn?: (...args: any[]) => unknown
  /** For executors that run elsewhere: the module that exports the function, and the export's name. */
  module?: string
  exportName?: string
  /** The resolved arguments (ResultRefs already loaded). */
  args: unknown[]
}

export interface ExecutorCapabilities {
  /** Runs jobs in the caller's process (functions, closures and any argument value work). */
  inProcess: boolean
  /** Stops a running job when its signal fires (not merely refuses to start it). */
  abortsRunningJobs: boolean
  /** How many jobs it runs at once (`Infinity` when it starts each job as it arrives, as InlineExecutor does). */
  concurrency: number
}

/**
 * Runs jobs. Rules:
 * - `run` resolves to the job's return value (awaited if it is a promise) or rejects with the
 *   job's own error — same type and message where the job ran in process; a `CairnError` with the
 *   original as `cause` where it ran elsewhere.
 * - A fired signal before the job starts: `CAIRN_ABORTED`, the job never runs.
 * - After `close()`: `CAIRN_CLOSED`. `close()` is idempotent and waits for running jobs.
 * - A job with neither `fn` nor a module the executor can load: `CAIRN_INVALID_ARGUMENT`.
 */
export interface Executor {
  readonly specVersion: SpecVersion
  readonly capabilities: ExecutorCapabilities
  run(job: Job, ctx?: OpOptions): Promise<unknown>
  close(): Promise<void>
}
