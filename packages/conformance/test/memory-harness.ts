import { type MemoryBacking, MemoryStore, type Store } from '@cairn/core'
import type { StoreHarness } from '../src/index.js'

/** A MemoryStore with a raw oracle over its backing maps; `wrap` lets a test break it on purpose. */
export function memoryHarness(
  backing: MemoryBacking,
  wrap: (store: Store) => Store = (s) => s,
): StoreHarness {
  return {
    store: wrap(new MemoryStore({ backing })),
    oracle: {
      readBlob: async (hash) => backing.blobs.get(hash)?.slice(),
      writeBlob: async (hash, bytes) => {
        backing.blobs.set(hash, bytes.slice())
      },
      deleteBlobRaw: async (hash) => {
        backing.blobs.delete(hash)
      },
      readRef: async (name) => backing.refs.get(name),
      readCommit: async (hash) => backing.commits.get(hash),
    },
    reopen: async () => wrap(new MemoryStore({ backing })),
  }
}
