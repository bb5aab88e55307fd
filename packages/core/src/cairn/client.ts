import { randomUUID } from 'node:crypto'
import { hashArgs, previewValue } from '../canonical/index.js'
import { commitHash } from '../commit-hash.js'
import {
  CairnError,
  closedError,
  ErrorCode,
  invalidArgument,
  isCairnError,
  notFound,
  throwIfAborted,
} from '../errors.js'
import type { Hash } from '../hash.js'
import { FUNCTION_IDENTITY, type FunctionIdentity, functionIdentity } from '../identity/index.js'
import { InlineExecutor } from '../inline-executor.js'
import { jsonSerializer } from '../json-serializer.js'
import type { PackagingMismatch } from '../packagers/checks.js'
import { PackagerRegistry } from '../packagers/registry.js'
import type { Commit, CommitError, CommitQuery, TaskRecord } from '../protocols/commit.js'
import type { Executor } from '../protocols/executor.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store, StoreStats } from '../protocols/store.js'
import { inputCommits, resolveResultRefs } from './args.js'
import { openDefaultStore } from './default-store.js'
import { type CommitDiff, diffCommits } from './diff.js'
import { abortableSleep, acquireOrAwait, type LeaseTiming } from './lease.js'
import { countRefs, sweptOnOpen } from './lease-reclaim.js'
import {
  collectGarbage,
  type GcOptions,
  type GcReport,
  type VerifyOptions,
  type VerifyReport,
  verifyStore,
} from './maintenance.js'
import { outputBlobs, outputIdentity, packOutput, unpackOutput } from './output.js'
import { ResultRef } from './result-ref.js'
import { validateTags } from './tags.js'
import type { CairnOptions, CairnWarning, RunOptions, Task, TaskArgs, TaskOptions } from './types.js'

/** Arguments whose serialized form is larger than this go into a blob; smaller ones are fully shown by the preview. */
const ARGS_BLOB_MIN_BYTES = 512
const TASK_SPEC: unique symbol = Symbol('cairn.taskSpec')

interface TaskSpec {
  fn: (...args: any[]) => unknown
  identity: FunctionIdentity
  cache: boolean
  tags: Record<string, string>
}

export interface CairnStats extends StoreStats {
  /** User refs only: Cairn's leases (`leases/…`) are counted in `leases`. */
  refs: number
  /** Lease refs present (calls being computed now, or abandoned ones not yet reclaimed). */
  leases: number
  completed: number
  failed: number
}

/**
 * The compute cache: hash a function's identity and its arguments, run it once, keep the result as
 * an immutable verified blob with a commit that records its lineage, and answer every identical call
 * after that from the store.
 */
export class Cairn {
  readonly #storeOption: CairnOptions['store']
  readonly #root: string | undefined
  #storePromise: Promise<Store> | undefined
  #ownsStore = false
  readonly #serializer: Serializer
  readonly #serializers: Map<string, Serializer>
  readonly #executor: Executor
  readonly #ownsExecutor: boolean
  readonly #strict: boolean
  readonly #onWarning: (warning: CairnWarning) => void
  readonly #inlineMaxBytes: number
  readonly #packagers: PackagerRegistry
  readonly #strictPackaging: boolean
  readonly #leasesOption: boolean | undefined
  readonly #leaseTtlMs: number
  readonly #now: () => number
  readonly #identities = new WeakMap<Function, FunctionIdentity>()
  readonly #warned = new Set<string>()
  /** Runs in progress by fingerprint, shared by identical submits (see `#join`). */
  readonly #inflight = new Map<string, SharedRun>()
  #closed = false

  constructor(options: CairnOptions = {}) {
    this.#storeOption = options.store
    this.#root = options.root
    this.#serializer = options.serializer ?? jsonSerializer
    this.#serializers = new Map(
      [jsonSerializer, ...(options.serializers ?? []), this.#serializer].map((s) => [s.id, s]),
    )
    this.#executor = options.executor ?? new InlineExecutor()
    this.#ownsExecutor = options.executor === undefined
    this.#strict = options.strict ?? false
    this.#onWarning = options.onWarning ?? emitWarning
    this.#inlineMaxBytes = options.inlineMaxBytes ?? 1024
    this.#packagers = new PackagerRegistry(options.packagers ?? [])
    this.#strictPackaging = options.strictPackaging ?? false
    this.#leasesOption = options.leases
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000
    this.#now = options.now ?? Date.now
  }

