import { CairnError, ErrorCode, isCairnError } from '../errors.js'
import type { Hash } from '../hash.js'
import type { Commit, CommitOutput } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'
import { openOutput, outputBlobs, outputIdentity, unpackOutput } from './output.js'
import type { Pipeline } from './pipeline.js'
import { ResultRef, type StreamOptions } from './result-ref.js'

/**
 * A ref to a commit's output that heals: an output blob found missing or corrupt is quarantined
 * (or deleted) and, when `recompute` is given, the result is computed again once — by `load()`
 * always, by `stream()` when the damage shows before its first chunk (bytes already delivered
 * cannot be taken back, so then it throws).
 */
export function selfHealingRef(
  pipeline: Pipeline,
  commit: Commit,
  cached: boolean,
  recompute: (() => Promise<ResultRef>) | undefined,
): ResultRef {
  const output = commit.output
  if (!output) throw new CairnError(ErrorCode.InvalidArgument, `commit ${commit.hash} has no output`)
  const { hash, size } = outputIdentity(output)
  /** Discards the damaged blob the error names and gives the recomputed ref, or rethrows. */
  const healed = async (store: Store, error: unknown): Promise<ResultRef> => {
    if (!(await discardDamaged(store, output, error)) || !recompute) throw error
    // Self-healing: the stored output is gone or damaged, so compute it again (once).
    return recompute()
  }
  const load = async (): Promise<unknown> => {
    const store = await pipeline.store()
    try {
      return await unpackOutput(output, {
        store,
        serializers: pipeline.serializers,
        packagers: pipeline.packagers,
        strict: pipeline.strictPackaging,
        warn: (packager, mismatch) => pipeline.warnings.packagingMismatch(commit.hash, packager, mismatch),
      })
    } catch (error) {
      return (await healed(store, error)).load()
    }
  }
  async function* stream(options: StreamOptions): AsyncIterable<Uint8Array> {
    const store = await pipeline.store()
    let delivered = false
    try {
      for await (const chunk of openOutput(store, output as CommitOutput, options.signal)) {
        delivered = true
        yield chunk
      }
    } catch (error) {
      if (delivered) {
        await discardDamaged(store, output as CommitOutput, error)
        throw error
      }
      yield* (await healed(store, error)).stream(options)
    }
  }
  return new ResultRef({ hash, size, commit: commit.hash, cached }, load, stream)
}

/** Whether `error` says an output blob is missing or damaged; if so that blob is moved out of the way. */
async function discardDamaged(store: Store, output: CommitOutput, error: unknown): Promise<boolean> {
  const unreadable = isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.NotFound)
  // The damaged blob is the one the error names (a bundle has several).
  // (A store whose errors do not name the hash: a single-blob output's blob is the damaged one.)
  const damaged =
    outputBlobs(output).find((blob) => blob.hash === (error as CairnError).details?.hash) ??
    (output.kind === 'blob' ? output.blob : undefined)
  if (!unreadable || damaged === undefined) return false
  await discardBlob(store, damaged.hash)
  return true
}

async function discardBlob(store: Store, hash: Hash): Promise<void> {
  if (store.quarantineBlob && store.capabilities.quarantine) await store.quarantineBlob(hash)
  else await store.deleteBlob(hash)
}
