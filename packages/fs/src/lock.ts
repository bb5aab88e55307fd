import { randomBytes } from 'node:crypto'
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { errno, ioError } from './io-errors.js'

const HOST = hostname()
/** A lock held longer than this is assumed abandoned even if its holder cannot be checked (another host). */
const STALE_AFTER_MS = 30_000

export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errno(error) === 'EPERM'
  }
}

/**
 * Each process creates one "holder" file per locks directory, `holder-<pid>-<random>`, holding
 * `pid host`. Taking a lock is a hard link from the holder file to the lock's name: atomic, fails
 * with EEXIST while someone holds it, and costs no inode allocation (creating a file costs ~15×
 * more on this machine's ext4). Releasing is an unlink, so no lock file outlives its call.
 */
const holders = new Map<string, string>()
/** Open stores per locks directory in this process: the holder file goes when the last one closes. */
const users = new Map<string, number>()

export function retainHolder(locksDir: string): void {
  users.set(locksDir, (users.get(locksDir) ?? 0) + 1)
}

function holderFor(locksDir: string): string {
  let holder = holders.get(locksDir)
  if (holder) return holder
  holder = join(locksDir, `holder-${process.pid}-${randomBytes(6).toString('hex')}`)
  const fd = openSync(holder, 'wx')
  try {
    writeSync(fd, `${process.pid} ${HOST}`)
  } finally {
    closeSync(fd)
  }
  holders.set(locksDir, holder)
  return holder
}

/** Removes this process's holder file for a locks directory (on close). */
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
  rmSync(holder, { force: true })
}

/** Holder files of dead processes on this host (a crash leaves one per process, never one per call). */
export function removeDeadHolders(locksDir: string): void {
  let names: string[]
  try {
    names = readdirSync(locksDir)
  } catch {
    return
  }
  for (const name of names) {
    const pid = Number(name.split('-')[1])
    if (name.startsWith('holder-') && Number.isInteger(pid) && !isProcessAlive(pid)) {
      rmSync(join(locksDir, name), { force: true })
    }
  }
}

function isAbandoned(path: string): { abandoned: boolean; ino?: number } {
  let content: string
  let info: ReturnType<typeof statSync>
  try {
    info = statSync(path)
    content = readFileSync(path, 'utf8')
  } catch (error) {
    if (errno(error) === 'ENOENT') return { abandoned: false } // released meanwhile
    throw ioError('reading lock', path, error)
  }
  const [pidText, host] = content.split(' ')
  const pid = Number(pidText)
  // link() sets the inode's ctime: the moment the lock was taken.
  if (host === HOST && Number.isInteger(pid) && !isProcessAlive(pid))
    return { abandoned: true, ino: info.ino }
  return { abandoned: Date.now() - info.ctimeMs > STALE_AFTER_MS, ino: info.ino }
}

/** Runs `critical` while holding the lock at `path` (in `locksDir`); cross-process, crash-tolerant. */
export async function withLock<T>(locksDir: string, name: string, critical: () => Promise<T>): Promise<T> {
  const path = join(locksDir, name)
  let wait = 1
  for (;;) {
    const holder = holderFor(locksDir)
    try {
      linkSync(holder, path)
    } catch (error) {
      const code = errno(error)
      if (code === 'ENOENT') {
        // Our holder file is gone (removed from under us): make a new one and try again.
        if (holders.get(locksDir) === holder) holders.delete(locksDir)
        continue
      }
      if (code !== 'EEXIST') throw ioError('taking lock', path, error)
      const { abandoned, ino } = isAbandoned(path)
      if (abandoned) {
        // Break it only if it is still the same lock we judged (same inode).
        try {
          if (statSync(path).ino === ino) rmSync(path, { force: true })
        } catch {
          // gone already
        }
        continue
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, 20)
      continue
    }
    try {
      return await critical()
    } finally {
      rmSync(path, { force: true })
    }
  }
}
