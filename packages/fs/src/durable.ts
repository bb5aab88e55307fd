import { randomBytes } from 'node:crypto'
import { type FileHandle, open, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ioError } from './io-errors.js'

/** A fresh temp file name in `dir`; the PID lets `open` tell a dead writer's leftovers from a live one's. */
export function tempName(dir: string): string {
  return join(dir, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`)
}

/** fsyncs a directory so that a rename or unlink in it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle
  try {
    handle = await open(dir, 'r')
  } catch (error) {
    throw ioError('opening directory', dir, error)
  }
  try {
    await handle.sync()
  } catch (error) {
    throw ioError('syncing directory', dir, error)
  } finally {
    await handle.close()
  }
}

/**
 * Writes all of `bytes` at the handle's position. `FileHandle.write` may write less than asked
 * (a full disk, a signal); a short write that went unnoticed would publish a truncated file under
 * a hash computed from the whole input.
 */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset)
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${offset} of ${bytes.byteLength}`)
    offset += bytesWritten
  }
}

/** Replaces `path` atomically and durably: temp file in `tmpDir` (same filesystem), fsync, rename, fsync the directory. */
export async function replaceFile(path: string, tmpDir: string, bytes: Uint8Array): Promise<void> {
  const temp = tempName(tmpDir)
  try {
    const handle = await open(temp, 'wx')
    try {
      await writeAll(handle, bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw ioError('writing', path, error)
  }
  await syncDir(dirname(path))
}
