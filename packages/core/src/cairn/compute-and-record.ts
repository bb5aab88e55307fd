import { previewValue } from '../canonical/index.js'
import { commitHash } from '../commit-hash.js'
import { ErrorCode, isCairnError } from '../errors.js'
import type { Hash } from '../hash.js'
import type { Commit, CommitError } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'
import { inputCommits, resolveResultRefs } from './args.js'
import { isByteStream, OutputStreamError } from './byte-stream.js'
import { packOutput } from './output.js'
import type { Pipeline } from './pipeline.js'
import type { ResultRef } from './result-ref.js'
import type { Run } from './run.js'
import { selfHealingRef } from './self-healing-ref.js'
import { taskRecord } from './task-record.js'

/**
 * Runs the function and returns a ref to its fresh result. `healing`: the ref may compute once more
 * if its output turns out unreadable (a healed result does not loop if the store keeps failing).
 */
export async function computeResult(
  pipeline: Pipeline,
  run: Run,
  signal: AbortSignal | undefined,
  healing = true,
): Promise<ResultRef> {
  const commit = await computeAndRecord(pipeline, run, signal)
  const again = healing ? () => computeResult(pipeline, run, signal, false) : undefined
  return selfHealingRef(pipeline, commit, false, again)
}

/**
 * Runs the function and records the run: a completed commit written after its output blobs, or a
 * failed commit and the function's own error rethrown. A job cancelled before it started is not recorded.
 */
export async function computeAndRecord(
  pipeline: Pipeline,
  run: Run,
  signal: AbortSignal | undefined,
): Promise<Commit> {
  const store = await pipeline.store()
  const createdAt = pipeline.now()
  const started = performance.now()
  const resolvedArgs = await resolveResultRefs(run.args)
  let value: unknown
  let failure: { error: unknown } | undefined
  try {
    value = await pipeline.executor.run(
      { name: run.identity.name, funcHash: run.identity.hash, fn: run.fn, args: resolvedArgs },
      { signal },
    )
  } catch (error) {
    // A job cancelled before it started never ran: nothing to record.
    if (isCairnError(error, ErrorCode.Aborted)) throw error
    failure = { error }
  }
  let durationMs = performance.now() - started
  // What every commit of this run records (written once, even if a success turns into a failure).
  let described: Promise<Omit<Commit, 'hash' | 'status'>> | undefined
  const describeRun = () =>
    (described ??= (async () => {
      const base = {
        fingerprint: run.fingerprint,
        task: await taskRecord(store, run, pipeline.serializer, signal),
        inputs: inputCommits(run.args),
        tags: run.tags,
        createdAt,
        durationMs,
        ...(run.salt === undefined ? {} : { salt: run.salt }),
      }
      const parent = await latestCommit(store, run.fingerprint, signal)
      return parent ? { ...base, parent } : base
    })())
  if (!failure) {
    const streamed = isByteStream(value)
    try {
      const packed = await packOutput(value, {
        store,
        serializer: pipeline.serializer,
        inlineMaxBytes: pipeline.inlineMaxBytes,
        packagers: pipeline.packagers,
        signal,
      })
      // A streamed output is still being produced until its last chunk is stored.
      if (streamed) durationMs = performance.now() - started
      const commit = seal({ ...(await describeRun()), status: 'completed', output: packed.output })
      await store.putCommit(commit, { signal })
      return commit
    } catch (error) {
      if (error instanceof OutputStreamError) {
        durationMs = performance.now() - started
        failure = { error: error.original }
      } else if (isCairnError(error, ErrorCode.Unserializable)) failure = { error }
      else throw error
    }
  }
  try {
    const withParent = await describeRun()
    await store.putCommit(seal({ ...withParent, status: 'failed', error: describeError(failure.error) }), {
      signal,
    })
  } catch (recordError) {
    // The caller's own error matters more than the record of it: report the lost record instead.
    pipeline.warnings.failureNotRecorded(run.identity.name, run.fingerprint, recordError)
  }
  throw failure.error
}

/** The newest commit of the fingerprint, any status: the new commit's `parent`. */
async function latestCommit(
  store: Store,
  fingerprint: string,
  signal?: AbortSignal,
): Promise<Hash | undefined> {
  for await (const commit of store.listCommits({ fingerprint, limit: 1 }, { signal })) return commit.hash
  return undefined
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
