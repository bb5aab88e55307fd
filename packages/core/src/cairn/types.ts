import type { Executor } from '../protocols/executor.js'
import type { Packager } from '../protocols/packager.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store } from '../protocols/store.js'
import type { ResultRef } from './result-ref.js'

export type CairnWarning =
  | {
      /** A task failed and the failed commit could not be written; the caller still gets the task's error. */
      code: 'CAIRN_FAILURE_NOT_RECORDED'
      message: string
      task: string
      fingerprint: string
      cause: unknown
    }
  | {
      /** An output was packed by another version of its packager, serializer, library or runtime. */
      code: 'CAIRN_PACKAGING_MISMATCH'
      message: string
      commit: string
      packager: string
      field: 'packager' | 'serializer' | 'library' | 'runtime'
      recorded: string
      current: string
    }

export interface CairnOptions {
  /** Where results live. Default: `FsStore` in `root` from `@cairn/fs` (not installed: `CAIRN_MISSING_PACKAGE`). */
  store?: Store | Promise<Store>
  /** Root directory of the default `FsStore` (default `.cairn`). Ignored when `store` is given. */
  root?: string
  /** Serializer for outputs and argument blobs. Default `jsonSerializer`. */
  serializer?: Serializer
  /** Extra serializers for reading outputs written with other serializers. */
  serializers?: Serializer[]
  /**
   * Packagers for your own types, tried before the built-ins at equal priority (see `Packager`).
   * Outputs are packed by the highest-priority packager that handles them and unpacked by the one
   * their instructions name.
   */
  packagers?: Packager<any>[]
  /** Refuse to unpack an output packed by another packager/serializer/library version or runtime major (default false: warn once). */
  strictPackaging?: boolean
  /** Where functions run. Default `InlineExecutor`. */
  executor?: Executor
  /**
   * Refuse `allowFreeVariables` on every task (tasks may override with their own `strict`). Tasks
   * that read undeclared outer variables are refused either way (`CAIRN_FREE_VARIABLES`).
   */
  strict?: boolean
  /** Receives warnings; default prints them once through `process.emitWarning`. */
  onWarning?: (warning: CairnWarning) => void
  /** Inline outputs that are scalars of at most this many bytes of JSON in the commit (default 1024). */
  inlineMaxBytes?: number
  /**
   * Serialize concurrent identical misses across processes with a lease ref. Default: on when the
   * store's refs are atomic across processes (`capabilities.crossProcessCas`).
   */
  leases?: boolean
  /** Lease validity without renewal, in ms (default 30 000). */
  leaseTtlMs?: number
  /** Clock in ms since the epoch (injectable for tests). */
  now?: () => number
}

export interface TaskOptions {
  /** Task name in commits and `log --func` (default: the function's name). */
  name?: string
  /** Explicit version, folded into the function's identity: bump it to invalidate old results. */
  version?: string
  /** Values, functions or tasks the function uses; their identities are folded into its identity. */
  deps?: Record<string, unknown>
  /** `false`: always run (the run is still recorded, as a salted commit). Default true. */
  cache?: boolean
  /** Metadata recorded on commits; never part of the cache key. */
  tags?: Record<string, string>
  /** Refuse `allowFreeVariables` for this task (overrides the client's `strict`). */
  strict?: boolean
  /**
   * Let the task read these undeclared outer variables or impure globals (`true`: any) without
   * them being part of its key. Each commit records them as `task.unkeyedFreeVariables`, and
   * `show` prints them. Default: refuse (`CAIRN_FREE_VARIABLES`), naming each and its fix.
   */
  allowFreeVariables?: boolean | string[]
}

export interface RunOptions extends TaskOptions {
  signal?: AbortSignal
}

/**
 * What a function's result is loaded back as: its awaited value, except that a stream of bytes
 * (an AsyncIterable of Uint8Array: an async generator, a Node `Readable`, a web `ReadableStream`)
 * is stored as its bytes and loads as one `Uint8Array`.
 */
export type StoredResult<R> = Awaited<R> extends AsyncIterable<Uint8Array> ? Uint8Array : Awaited<R>

/** An argument may be given as its value or as a ResultRef of a previous step. */
export type TaskArgs<A extends unknown[]> = { [K in keyof A]: A[K] | ResultRef<A[K]> }

/** A function wrapped by `cairn.task`: call it like the function, get a ResultRef back. */
export interface Task<A extends unknown[], R> {
  (...args: TaskArgs<A>): Promise<ResultRef<StoredResult<R>>>
  readonly taskName: string
  readonly funcHash: string
}
