import { CairnError, ErrorCode, isCairnError } from '../errors.js'
import type { Hash } from '../hash.js'
import type { Commit } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'
import { outputBlobs, outputIdentity, unpackOutput } from './output.js'
import type { Pipeline } from './pipeline.js'
import { ResultRef } from './result-ref.js'

/**
 * A ref to a commit's output whose `load()` heals: an output blob found missing or corrupt is
 * quarantined (or deleted) and, when `recompute` is given, the result is computed again once.
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
      const unreadable = isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.NotFound)
      // The damaged blob is the one the error names (a bundle has several).
      // (A store whose errors do not name the hash: a single-blob output's blob is the damaged one.)
      const damaged =
        outputBlobs(output).find((blob) => blob.hash === (error as CairnError).details?.hash) ??
        (output.kind === 'blob' ? output.blob : undefined)
      if (!unreadable || damaged === undefined) throw error
      await discardBlob(store, damaged.hash)
      if (!recompute) throw error
      // Self-healing: the stored output is gone or damaged, so compute it again (once).
      const fresh = await recompute()
      return fresh.load()
    }
  }
  return new ResultRef({ hash, size, commit: commit.hash, cached }, load)
}

async function discardBlob(store: Store, hash: Hash): Promise<void> {
  if (store.quarantineBlob && store.capabilities.quarantine) await store.quarantineBlob(hash)
  else await store.deleteBlob(hash)
}
