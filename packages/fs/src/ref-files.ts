import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError, ErrorCode, sha256Hex } from '@cairn/core'
import { tempPath } from './blob-files.js'
import { errno, ioError } from './io-errors.js'
import type { Paths } from './layout.js'
import { withLock } from './lock.js'

/**
 * Each ref is one file, `refs/<sha256 of its name>.json`, holding `{ name, value }`: any valid name
 * (unicode, any length up to the limit) maps to a short, safe file name.
 */
function refFile(paths: Paths, name: string): string {
  return join(paths.refs, `${sha256Hex(name)}.json`)
}

/** Leases are short-lived coordination records: losing one in a power cut is harmless, so they skip fsync. */
function isEphemeral(name: string): boolean {
  return name.startsWith('leases/')
}

export async function readRef(paths: Paths, name: string): Promise<string | undefined> {
  return readRefNow(paths, name)
}

/** Reads a ref synchronously: one small file, cheaper than a thread-pool round trip. */
function readRefNow(paths: Paths, name: string): string | undefined {
  const path = refFile(paths, name)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw ioError('reading ref', path, error)
  }
  return parseRef(path, text).value
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

/** Compare-and-swap under a per-ref lock file, atomic across processes; the write is temp + rename. */
export async function casRef(
  paths: Paths,
  name: string,
  value: string | undefined,
  expected: string | null | undefined,
): Promise<boolean> {
  const path = refFile(paths, name)
  return withLock(paths.locks, `ref-${sha256Hex(name).slice(0, 32)}.lock`, async () => {
    const current = readRefNow(paths, name)
    if (expected === null && current !== undefined) return false
    if (typeof expected === 'string' && current !== expected) return false
    if (value === undefined) {
      try {
        rmSync(path, { force: true })
      } catch (error) {
        throw ioError('deleting ref', path, error)
      }
      return true
    }
    const temp = tempPath(paths)
    try {
      if (isEphemeral(name)) {
        writeSmallFile(temp, JSON.stringify({ name, value }))
      } else {
        // Durable refs wait for the disk off the event loop.
        const handle = await open(temp, 'wx')
        try {
          await handle.writeFile(JSON.stringify({ name, value }))
          await handle.datasync()
        } finally {
          await handle.close()
        }
      }
      renameSync(temp, path)
    } catch (error) {
      rmSync(temp, { force: true })
      throw ioError('writing ref', path, error)
    }
    return true
  })
}

function writeSmallFile(path: string, text: string): void {
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
}

export async function listRefFiles(paths: Paths, prefix: string): Promise<[string, string][]> {
  let names: string[]
  try {
    names = await readdir(paths.refs)
  } catch (error) {
    throw ioError('listing', paths.refs, error)
  }
  const out: [string, string][] = []
  for (const file of names) {
    if (!file.endsWith('.json')) continue
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

export async function countRefs(paths: Paths): Promise<number> {
  return (await readdir(paths.refs)).filter((f) => f.endsWith('.json')).length
}
