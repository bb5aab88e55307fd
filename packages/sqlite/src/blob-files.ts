import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Large blobs live in files beside the database: `<dir>/ab/<hash>`, written to `<dir>/tmp/` first and
 * renamed into place. Directories that went missing (someone cleaned up) are made again on the next
 * write rather than failing every put until the store is reopened.
 */
export class BlobFiles {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
    mkdirSync(join(dir, 'tmp'), { recursive: true })
  }

  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash)
  }

  quarantinePath(hash: string): string {
    return join(this.dir, 'quarantine', hash)
  }

  /** A temp file for a write in progress. */
  #tempPath(): string {
    return join(this.dir, 'tmp', randomUUID())
  }

  /** Opens a new temp file for writing. */
  async openTemp(): Promise<{ path: string; handle: FileHandle }> {
    const path = this.#tempPath()
    try {
      return { path, handle: await open(path, 'wx') }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(dirname(path), { recursive: true })
      return { path, handle: await open(path, 'wx') }
    }
  }

  /** Writes bytes to a new fsynced temp file and returns its path (`publishSync` moves it into place). */
  writeTempSync(bytes: Uint8Array): string {
    const temp = this.#tempPath()
    let fd: number
    try {
      fd = openSync(temp, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(dirname(temp), { recursive: true })
      fd = openSync(temp, 'wx')
    }
    try {
      let offset = 0
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset)
      fsyncSync(fd)
    } catch (error) {
      closeSync(fd)
      rmSync(temp, { force: true })
      throw error
    }
    closeSync(fd)
    return temp
  }

  /** Moves a finished, fsynced temp file into place, durably (the directory is fsynced too). */
  publishSync(temp: string, hash: string): void {
    const target = this.path(hash)
    mkdirSync(dirname(target), { recursive: true })
    renameSync(temp, target)
    syncDirectory(dirname(target))
  }

  /**
   * Moves a blob's file to `quarantine/` (kept for inspection); false if it had no file. A second
   * quarantine of the same hash replaces the first.
   */
  quarantineSync(hash: string): boolean {
    const target = this.quarantinePath(hash)
    mkdirSync(dirname(target), { recursive: true })
    try {
      renameSync(this.path(hash), target)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw error
    }
  }

  removeSync(path: string): void {
    rmSync(path, { force: true })
  }
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
