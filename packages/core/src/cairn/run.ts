import { randomUUID } from 'node:crypto'
import { hashArgs } from '../canonical/index.js'
import type { Hash } from '../hash.js'
import type { FunctionIdentity } from '../identity/index.js'
import type { TaskSpec } from './task-spec.js'

/** One call of a task: what runs, on what, and the key it is cached under. */
export interface Run {
  readonly fn: (...args: any[]) => unknown
  /** The arguments as given (ResultRefs not yet loaded). */
  readonly args: readonly unknown[]
  readonly identity: FunctionIdentity
  /** False: always run, and record the run as its own salted commit. */
  readonly cache: boolean
  readonly tags: Record<string, string>
  readonly argsHash: Hash
  /** The cache key: `funcHash:argsHash`. */
  readonly fingerprint: string
  /** Set when `cache` is false, so every run is its own commit. */
  readonly salt?: string
}

/** The run of `spec` on `args` (hashing the arguments; arguments that cannot be hashed throw). */
export function createRun(spec: TaskSpec, args: readonly unknown[]): Run {
  const argsHash = hashArgs(args)
  const run: Run = {
    fn: spec.fn,
    args,
    identity: spec.identity,
    cache: spec.cache,
    tags: spec.tags,
    argsHash,
    fingerprint: `${spec.identity.hash}:${argsHash}`,
  }
  return spec.cache ? run : { ...run, salt: randomUUID() }
}
