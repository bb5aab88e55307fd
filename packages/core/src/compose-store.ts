import { closedError, throwIfAborted } from './errors.js'
import type { OpOptions } from './protocols/common.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Store, StoreCapabilities, StoreStats } from './protocols/store.js'

/**
 * One Store made of two: commits and refs in `meta`, blobs in `blobs`. The common deployment is
 * SQLite or Redis for metadata and S3 for bytes. Capabilities are what both parts can do together:
 * blob streaming and quarantine come from `blobs`, compare-and-swap from `meta`, persistence needs both.
 * `close()` closes both parts.
 */
export function composeStore(parts: { meta: Store; blobs: Store }): Store {
  const { meta, blobs } = parts
  let closed = false
  const check = (opts?: OpOptions) => {
    if (closed) throw closedError('composed store')
    throwIfAborted(opts?.signal)
  }
  const capabilities: StoreCapabilities = {
    streamingWrites: blobs.capabilities.streamingWrites,
    streamingReads: blobs.capabilities.streamingReads,
    crossProcessCas: meta.capabilities.crossProcessCas,
    persistent: meta.capabilities.persistent && blobs.capabilities.persistent,
    quarantine: blobs.capabilities.quarantine && blobs.quarantineBlob !== undefined,
    ...(blobs.capabilities.maxBlobSize === undefined ? {} : { maxBlobSize: blobs.capabilities.maxBlobSize }),
  }
  const store: Store = {
    specVersion: SPEC_VERSION,
    capabilities,
    async putBlob(data, opts) {
      check(opts)
      return blobs.putBlob(data, opts)
    },
    async getBlob(hash, opts) {
      check(opts)
      return blobs.getBlob(hash, opts)
    },
    openBlob(hash, opts) {
      return (async function* () {
        check(opts)
        yield* blobs.openBlob(hash, opts)
      })()
    },
    async hasBlob(hash, opts) {
      check(opts)
      return blobs.hasBlob(hash, opts)
    },
    async deleteBlob(hash, opts) {
      check(opts)
      return blobs.deleteBlob(hash, opts)
    },
    listBlobs(opts) {
      return (async function* () {
        check(opts)
        yield* blobs.listBlobs(opts)
      })()
    },
    async putCommit(commit, opts) {
      check(opts)
      return meta.putCommit(commit, opts)
    },
    async getCommit(hashOrPrefix, opts) {
      check(opts)
      return meta.getCommit(hashOrPrefix, opts)
    },
    async findByFingerprint(fingerprint, opts) {
      check(opts)
      return meta.findByFingerprint(fingerprint, opts)
    },
    listCommits(query, opts) {
      return (async function* () {
        check(opts)
        yield* meta.listCommits(query, opts)
      })()
    },
    async history(hash, opts) {
      check(opts)
      return meta.history(hash, opts)
    },
    async deleteCommit(hash, opts) {
      check(opts)
      return meta.deleteCommit(hash, opts)
    },
    async getRef(name, opts) {
      check(opts)
      return meta.getRef(name, opts)
    },
    async setRef(name, value, expected, opts) {
      check(opts)
      return meta.setRef(name, value, expected, opts)
    },
    listRefs(prefix, opts) {
      return (async function* () {
        check(opts)
        yield* meta.listRefs(prefix, opts)
      })()
    },
    async stats(opts): Promise<StoreStats> {
      check(opts)
      const [m, b] = await Promise.all([meta.stats(opts), blobs.stats(opts)])
      return { blobs: b.blobs, blobBytes: b.blobBytes, commits: m.commits, refs: m.refs }
    },
    async close() {
      if (closed) return
      closed = true
      await Promise.all([meta.close(), blobs.close()])
    },
  }
  if (meta.deleteCommits) {
    const batch = meta.deleteCommits.bind(meta)
    store.deleteCommits = async (hashes, opts) => {
      check(opts)
      return batch(hashes, opts)
    }
  }
  if (blobs.quarantineBlob) {
    const quarantine = blobs.quarantineBlob.bind(blobs)
    store.quarantineBlob = async (hash, opts) => {
      check(opts)
      return quarantine(hash, opts)
    }
  }
  return store
}
