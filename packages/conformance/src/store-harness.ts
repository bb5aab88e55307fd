import type { Hash, Store, StoreCapabilities } from '@cairn/core'

/** Reads and tampers with what really landed in the backend, bypassing the adapter. */
export interface StoreOracle {
  /** The bytes stored under `hash`, unverified, or undefined. */
  readBlob(hash: Hash): Promise<Uint8Array | undefined>
  /** Overwrites what is stored under `hash` (to simulate corruption). */
  writeBlob(hash: Hash, bytes: Uint8Array): Promise<void>
  deleteBlobRaw?(hash: Hash): Promise<void>
  readRef?(name: string): Promise<string | undefined>
  readCommit?(hash: Hash): Promise<unknown | undefined>
}

/** A fresh, isolated store for one test, with optional oracle, reopen and teardown. */
export interface StoreHarness {
  store: Store
  oracle?: StoreOracle
  /** Opens a new instance on the same data (persistence tests). */
  reopen?(): Promise<Store>
  teardown?(): Promise<void>
}

export interface StoreSuiteOptions {
  name: string
  factory(): Promise<StoreHarness> | StoreHarness
  /**
   * What the store can do (usually `store.capabilities` of an instance). The suite picks its groups
   * from this when tests are registered; a harness that then fails to deliver a promised part
   * (an oracle, `reopen`) fails the test rather than skipping it.
   */
  capabilities: StoreCapabilities
  /** The factory's harnesses carry a raw `oracle` (enables the integrity group). */
  oracle?: boolean
  /** Size of the large streamed blob test (default 64 MiB). */
  largeBlobBytes?: number
  /** Parallel operations in race tests (default 16). */
  concurrency?: number
  /** Per-test timeout passed to the runner (default 120 s). */
  timeoutMs?: number
}

export interface StoreTestContext {
  store: Store
  harness: StoreHarness
  capabilities: StoreCapabilities
  options: Required<Pick<StoreSuiteOptions, 'largeBlobBytes' | 'concurrency'>>
}

/** Runs `body` with a fresh harness and always tears it down. */
export async function withStore(
  options: StoreSuiteOptions,
  body: (ctx: StoreTestContext) => Promise<void>,
): Promise<void> {
  const harness = await options.factory()
  try {
    await body({
      store: harness.store,
      harness,
      capabilities: options.capabilities,
      options: {
        largeBlobBytes: options.largeBlobBytes ?? 64 * 1024 * 1024,
        concurrency: options.concurrency ?? 16,
      },
    })
  } finally {
    try {
      await harness.store.close()
    } finally {
      await harness.teardown?.()
    }
  }
}
