import type { Store } from '../protocols/store.js'
import { isAbandoned, LEASE_PREFIX, removeLease } from './lease.js'

export interface LeaseSweep {
  /** Abandoned leases removed (or, in a dry run, that would be). */
  reclaimed: number
  /** Leases whose holder is alive and within its TTL. */
  active: number
}

export interface LeaseSweepOptions {
  now: () => number
  /** Look at no more than this many leases (a sweep on open stays cheap however many piled up). */
  limit?: number
  dryRun?: boolean
  signal?: AbortSignal
}

/** How many leases a client looks at when it first opens its store. */
export const OPEN_SWEEP_LIMIT = 256

/**
 * Removes leases whose holder is gone (expired, unreadable, or a dead PID on this host). Each removal
 * is a compare-and-swap on the exact value read, so a lease renewed or retaken meanwhile stays.
 */
export async function reclaimLeases(store: Store, options: LeaseSweepOptions): Promise<LeaseSweep> {
  const { now, limit = Number.POSITIVE_INFINITY, dryRun = false, signal } = options
  const sweep: LeaseSweep = { reclaimed: 0, active: 0 }
  let seen = 0
  for await (const [name, value] of store.listRefs(LEASE_PREFIX, { signal })) {
    if (seen++ >= limit) break
    if (!isAbandoned(value, now())) sweep.active++
    // A failed swap: renewed, retaken or released between the read and the swap, so not ours to count.
    else if (dryRun || (await removeLease(store, name, value, signal))) sweep.reclaimed++
  }
  return sweep
}

/** Whether a ref is one of Cairn's leases rather than a user ref. */
export function isLeaseRef(name: string): boolean {
  return name.startsWith(LEASE_PREFIX)
}

/** User refs and leases, counted apart in one listing (a lease is never a user ref). */
export async function countRefs(store: Store): Promise<{ refs: number; leases: number }> {
  const counts = { refs: 0, leases: 0 }
  for await (const [name] of store.listRefs('')) {
    if (isLeaseRef(name)) counts.leases++
    else counts.refs++
  }
  return counts
}

/** The store once a bounded sweep of abandoned leases has run (a client does this on first use). */
export async function sweptOnOpen(store: Promise<Store>, now: () => number): Promise<Store> {
  const opened = await store
  await reclaimLeases(opened, { now, limit: OPEN_SWEEP_LIMIT })
  return opened
}
