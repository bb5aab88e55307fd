import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError, ErrorCode, sha256Hex } from '@cairn/core'
import { syncDir, tempName, writeAll } from './durable.js'
import { errno, ioError } from './io-errors.js'
import type { Paths } from './layout.js'
import { withLock } from './lock.js'

/**
 * Each ref is one file, `refs/<sha256 of its name>.json`, holding `{ name, value }`: any valid name
 * (unicode, `/`, any length up to the limit) maps to a short, safe file name.
 */
export function refFile(paths: Paths, name: string): string {
  return join(paths.refs, `${sha256Hex(name)}.json`)
}

/** Reads a ref synchronously: one small file, cheaper than a thread-pool round trip. */
export function readRef(paths: Paths, name: string): string | undefined {
  const path = refFile(paths, name)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw ioError('reading ref', path, error)
  }
  const ref = parseRef(path, text)
  if (ref.name !== name) {
    throw new CairnError(ErrorCode.Corrupt, `ref file ${path} holds ref ${JSON.stringify(ref.name)}`, {
      details: { path, name },
    })
  }
  return ref.value
}

function parseRef(path: string, text: string): { name: string; value: string } {
  try {
    const parsed = JSON.parse(text)
    if (typeof parsed?.name === 'string' && typeof parsed?.value === 'string') return parsed
  } catch {
    // fall through
  }
  throw new CairnError(ErrorCode.Corrupt, `ref file ${path} is damaged`, { details: { path } })
}

/**
 * Compare-and-swap under a per-ref lock, atomic across processes. A write is temp file, fsync,
 * rename, fsync of `refs/`; a delete is unlink, fsync of `refs/`. `durable: false` (the caller's
 * `SetRefOptions.durable`) skips both fsyncs and keeps the lock and the rename, so CAS stays atomic
 * and no reader sees a torn file.
 */
export async function casRef(
  paths: Paths,
  name: string,
  value: string | undefined,
  expected: string | null | undefined,
  signal: AbortSignal | undefined,
  durable = true,
): Promise<boolean> {
  const path = refFile(paths, name)
  const lockName = `ref-${sha256Hex(name).slice(0, 32)}.lock`
  return withLock(
    paths.locks,
    lockName,
    async () => {
      const current = readRef(paths, name)
      if (expected === null && current !== undefined) return false
      if (typeof expected === 'string' && current !== expected) return false
      if (value === undefined) {
        if (current === undefined) return true
        try {
          rmSync(path, { force: true })
        } catch (error) {
          throw ioError('deleting ref', path, error)
        }
      } else {
        await writeRefFile(paths, path, JSON.stringify({ name, value }), durable)
      }
      if (durable) await syncDir(paths.refs)
      return true
    },
    signal,
  )
}

async function writeRefFile(paths: Paths, path: string, text: string, durable: boolean): Promise<void> {
  const temp = tempName(paths.tmp)
  try {
    if (durable) {
      // Durable refs wait for the disk off the event loop.
      const handle = await open(temp, 'wx')
      try {
        await writeAll(handle, Buffer.from(text))
        await handle.datasync()
      } finally {
        await handle.close()
      }
    } else {
      const fd = openSync(temp, 'wx')
      try {
        writeSync(fd, text)
      } finally {
        closeSync(fd)
      }
    }
    renameSync(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw ioError('writing ref', path, error)
  }
}

export async function listRefFiles(paths: Paths, prefix: string): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const file of await refFileNames(paths)) {
    const path = join(paths.refs, file)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT') continue // deleted meanwhile
      throw ioError('reading ref', path, error)
    }
    const ref = parseRef(path, text)
    if (ref.name.startsWith(prefix)) out.push([ref.name, ref.value])
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

async function refFileNames(paths: Paths): Promise<string[]> {
  try {
    return (await readdir(paths.refs)).filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
  } catch (error) {
    throw ioError('listing', paths.refs, error)
  }
}

export async function countRefs(paths: Paths): Promise<number> {
  return (await refFileNames(paths)).length
}
