import type { Hash } from '../hash.js'
import type { BlobRef } from './store.js'

/** A JSON value: what may sit inline in a commit. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type CommitStatus = 'completed' | 'failed'

/** What a task was: the function's identity and the arguments' identity. */
export interface TaskRecord {
  /** The task's name (defaults to the function's name). `log --func` filters on it. */
  name: string
  /** Identity hash of the function: normalized source + version + deps. */
  funcHash: Hash
  /** The function's source as written (for `show` and `diff`). */
  source: string
  /** The explicit version the user declared, if any. */
  version?: string
  /** Identity hashes of declared deps, by dep name. */
  deps?: Record<string, Hash>
  /**
   * Outer variables and impure globals the task (or a dep, as `deps.<dep>.<name>`) read without
   * them being part of the key, allowed by `allowFreeVariables`: a hit on this commit is only as
   * right as those values were unchanged. Absent on fully keyed tasks.
   */
  unkeyedFreeVariables?: string[]
  /** Canonical hash of the argument list. */
  argsHash: Hash
  /** A short human-readable preview of the arguments (never the whole of a large argument). */
  argsPreview: string
  /** The full arguments, serialized once into a deduplicated blob, where the serializer could. */
  argsBlob?: BlobRef & { serializer: string }
}

/** How the output was kept. */
export type CommitOutput =
  /**
   * Packed into a blob. `instructions` (a `PackInstructions`) say which packager, serializer, runtime
   * and library made it; commits written before packagers carry only `serializer` (its id, or `none`).
   */
  | { kind: 'blob'; blob: BlobRef; serializer: string; instructions?: Record<string, JsonValue> }
  /** A small JSON value kept inside the commit itself, with no blob. */
  | { kind: 'inline'; value: JsonValue; instructions?: Record<string, JsonValue> }
  /** The function returned `undefined`. */
  | { kind: 'undefined' }
  /**
   * An array or record whose members were packed one by one (because some member is binary data a
   * packager stores raw). `entries` keeps the keys in order: indexes of an array, keys of a record.
   */
  | { kind: 'bundle'; container: 'array' | 'record'; entries: [key: string, output: CommitOutput][] }

export interface CommitError {
  name: string
  message: string
  code?: string
  stack?: string
}

/**
 * One run of a task: an immutable, content-addressed record with lineage.
 *
 * Every field is JSON data, so any store can keep a commit as a JSON document.
 * `hash` is `commitHash(commit)`: the canonical hash of every other field; stores refuse a
 * commit whose hash does not match (`CAIRN_INVALID_ARGUMENT`).
 */
export interface Commit {
  hash: Hash
  /** `funcHash:argsHash`: the cache key. */
  fingerprint: string
  task: TaskRecord
  status: CommitStatus
  /** Present when `status` is `completed`. */
  output?: CommitOutput
  /** Present when `status` is `failed`. */
  error?: CommitError
  /** The previous commit with the same fingerprint, if any. */
  parent?: Hash
  /** Commits whose outputs were passed in as `ResultRef` arguments: the DAG. */
  inputs: Hash[]
  /** Free metadata; never part of the cache key. */
  tags: Record<string, string>
  /** Milliseconds since the epoch. */
  createdAt: number
  durationMs: number
  /** Random salt of a `cache: false` run, so each such run is its own commit. */
  salt?: string
}

/** Filters for `Store.listCommits`; all given filters must match. */
export interface CommitQuery {
  /** Exact task name. */
  func?: string
  /** Every given tag must be present with this value. */
  tags?: Record<string, string>
  status?: CommitStatus
  /** Exact fingerprint. */
  fingerprint?: string
  /** Commits that consumed this commit: `inputs` contains this hash (a full 64-hex commit hash). */
  input?: Hash
  /** Only commits with `createdAt` strictly less than this (ms since the epoch). */
  before?: number
  /** At most this many commits (a non-negative integer). */
  limit?: number
}
