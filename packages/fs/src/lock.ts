import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { errno, ioError } from './io-errors.js'

const HOST = hostname()
/** A lock older than this is assumed abandoned even if its holder cannot be checked (another host). */
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

function isAbandoned(content: string, mtimeMs: number, now: number): boolean {
  const [pidText, host, startedText] = content.split(' ')
  const pid = Number(pidText)
  const started = Number(startedText)
  if (host === HOST && Number.isInteger(pid) && !isProcessAlive(pid)) return true
  const since = Number.isFinite(started) ? started : mtimeMs
  return now - since > STALE_AFTER_MS
}

/**
 * Runs `critical` while holding an exclusive lock file created with O_EXCL (`pid host time`).
 * The file is removed afterwards, so no lock litters the store; a lock left by a dead process on
 * this host is broken at once, any other after 30 s.
 */
export async function withLock<T>(path: string, critical: () => Promise<T>): Promise<T> {
  let wait = 1
  for (;;) {
    // Creating and removing a lock file are metadata operations of a few microseconds: done
    // synchronously, they cost far less than a thread-pool round trip each.
    let fd: number | undefined
    try {
      fd = openSync(path, 'wx')
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw ioError('creating lock', path, error)
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid} ${HOST} ${Date.now()}`)
      } finally {
        closeSync(fd)
      }
      try {
        return await critical()
      } finally {
        rmSync(path, { force: true })
      }
    }
    let content = ''
    try {
      content = readFileSync(path, 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT') continue // released meanwhile
      throw ioError('reading lock', path, error)
    }
    // An empty file is a holder between create and write: judged by its age alone.
    let abandoned: boolean
    if (content === '') {
      const mtimeMs = (() => {
        try {
          return statSync(path).mtimeMs
        } catch {
          return Date.now()
        }
      })()
      abandoned = Date.now() - mtimeMs > 1000
    } else abandoned = isAbandoned(content, 0, Date.now())
    if (abandoned) {
      breakLock(path, content)
      continue
    }
    await new Promise((resolve) => setTimeout(resolve, wait))
    wait = Math.min(wait * 2, 20)
  }
}

/** Removes a lock only if it still holds the content we judged abandoned (another waiter may have broken it already). */
function breakLock(path: string, judged: string): void {
  let current: string | undefined
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    current = undefined
  }
  if (current === judged) rmSync(path, { force: true })
}
