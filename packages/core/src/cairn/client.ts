import { closedError, notFound, throwIfAborted } from '../errors.js'
import { InlineExecutor } from '../inline-executor.js'
import { jsonSerializer } from '../json-serializer.js'
import { PackagerRegistry } from '../packagers/registry.js'
import type { Commit, CommitQuery } from '../protocols/commit.js'
import type { Executor } from '../protocols/executor.js'
import type { Store, StoreStats } from '../protocols/store.js'
import { computeResult } from './compute-and-record.js'
import { openDefaultStore } from './default-store.js'
import { type CommitDiff, diffCommits } from './diff.js'
import { InFlightRuns } from './in-flight.js'
import { abortableSleep } from './lease.js'
import { countRefs, sweptOnOpen } from './lease-reclaim.js'
import { commitLineage, type LineageGraph, type LineageOptions } from './lineage.js'
import { lookupOrCompute } from './lookup.js'
import {
  collectGarbage,
  type GcOptions,
  type GcReport,
  type VerifyOptions,
  type VerifyReport,
  verifyStore,
} from './maintenance.js'
import type { Pipeline } from './pipeline.js'
import type { ResultRef } from './result-ref.js'
import { createRun } from './run.js'
import { selfHealingRef } from './self-healing-ref.js'
import { brandTask, type TaskSpec, TaskSpecs } from './task-spec.js'
import type { CairnOptions, RunOptions, StoredResult, Task, TaskArgs, TaskOptions } from './types.js'
import { Warnings } from './warnings.js'

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
 *
 * A thin facade: a call becomes a `Run` (run.ts), identical concurrent calls share one (in-flight.ts),
 * a hit is decided in hit-decision.ts, a miss is computed and recorded in compute-and-record.ts, and
 * results come back as self-healing refs (self-healing-ref.ts).
 */
export class Cairn {
  readonly #storeOption: CairnOptions['store']
  readonly #root: string | undefined
  #storePromise: Promise<Store> | undefined
  #ownsStore = false
  readonly #executor: Executor
  readonly #ownsExecutor: boolean
  readonly #pipeline: Pipeline
  readonly #specs: TaskSpecs
  readonly #inFlight = new InFlightRuns()
  #closed = false

  constructor(options: CairnOptions = {}) {
    this.#storeOption = options.store
    this.#root = options.root
    const serializer = options.serializer ?? jsonSerializer
    this.#executor = options.executor ?? new InlineExecutor()
    this.#ownsExecutor = options.executor === undefined
    const warnings = new Warnings(options.onWarning)
    const now = options.now ?? Date.now
    this.#pipeline = {
      store: () => this.store(),
      executor: this.#executor,
      serializer,
      serializers: new Map(
        [jsonSerializer, ...(options.serializers ?? []), serializer].map((s) => [s.id, s]),
      ),
      packagers: new PackagerRegistry(options.packagers ?? []),
      strictPackaging: options.strictPackaging ?? false,
      inlineMaxBytes: options.inlineMaxBytes ?? 1024,
      leases: options.leases,
      leaseTiming: {
        ttlMs: options.leaseTtlMs ?? 30_000,
        pollMs: 10,
        maxPollMs: 250,
        now,
        sleep: abortableSleep,
      },
      now,
      warnings,
    }
    this.#specs = new TaskSpecs(options.strict ?? false)
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
      this.#storePromise = sweptOnOpen(this.#storePromise, this.#pipeline.now)
    }
    return this.#storePromise
  }

  // ---- running ----

  /** Runs `fn(...args)` through the cache and returns a handle to its result. */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: TaskArgs<A>
  ): Promise<ResultRef<StoredResult<R>>> {
    return this.run(fn, args)
  }

  /** Like `submit`, with per-call options (`signal`, `tags`, `cache`, identity options). */
  run<A extends unknown[], R>(
    fn: (...args: A) => R,
    args: TaskArgs<A>,
    options: RunOptions = {},
  ): Promise<ResultRef<StoredResult<R>>> {
    try {
      const spec = this.#specs.forRun(fn as (...a: any[]) => unknown, options)
      return this.#submit(spec, args as unknown[], options.signal) as Promise<ResultRef<StoredResult<R>>>
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Wraps a function as a named, versioned task with declared deps; call it like the function. */
  task<A extends unknown[], R>(fn: (...args: A) => R, options: TaskOptions = {}): Task<A, R> {
    const spec = this.#specs.make(fn as (...a: any[]) => unknown, options, false)
    const call = (...args: TaskArgs<A>): Promise<ResultRef<StoredResult<R>>> =>
      this.#submit(spec, args as unknown[], undefined) as Promise<ResultRef<StoredResult<R>>>
    return brandTask(call, spec) as unknown as Task<A, R>
  }

  async #submit(spec: TaskSpec, args: unknown[], signal: AbortSignal | undefined): Promise<ResultRef> {
    this.#assertOpen()
    const run = createRun(spec, args)
    if (!run.cache) return computeResult(this.#pipeline, run, signal)
    throwIfAborted(signal)
    return this.#inFlight.share(
      run.fingerprint,
      (shared) => lookupOrCompute(this.#pipeline, run, shared),
      signal,
    )
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
    return selfHealingRef(this.#pipeline, commit, true, undefined).load()
  }

  /** A ResultRef for an existing commit, so it can be loaded or passed to another task. */
  async ref(hashOrPrefix: string): Promise<ResultRef> {
    const commit = await this.show(hashOrPrefix)
    if (commit.status !== 'completed') throw notFound(`commit ${commit.hash} failed; it has no output`)
    return selfHealingRef(this.#pipeline, commit, true, undefined)
  }

  /** Every run of the same function on the same arguments, newest first. */
  async history(hashOrPrefix: string): Promise<Commit[]> {
    const commit = await this.show(hashOrPrefix)
    return (await this.#openStore()).history(commit.hash)
  }

  /** What a commit consumed and what consumed it, as a graph (see `commitLineage`). */
  async lineage(hashOrPrefix: string, options?: LineageOptions): Promise<LineageGraph> {
    return commitLineage(await this.#openStore(), hashOrPrefix, options)
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
    return collectGarbage(await this.#openStore(), { now: this.#pipeline.now, ...options })
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
    await this.#inFlight.settled()
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
