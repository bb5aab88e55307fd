import { randomBytes } from 'node:crypto'
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { throwIfAborted } from '@cairn/core'
import { errno, ioError } from './io-errors.js'

/**
 * Cross-process locks for short critical sections (a ref's compare-and-swap, a commit-log append,
 * a compaction).
 *
 * Each process makes one "holder" file per locks directory, `holder-<pid>-<random>`, holding
 * `<pid> <host> <boot id>`. Taking lock `x` is `link(holder, locks/x)`: atomic, fails with EEXIST
 * while anyone holds it, and allocates no inode (creating a file costs ~15× more on ext4).
 * Releasing unlinks it, so no lock file outlives its call. Waiters in the same process queue in
 * memory; only the head of the queue touches the file system.
 *
 * A lock is abandoned when its holder is a dead process on this host (or one from before a reboot):
 * it is broken at once. A live holder on this host is trusted for 10 minutes (a guard against PID
 * reuse); a holder on another host for 30 s (sharing a root between hosts is not supported, but a
 * crashed remote holder does not wedge the store forever). Breaking is itself serialized by a
 * second lock, `x.break`, so two waiters can never both "break" a lock and remove each other's.
 */

const HOST = hostname()
const BOOT_ID = readBootId()
const LIVE_HOLDER_LIMIT_MS = 10 * 60_000
const FOREIGN_HOLDER_LIMIT_MS = 30_000
const MAX_POLL_MS = 10

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return '-' // not Linux: PID checks only
  }
}

export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errno(error) === 'EPERM'
  }
}

interface Holder {
  path: string
  /** `dev:ino` of the holder file, which every lock this process takes links to. */
  id: string
  /** Locks taken through it and not yet released. */
  active: number
  /** Its store closed while a lock was still held: remove the file when the last lock goes. */
  retired: boolean
}

const holders = new Map<string, Holder>()
/** Open stores per locks directory in this process: the holder file goes when the last one closes. */
const users = new Map<string, number>()
/**
 * The ids of this process's holder files that still exist (current ones, and retired ones a lock
 * still links to). Forgotten once a file is gone, since the file system may reuse its inode number.
 */
const ourIds = new Set<string>()
/** In-process FIFO per lock path: the tail promise of the queue. */
const queues = new Map<string, Promise<void>>()

export function retainHolder(locksDir: string): void {
  users.set(locksDir, (users.get(locksDir) ?? 0) + 1)
}

/** Drops one user of a locks directory; the last one removes this process's holder file. */
export function releaseHolder(locksDir: string): void {
  const left = (users.get(locksDir) ?? 1) - 1
  if (left > 0) {
    users.set(locksDir, left)
    return
  }
  users.delete(locksDir)
  const holder = holders.get(locksDir)
  if (!holder) return
  holders.delete(locksDir)
  holder.retired = true
  if (holder.active === 0) removeHolderFile(holder)
}

function removeHolderFile(holder: Holder): void {
  ourIds.delete(holder.id)
  removeFile('removing lock holder', holder.path)
}

/** Removes a lock or holder file (absent is fine); any other failure, say EACCES on a read-only root, is CAIRN_BACKEND. */
function removeFile(action: string, path: string): void {
  try {
    rmSync(path, { force: true })
  } catch (error) {
    throw ioError(action, path, error)
  }
}

function holderFor(locksDir: string): Holder {
  const known = holders.get(locksDir)
  if (known) return known
  const path = join(locksDir, `holder-${process.pid}-${randomBytes(6).toString('hex')}`)
  try {
    const fd = openSync(path, 'wx')
    try {
      writeSync(fd, `${process.pid} ${HOST} ${BOOT_ID}`)
    } finally {
      closeSync(fd)
    }
    const holder: Holder = { path, id: fileId(statSync(path)), active: 0, retired: false }
    holders.set(locksDir, holder)
    ourIds.add(holder.id)
    return holder
  } catch (error) {
    throw ioError('creating lock holder', path, error)
  }
}

