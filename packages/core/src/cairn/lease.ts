import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { CairnError, ErrorCode, throwIfAborted } from '../errors.js'
import type { Store } from '../protocols/store.js'

export interface LeaseTiming {
  /** How long a lease stays valid without renewal; the holder renews it every third of this. */
  ttlMs: number
  /** First wait between checks while another holder computes; grows to `maxPollMs`. */
  pollMs: number
  maxPollMs: number
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

interface LeaseRecord {
  owner: string
  pid: number
  host: string
  expiresAt: number
}

/** A held lease: renewed in the background until released. */
export interface HeldLease {
  release(): Promise<void>
}

const HOST = hostname()

/** Cairn's reserved ref prefix: lease refs are coordination records, never user refs. */
export const LEASE_PREFIX = 'leases/'

/**
 * Lease writes skip durability (`SetRefOptions.durable`): a lease lost in a power cut only lets
 * another process compute the same call again, and content addressing keeps that result right.
 */
const LEASE_WRITE = { durable: false } as const

/**
 * Cross-process "compute once": the first caller takes the ref `leases/<fingerprint>` by
 * compare-and-swap and computes; the others wait until the result appears, the lease is released,
 * it expires, or its holder is a dead process on this host (then they take over at once).
 */
export async function acquireOrAwait<T>(
  store: Store,
  fingerprint: string,
  findResult: () => Promise<T | undefined>,
  timing: LeaseTiming,
  signal?: AbortSignal,
): Promise<{ result: T } | { lease: HeldLease }> {
  const name = `${LEASE_PREFIX}${fingerprint}`
  let poll = timing.pollMs
  for (;;) {
    throwIfAborted(signal)
    const existing = await findResult()
    if (existing !== undefined) return { result: existing }
    const record: LeaseRecord = {
      owner: randomUUID(),
      pid: process.pid,
      host: HOST,
      expiresAt: timing.now() + timing.ttlMs,
    }
    const value = JSON.stringify(record)
    if (await store.setRef(name, value, null, { ...LEASE_WRITE, signal })) {
      // Someone may have finished between our look-up and our take-over.
      const raced = await findResult()
      const lease = holdLease(store, name, record, timing)
      if (raced !== undefined) {
        await lease.release()
        return { result: raced }
      }
      return { lease }
    }
    const current = await store.getRef(name, { signal })
    if (current === undefined) continue
    if (isAbandoned(current, timing.now())) {
      await removeLease(store, name, current, signal)
      continue
    }
    await timing.sleep(poll, signal)
    poll = Math.min(poll * 2, timing.maxPollMs)
  }
}

/** Removes a lease only if it still holds `value` (a renewed or retaken lease stays). */
export function removeLease(
  store: Store,
  name: string,
  value: string,
  signal?: AbortSignal,
): Promise<boolean> {
  return store.setRef(name, undefined, value, { ...LEASE_WRITE, signal })
}

function holdLease(store: Store, name: string, record: LeaseRecord, timing: LeaseTiming): HeldLease {
  let current = JSON.stringify(record)
  let renewing: Promise<unknown> = Promise.resolve()
  const timer = setInterval(
    () => {
      const next = JSON.stringify({ ...record, expiresAt: timing.now() + timing.ttlMs })
      const expected = current
      // A failed renewal means another process broke the lease; the worst case is one duplicate run.
      renewing = store.setRef(name, next, expected, LEASE_WRITE).then(
        (ok) => {
          if (ok) current = next
        },
        () => undefined,
      )
    },
    Math.max(1, Math.floor(timing.ttlMs / 3)),
  )
  timer.unref?.()
  return {
    async release() {
      clearInterval(timer)
      await renewing
      await removeLease(store, name, current)
    },
  }
}

/** Whether a lease's holder is gone: unreadable, expired, or a dead process on this host. */
export function isAbandoned(value: string, now: number): boolean {
  let record: Partial<LeaseRecord>
  try {
    record = JSON.parse(value)
  } catch {
    return true
  }
  if (typeof record.expiresAt !== 'number' || record.expiresAt <= now) return true
  return record.host === HOST && typeof record.pid === 'number' && !isProcessAlive(record.pid)
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A sleep that rejects with CAIRN_ABORTED when the signal fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CairnError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason }))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new CairnError(ErrorCode.Aborted, 'operation aborted', { cause: signal?.reason }))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
