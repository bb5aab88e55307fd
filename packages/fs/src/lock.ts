import { open, readFile, rm, stat } from 'node:fs/promises'
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
    let handle: Awaited<ReturnType<typeof open>> | undefined
    try {
      handle = await open(path, 'wx')
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw ioError('creating lock', path, error)
    }
    if (handle) {
      try {
        await handle.writeFile(`${process.pid} ${HOST} ${Date.now()}`)
      } finally {
        await handle.close()
      }
      try {
        return await critical()
      } finally {
        await rm(path, { force: true })
      }
    }
    let content = ''
    try {
      content = await readFile(path, 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT') continue // released meanwhile
      throw ioError('reading lock', path, error)
    }
    // An empty file is a holder between create and write: judged by its age alone.
    const mtimeMs =
      content === ''
        ? await stat(path).then(
            (s) => s.mtimeMs,
            () => Date.now(),
          )
        : 0
    const abandoned = content === '' ? Date.now() - mtimeMs > 1000 : isAbandoned(content, 0, Date.now())
    if (abandoned) {
      await breakLock(path, content)
      continue
    }
    await new Promise((resolve) => setTimeout(resolve, wait))
    wait = Math.min(wait * 2, 20)
  }
}

/** Removes a lock only if it still holds the content we judged abandoned (another waiter may have broken it already). */
async function breakLock(path: string, judged: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined)
  if (current === judged) await rm(path, { force: true })
}
