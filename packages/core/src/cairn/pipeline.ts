import type { PackagerRegistry } from '../packagers/registry.js'
import type { Executor } from '../protocols/executor.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store } from '../protocols/store.js'
import type { LeaseTiming } from './lease.js'
import type { Warnings } from './warnings.js'

/** What the steps of a call (look-up, compute, record, read) share: the client's settings and parts. */
export interface Pipeline {
  /** The store in use (opened on first use). */
  store(): Promise<Store>
  executor: Executor
  /** Encodes outputs and argument blobs. */
  serializer: Serializer
  /** Every serializer outputs can be read with, by id. */
  serializers: Map<string, Serializer>
  packagers: PackagerRegistry
  strictPackaging: boolean
  inlineMaxBytes: number
  /** Cross-process leases: the client's option, or undefined to follow the store's `crossProcessCas`. */
  leases: boolean | undefined
  leaseTiming: LeaseTiming
  now: () => number
  warnings: Warnings
}
