import { closedError } from './errors.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Store, StoreCapabilities, StoreStats } from './protocols/store.js'

const BLOB_METHODS = ['putBlob', 'getBlob', 'hasBlob', 'deleteBlob', 'openBlob', 'listBlobs'] as const
const META_METHODS = [
  'putCommit',
  'getCommit',
  'findByFingerprint',
  'listCommits',
  'history',
  'deleteCommit',
  'getRef',
  'setRef',
  'listRefs',
] as const
const STREAMING = new Set<string>(['openBlob', 'listBlobs', 'listCommits', 'listRefs'])

/**
 * One Store made of two: commits and refs in `meta`, blobs in `blobs`. The common deployment is
 * SQLite or Redis for metadata and S3 for bytes. Capabilities are what both parts can do together:
 * blob streaming and quarantine come from `blobs`, compare-and-swap from `meta`, persistence needs both.
 * Each call is forwarded to its part (which checks its own arguments and signal); `close()` closes both.
 */
export function composeStore(parts: { meta: Store; blobs: Store }): Store {
  const { meta, blobs } = parts
  let closed = false
  const guard = () => {
    if (closed) throw closedError('composed store')
  }
  const forward = (part: Store, name: string) => {
    const method = (part as unknown as Record<string, (...args: unknown[]) => unknown>)[name] as (
      ...args: unknown[]
    ) => unknown
    if (STREAMING.has(name)) {
      return (...args: unknown[]) =>
        (async function* () {
          guard()
          yield* method.apply(part, args) as AsyncIterable<unknown>
        })()
    }
    return async (...args: unknown[]) => {
      guard()
      return method.apply(part, args)
    }
  }
  const capabilities: StoreCapabilities = {
    streamingWrites: blobs.capabilities.streamingWrites,
    streamingReads: blobs.capabilities.streamingReads,
    crossProcessCas: meta.capabilities.crossProcessCas,
    persistent: meta.capabilities.persistent && blobs.capabilities.persistent,
    quarantine: blobs.capabilities.quarantine && blobs.quarantineBlob !== undefined,
    ...(blobs.capabilities.maxBlobSize === undefined ? {} : { maxBlobSize: blobs.capabilities.maxBlobSize }),
  }
  const store: Record<string, unknown> = {
    specVersion: SPEC_VERSION,
    capabilities,
    async stats(opts?: Parameters<Store['stats']>[0]): Promise<StoreStats> {
      guard()
      const [m, b] = await Promise.all([meta.stats(opts), blobs.stats(opts)])
      return { blobs: b.blobs, blobBytes: b.blobBytes, commits: m.commits, refs: m.refs }
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await Promise.all([meta.close(), blobs.close()])
    },
  }
  for (const name of BLOB_METHODS) store[name] = forward(blobs, name)
  for (const name of META_METHODS) store[name] = forward(meta, name)
  if (meta.deleteCommits) store.deleteCommits = forward(meta, 'deleteCommits')
  if (blobs.quarantineBlob) store.quarantineBlob = forward(blobs, 'quarantineBlob')
  return store as unknown as Store
}