  /** The store in use (opening the default one on first use). */
  store(): Promise<Store> {
    if (this.#closed) return Promise.reject(closedError('Cairn client'))
    if (!this.#storePromise) {
      if (this.#storeOption) {
        this.#storePromise = Promise.resolve(this.#storeOption)
      } else {
        this.#ownsStore = true
        this.#storePromise = openDefaultStore(this.#root)
      }
      this.#storePromise = sweptOnOpen(this.#storePromise, this.#now)
    }
    return this.#storePromise
  }

  // ---- running ----

  /** Runs `fn(...args)` through the cache and returns a handle to its result. */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: TaskArgs<A>
  ): Promise<ResultRef<Awaited<R>>> {
    return this.run(fn, args)
  }

  /** Like `submit`, with per-call options (`signal`, `tags`, `cache`, identity options). */
  run<A extends unknown[], R>(
    fn: (...args: A) => R,
    args: TaskArgs<A>,
    options: RunOptions = {},
  ): Promise<ResultRef<Awaited<R>>> {
    try {
      const base = (fn as { [TASK_SPEC]?: TaskSpec })[TASK_SPEC]
      const hasIdentityOptions =
        options.name !== undefined ||
        options.version !== undefined ||
        options.deps !== undefined ||
        options.strict !== undefined
      const spec: TaskSpec =
        base && !hasIdentityOptions
          ? base
          : this.#spec(base?.fn ?? (fn as (...a: any[]) => unknown), options, !hasIdentityOptions)
      const tags = { ...spec.tags, ...validateTags(options.tags ?? {}) }
      const cache = options.cache ?? spec.cache
      return this.#submit({ ...spec, cache, tags }, args as unknown[], options.signal) as Promise<
        ResultRef<Awaited<R>>
      >
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Wraps a function as a named, versioned task with declared deps; call it like the function. */
  task<A extends unknown[], R>(fn: (...args: A) => R, options: TaskOptions = {}): Task<A, R> {
    const spec = this.#spec(fn as (...a: any[]) => unknown, options, false)
    const call = (...args: TaskArgs<A>): Promise<ResultRef<Awaited<R>>> =>
      this.#submit(spec, args as unknown[], undefined) as Promise<ResultRef<Awaited<R>>>
    Object.defineProperties(call, {
      name: { value: spec.identity.name },
      taskName: { value: spec.identity.name, enumerable: true },
      funcHash: { value: spec.identity.hash, enumerable: true },
      [FUNCTION_IDENTITY]: { value: spec.identity },
      [TASK_SPEC]: { value: spec },
    })
    return call as Task<A, R>
  }

  #spec(fn: (...args: any[]) => unknown, options: TaskOptions, memoize: boolean): TaskSpec {
    if (typeof fn !== 'function') throw invalidArgument(`submit needs a function, got ${typeof fn}`)
    const strict = options.strict ?? this.#strict
    let identity = memoize ? this.#identities.get(fn) : undefined
    if (!identity) {
      identity = functionIdentity(fn, {
        name: options.name,
        version: options.version,
        deps: options.deps,
        strict,
      })
      if (memoize) this.#identities.set(fn, identity)
      this.#warnFreeVariables(identity)
    }
    return { fn, identity, cache: options.cache ?? true, tags: validateTags(options.tags ?? {}) }
  }

  #warnMismatch(commit: Hash, packager: string, mismatch: PackagingMismatch): void {
    const key = `${packager}:${mismatch.field}:${mismatch.recorded}`
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    this.#onWarning({
      code: 'CAIRN_PACKAGING_MISMATCH',
      commit,
      packager,
      ...mismatch,
      message: `output of commit ${commit.slice(0, 12)}: artifact packed by "${packager}" with ${mismatch.field} ${mismatch.recorded}, unpacked with ${mismatch.current}`,
    })
  }

  #warnFreeVariables(identity: FunctionIdentity): void {
    if (identity.freeVariables.length === 0 || this.#warned.has(identity.hash)) return
    this.#warned.add(identity.hash)
    const names = identity.freeVariables
    this.#onWarning({
      code: 'CAIRN_FREE_VARIABLES',
      task: identity.name,
      funcHash: identity.hash,
      names,
      message:
        `task "${identity.name}" reads outer variable${names.length > 1 ? 's' : ''} ${names.join(', ')} that Cairn cannot see: ` +
        'if they change, cached results will not. Declare them in `deps`, pass them as arguments, or use `strict: true` to refuse this.',
    })
  }

  async #submit(spec: TaskSpec, args: unknown[], signal: AbortSignal | undefined): Promise<ResultRef> {
    this.#assertOpen()
    const argsHash = hashArgs(args)
    const fingerprint = `${spec.identity.hash}:${argsHash}`
    if (!spec.cache) return this.#compute(spec, args, argsHash, fingerprint, signal, randomUUID())
    throwIfAborted(signal)
    let run = this.#inflight.get(fingerprint)
    if (!run) {
      const controller = new AbortController()
      const created: SharedRun = { controller, callers: 0, promise: Promise.resolve() as never }
      created.promise = this.#lookupOrCompute(spec, args, argsHash, fingerprint, controller.signal).finally(
        () => {
          if (this.#inflight.get(fingerprint) === created) this.#inflight.delete(fingerprint)
        },
      )
      this.#inflight.set(fingerprint, created)
      run = created
    }
    return this.#join(run, fingerprint, signal)
  }

  /**
   * Waits for a shared run. A caller's abort rejects only that caller's wait; the run itself is
   * cancelled when every caller waiting for it has aborted (then a new submit starts afresh).
   */
  #join(run: SharedRun, fingerprint: string, signal: AbortSignal | undefined): Promise<ResultRef> {
    run.callers++
    const leave = () => {
      run.callers--
      if (run.callers === 0) {
        if (this.#inflight.get(fingerprint) === run) this.#inflight.delete(fingerprint)
        run.controller.abort(signal?.reason)
      }
    }
    if (!signal) return run.promise.finally(() => run.callers--)
    return new Promise<ResultRef>((resolve, reject) => {
      const onAbort = () => {
        leave()
        reject(new CairnError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason }))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      run.promise.then(
        (ref) => {
          signal.removeEventListener('abort', onAbort)
          run.callers--
          resolve(ref)
        },
        (error) => {
          signal.removeEventListener('abort', onAbort)
          run.callers--
          reject(error)
        },
      )
    })
  }

  async #lookupOrCompute(
    spec: TaskSpec,
    args: unknown[],
    argsHash: Hash,
    fingerprint: string,
    signal: AbortSignal | undefined,
  ): Promise<ResultRef> {
    const store = await this.store()
    const recompute = () => this.#compute(spec, args, argsHash, fingerprint, signal)
    const heal = () => this.#compute(spec, args, argsHash, fingerprint, signal, undefined, false)
    const hit = await this.#findUsable(store, fingerprint, signal)
    if (hit) return this.#ref(hit, true, heal)
    if (!(this.#leasesOption ?? store.capabilities.crossProcessCas)) return recompute()
    const outcome = await acquireOrAwait(
      store,
      fingerprint,
      () => this.#findUsable(store, fingerprint, signal),
      this.#leaseTiming(),
      signal,
    )
    if ('result' in outcome) return this.#ref(outcome.result, true, heal)
    try {
      return await recompute()
    } finally {
      await outcome.lease.release()
    }
  }

  /** The newest completed commit for the fingerprint whose output can still be read. */
  async #findUsable(store: Store, fingerprint: string, signal?: AbortSignal): Promise<Commit | undefined> {
    const commit = await store.findByFingerprint(fingerprint, { signal })
    if (!commit?.output) return undefined
    for (const blob of outputBlobs(commit.output)) {
      // Self-healing: a missing output blob is a miss, not an error.
      if (!(await store.hasBlob(blob.hash, { signal }))) return undefined
    }
    return commit
  }

  async #compute(
    spec: TaskSpec,
    args: unknown[],
    argsHash: Hash,
    fingerprint: string,
    signal: AbortSignal | undefined,
    salt?: string,
    healing = true,
  ): Promise<ResultRef> {
    const store = await this.store()
    const createdAt = this.#now()
    const started = performance.now()
    const resolvedArgs = await resolveResultRefs(args)
    let value: unknown
    let failure: { error: unknown } | undefined
    try {
      value = await this.#executor.run(
        { name: spec.identity.name, funcHash: spec.identity.hash, fn: spec.fn, args: resolvedArgs },
        { signal },
      )
    } catch (error) {
      // A job cancelled before it started never ran: nothing to record.
      if (isCairnError(error, ErrorCode.Aborted)) throw error
      failure = { error }
    }
    const durationMs = performance.now() - started
    // What every commit of this run records (written once, even if a success turns into a failure).
    let described: Promise<Omit<Commit, 'hash' | 'status'>> | undefined
    const describeRun = () =>
      (described ??= (async () => {
        const base = {
          fingerprint,
          task: await this.#taskRecord(store, spec, args, argsHash, signal),
          inputs: inputCommits(args),
          tags: spec.tags,
          createdAt,
          durationMs,
          ...(salt === undefined ? {} : { salt }),
        }
        const parent = await this.#latestCommit(store, fingerprint, signal)
        return parent ? { ...base, parent } : base
      })())
    if (!failure) {
      const withParent = await describeRun()
      try {
        const packed = await packOutput(value, {
          store,
          serializer: this.#serializer,
          inlineMaxBytes: this.#inlineMaxBytes,
          packagers: this.#packagers,
          signal,
        })
        const commit = seal({ ...withParent, status: 'completed', output: packed.output })
        await store.putCommit(commit, { signal })
        // A fresh result can self-heal once too; a healed one does not loop if the store keeps failing.
        const again = healing
          ? () => this.#compute(spec, args, argsHash, fingerprint, signal, salt, false)
          : undefined
        return this.#ref(commit, false, again)
      } catch (error) {
        if (!isCairnError(error, ErrorCode.Unserializable)) throw error
        failure = { error }
      }
    }
    try {
      const withParent = await describeRun()
      await store.putCommit(seal({ ...withParent, status: 'failed', error: describeError(failure.error) }), {
        signal,
      })
    } catch (recordError) {
      // The caller's own error matters more than the record of it: report the lost record instead.
      this.#onWarning({
        code: 'CAIRN_FAILURE_NOT_RECORDED',
        task: spec.identity.name,
        fingerprint,
        cause: recordError,
        message: `task "${spec.identity.name}" failed, and recording the failure failed too: ${(recordError as Error)?.message ?? String(recordError)}`,
      })
    }
    throw failure.error
  }

  async #taskRecord(
    store: Store,
    spec: TaskSpec,
    args: unknown[],
    argsHash: Hash,
    signal: AbortSignal | undefined,
  ): Promise<TaskRecord> {
    const { identity } = spec
    const record: TaskRecord = {
      name: identity.name,
      funcHash: identity.hash,
      source: identity.source,
      argsHash,
      argsPreview: previewValue(args),
    }
    if (identity.version !== undefined) record.version = identity.version
    if (Object.keys(identity.deps).length > 0) record.deps = identity.deps
    let encoded: Uint8Array | undefined
    try {
      encoded = this.#serializer.encode(args)
    } catch {
      encoded = undefined // arguments the serializer cannot represent keep only their hash and preview
    }
    if (encoded && encoded.byteLength > ARGS_BLOB_MIN_BYTES) {
      const blob = await store.putBlob(encoded, { signal })
      record.argsBlob = { ...blob, serializer: this.#serializer.id }
    }
    return record
  }

  async #latestCommit(store: Store, fingerprint: string, signal?: AbortSignal): Promise<Hash | undefined> {
    for await (const commit of store.listCommits({ fingerprint, limit: 1 }, { signal })) return commit.hash
    return undefined
  }

  #ref(commit: Commit, cached: boolean, recompute: (() => Promise<ResultRef>) | undefined): ResultRef {
    const output = commit.output
    if (!output) throw new CairnError(ErrorCode.InvalidArgument, `commit ${commit.hash} has no output`)
    const { hash, size } = outputIdentity(output)
    const load = async (): Promise<unknown> => {
      const store = await this.store()
      try {
        return await unpackOutput(output, {
          store,
          serializers: this.#serializers,
          packagers: this.#packagers,
          strict: this.#strictPackaging,
          warn: (packager, mismatch) => this.#warnMismatch(commit.hash, packager, mismatch),
        })
      } catch (error) {
        const unreadable = isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.NotFound)
        // The damaged blob is the one the error names (a bundle has several).
        // (A store whose errors do not name the hash: a single-blob output's blob is the damaged one.)
        const damaged =
          outputBlobs(output).find((blob) => blob.hash === (error as CairnError).details?.hash) ??
          (output.kind === 'blob' ? output.blob : undefined)
        if (!unreadable || damaged === undefined) throw error
        await this.#discardBlob(store, damaged.hash)
        if (!recompute) throw error
        // Self-healing: the stored output is gone or damaged, so compute it again (once).
        const fresh = await recompute()
        return fresh.load()
      }
    }
    return new ResultRef({ hash, size, commit: commit.hash, cached }, load)
  }

  async #discardBlob(store: Store, hash: Hash): Promise<void> {
    if (store.quarantineBlob && store.capabilities.quarantine) await store.quarantineBlob(hash)
    else await store.deleteBlob(hash)
  }

  #leaseTiming(): LeaseTiming {
    return { ttlMs: this.#leaseTtlMs, pollMs: 10, maxPollMs: 250, now: this.#now, sleep: abortableSleep }
  }

  // ---- inspecting ----

  /** Commits, newest first, matching the query. */
  async log(query: CommitQuery = {}): Promise<Commit[]> {
    const store = await this.#openStore()
    const commits: Commit[] = []
    for await (const commit of store.listCommits(query)) commits.push(commit)
    return commits
  }

  /** One commit by full hash or unique prefix. Unknown: CAIRN_NOT_FOUND; ambiguous: CAIRN_AMBIGUOUS. */
  async show(hashOrPrefix: string): Promise<Commit> {
    const store = await this.#openStore()
    const commit = await store.getCommit(hashOrPrefix)
    if (!commit) throw notFound(`no commit matches ${JSON.stringify(hashOrPrefix)}`, { ref: hashOrPrefix })
    return commit
  }

  /** The output value of a commit (by hash or prefix). A failed commit: CAIRN_NOT_FOUND naming its error. */
  async get(hashOrPrefix: string): Promise<unknown> {
    const commit = await this.show(hashOrPrefix)
    if (commit.status !== 'completed' || !commit.output) {
      throw notFound(
        `commit ${commit.hash} failed (${commit.error?.name}: ${commit.error?.message}); it has no output`,
        {
          commit: commit.hash,
        },
      )
    }
    return this.#ref(commit, true, undefined).load()
  }

  /** A ResultRef for an existing commit, so it can be loaded or passed to another task. */
  async ref(hashOrPrefix: string): Promise<ResultRef> {
    const commit = await this.show(hashOrPrefix)
    if (commit.status !== 'completed') throw notFound(`commit ${commit.hash} failed; it has no output`)
    return this.#ref(commit, true, undefined)
  }

  /** Every run of the same function on the same arguments, newest first. */
  async history(hashOrPrefix: string): Promise<Commit[]> {
    const commit = await this.show(hashOrPrefix)
    return (await this.#openStore()).history(commit.hash)
  }

  /** What changed between two commits: function, arguments, output, status, timing. */
  async diff(a: string, b: string): Promise<CommitDiff> {
    const [left, right] = await Promise.all([this.show(a), this.show(b)])
    return diffCommits(left, right)
  }

  /** Removes a commit (its blobs go at the next `gc` if nothing else reaches them). */
  async rm(hashOrPrefix: string): Promise<Commit> {
    const commit = await this.show(hashOrPrefix)
    await (await this.#openStore()).deleteCommit(commit.hash)
    return commit
  }

  // ---- maintenance ----

  /** Mark and sweep: drops commits the retention rules exclude and every blob nothing reaches. */
  async gc(options: GcOptions = {}): Promise<GcReport> {
    return collectGarbage(await this.#openStore(), { now: this.#now, ...options })
  }

  /** Re-hashes every blob, quarantines corrupt ones, and reports commits whose output is missing. */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyStore(await this.#openStore(), options)
  }

  async stats(): Promise<CairnStats> {
    const store = await this.#openStore()
    const base = await store.stats()
    let completed = 0
    let failed = 0
    for await (const commit of store.listCommits()) {
      if (commit.status === 'completed') completed++
      else failed++
    }
    return { ...base, ...(await countRefs(store)), completed, failed }
  }

  /** Waits for running work, then closes what the client opened itself (a store or executor you passed in stays open). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([...this.#inflight.values()].map((run) => run.promise))
    if (this.#ownsExecutor) await this.#executor.close()
    if (this.#ownsStore && this.#storePromise) await (await this.#storePromise).close()
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('Cairn client')
  }

  async #openStore(): Promise<Store> {
    this.#assertOpen()
    return this.store()
  }
}

function seal(body: Omit<Commit, 'hash'>): Commit {
  return { hash: commitHash(body), ...body }
}

function describeError(error: unknown): CommitError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    }
  }
  return { name: 'NonError', message: previewValue(error) }
}

function emitWarning(warning: CairnWarning): void {
  process.emitWarning(warning.message, { code: warning.code })
}

/** One run shared by identical concurrent submits in this process. */
interface SharedRun {
  promise: Promise<ResultRef>
  /** Aborts the run once every caller waiting for it has aborted. */
  controller: AbortController
  callers: number
}