function fileId(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`
}

/** Whether a lock file is one of this process's holder files (a store may reach one directory by two paths). */
function isOurs(id: string): boolean {
  return ourIds.has(id)
}

interface Owner {
  pid: number
  host: string
  boot: string
  id: string
  /** link() and unlink() set the inode's ctime: no earlier than the moment this lock was taken. */
  ctimeMs: number
}

function readOwner(path: string): Owner | undefined {
  try {
    const info = statSync(path)
    const [pid, host, boot] = readFileSync(path, 'utf8').split(' ')
    return { pid: Number(pid), host: host ?? '', boot: boot ?? '', id: fileId(info), ctimeMs: info.ctimeMs }
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined // released meanwhile
    throw ioError('reading lock', path, error)
  }
}

function isAbandoned(owner: Owner): boolean {
  const age = Date.now() - owner.ctimeMs
  if (owner.host !== HOST || !Number.isInteger(owner.pid) || owner.pid <= 0) {
    return age > FOREIGN_HOLDER_LIMIT_MS
  }
  if (owner.boot !== BOOT_ID) return true // held before a reboot
  // Our own PID: ours if it links to one of our holder files, else a dead predecessor with the same PID.
  if (owner.pid === process.pid) return !isOurs(owner.id)
  if (!isProcessAlive(owner.pid)) return true
  return age > LIVE_HOLDER_LIMIT_MS
}

/** Holder files of dead processes on this host (a crash leaves one per process, never one per call). */
export function removeDeadHolders(locksDir: string): void {
  let names: string[]
  try {
    names = readdirSync(locksDir)
  } catch (error) {
    throw ioError('listing', locksDir, error)
  }
  for (const name of names) {
    if (!name.startsWith('holder-')) continue
    const path = join(locksDir, name)
    const owner = readOwner(path)
    if (!owner || isOurs(owner.id) || owner.host !== HOST) continue
    const dead = owner.boot !== BOOT_ID || owner.pid === process.pid || !isProcessAlive(owner.pid)
    if (dead) removeFile('removing dead lock holder', path)
  }
}

/** Lock files whose holder is gone (a process killed inside a critical section), removed on open. */
export function removeAbandonedLocks(locksDir: string): void {
  let names: string[]
  try {
    names = readdirSync(locksDir)
  } catch (error) {
    throw ioError('listing', locksDir, error)
  }
  for (const name of names) {
    if (name.startsWith('holder-')) continue
    const path = join(locksDir, name)
    const owner = readOwner(path)
    if (!owner || !isAbandoned(owner)) continue
    if (!name.endsWith('.break')) breakAbandoned(locksDir, path, owner)
    else if (readOwner(path)?.id === owner.id) removeFile('removing abandoned lock', path) // a breaker that died mid-break
  }
}

/** Takes the lock file if free (returning the holder it links to); undefined when someone holds it. */
function tryTake(locksDir: string, path: string): Holder | undefined {
  for (;;) {
    const holder = holderFor(locksDir)
    try {
      linkSync(holder.path, path)
      holder.active++
      return holder
    } catch (error) {
      const code = errno(error)
      if (code === 'EEXIST') return undefined
      if (code === 'ENOENT' && holders.get(locksDir) === holder) {
        // Our holder file was removed from under us: make a new one.
        holders.delete(locksDir)
        if (holder.active === 0) ourIds.delete(holder.id)
        continue
      }
      throw ioError('taking lock', path, error)
    }
  }
}

/** Unlinks a lock only if it is still the link we made (it may have been broken and retaken). */
function release(path: string, holder: Holder): void {
  try {
    if (fileId(statSync(path)) === holder.id) unlinkSync(path)
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw ioError('releasing lock', path, error)
  } finally {
    holder.active--
    if (holder.retired && holder.active === 0) removeHolderFile(holder)
  }
}

/**
 * Removes an abandoned lock, under `<lock>.break` so that no two breakers race; false when another
 * live process is breaking it right now (the caller waits, then looks again).
 */
function breakAbandoned(locksDir: string, path: string, judged: Owner): boolean {
  const breakPath = `${path}.break`
  let breakHolder = tryTake(locksDir, breakPath)
  if (!breakHolder) {
    // Another process is breaking it, or died while doing so (then that break lock is abandoned too).
    const breaker = readOwner(breakPath)
    if (breaker && !isAbandoned(breaker)) return false
    if (breaker && readOwner(breakPath)?.id === breaker.id) removeFile('removing abandoned lock', breakPath)
    breakHolder = tryTake(locksDir, breakPath)
    if (!breakHolder) return false
  }
  try {
    // Under the break lock, only the dead holder could remove `path`: it is still what we judged.
    const now = readOwner(path)
    if (now && now.id === judged.id && isAbandoned(now)) unlinkSync(path)
    return true
  } catch (error) {
    if (errno(error) === 'ENOENT') return true
    throw ioError('breaking lock', path, error)
  } finally {
    release(breakPath, breakHolder)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves when `previous` settles; rejects with CAIRN_ABORTED if the signal fires first. */
function waitTurn(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return previous
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      try {
        throwIfAborted(signal)
      } catch (error) {
        reject(error)
      }
    }
    signal.addEventListener('abort', onAbort, { once: true })
    previous.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

/**
 * Runs `critical` while holding the lock `name` in `locksDir`, across processes. A fired signal
 * while waiting gives CAIRN_ABORTED before `critical` runs.
 */
export async function withLock<T>(
  locksDir: string,
  name: string,
  critical: () => Promise<T> | T,
  signal?: AbortSignal,
): Promise<T> {
  const path = join(locksDir, name)
  const previous = queues.get(path) ?? Promise.resolve()
  let done!: () => void
  const mine = new Promise<void>((resolve) => {
    done = resolve
  })
  const tail = previous.then(() => mine)
  queues.set(path, tail)
  try {
    await waitTurn(previous, signal)
    let wait = 1
    let holder: Holder | undefined
    for (;;) {
      throwIfAborted(signal)
      holder = tryTake(locksDir, path)
      if (holder) break
      const owner = readOwner(path)
      if (owner === undefined) continue
      if (isAbandoned(owner) && breakAbandoned(locksDir, path, owner)) continue
      await sleep(wait * (0.5 + Math.random())) // jittered, so pollers do not march in step
      wait = Math.min(wait * 2, MAX_POLL_MS)
    }
    try {
      return await critical()
    } finally {
      release(path, holder)
    }
  } finally {
    done()
    if (queues.get(path) === tail) queues.delete(path)
  }
}
