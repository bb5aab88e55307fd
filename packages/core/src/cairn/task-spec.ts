import { invalidArgument } from '../errors.js'
import { FUNCTION_IDENTITY, type FunctionIdentity, functionIdentity } from '../identity/index.js'
import { validateTags } from './tags.js'
import type { RunOptions, TaskOptions } from './types.js'

/** What a call needs to know about its function: the function, its identity, and its defaults. */
export interface TaskSpec {
  fn: (...args: any[]) => unknown
  identity: FunctionIdentity
  cache: boolean
  tags: Record<string, string>
}

/** Where a function made by `cairn.task` keeps its spec, so `run(task, …)` reuses its identity. */
const TASK_SPEC: unique symbol = Symbol('cairn.taskSpec')

/** Makes and memoizes task specs (a function's identity is computed once per client). */
export class TaskSpecs {
  readonly #strict: boolean
  readonly #identities = new WeakMap<Function, FunctionIdentity>()

  constructor(strict: boolean) {
    this.#strict = strict
  }

  /** The spec for one `run(fn, args, options)` call: a task's own spec, or one made for these options. */
  forRun(fn: (...args: any[]) => unknown, options: RunOptions): TaskSpec {
    const base = (fn as { [TASK_SPEC]?: TaskSpec })[TASK_SPEC]
    const hasIdentityOptions =
      options.name !== undefined ||
      options.version !== undefined ||
      options.deps !== undefined ||
      options.strict !== undefined ||
      options.allowFreeVariables !== undefined
    const spec = base && !hasIdentityOptions ? base : this.make(base?.fn ?? fn, options, !hasIdentityOptions)
    const tags = { ...spec.tags, ...validateTags(options.tags ?? {}) }
    return { ...spec, cache: options.cache ?? spec.cache, tags }
  }

  /** A spec from a function and its task options; `memoize` reuses the identity when no options change it. */
  make(fn: (...args: any[]) => unknown, options: TaskOptions, memoize: boolean): TaskSpec {
    if (typeof fn !== 'function') throw invalidArgument(`submit needs a function, got ${typeof fn}`)
    const strict = options.strict ?? this.#strict
    let identity = memoize ? this.#identities.get(fn) : undefined
    if (!identity) {
      identity = functionIdentity(fn, {
        name: options.name,
        version: options.version,
        deps: options.deps,
        strict,
        allowFreeVariables: options.allowFreeVariables,
      })
      if (memoize) this.#identities.set(fn, identity)
    }
    return { fn, identity, cache: options.cache ?? true, tags: validateTags(options.tags ?? {}) }
  }
}

/** Gives the callable of a task its name, identity and spec. */
export function brandTask<F extends Function>(call: F, spec: TaskSpec): F {
  Object.defineProperties(call, {
    name: { value: spec.identity.name },
    taskName: { value: spec.identity.name, enumerable: true },
    funcHash: { value: spec.identity.hash, enumerable: true },
    [FUNCTION_IDENTITY]: { value: spec.identity },
    [TASK_SPEC]: { value: spec },
  })
  return call
}
