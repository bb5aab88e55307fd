import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Large blobs live in files beside the database: `<dir>/ab/<hash>`, written temp-then-rename. */
export class BlobFiles {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
    mkdirSync(join(dir, 'tmp'), { recursive: true })
    mkdirSync(join(dir, 'quarantine'), { recursive: true })
  }

  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash)
  }

  quarantinePath(hash: string): string {
    return join(this.dir, 'quarantine', hash)
  }

  /** A temp file for a write in progress. */
  tempPath(): string {
    return join(this.dir, 'tmp', randomUUID())
  }

  /** Writes bytes to a new fsynced temp file and returns its path (`publishSync` moves it into place). */
  writeTempSync(bytes: Uint8Array): string {
    const temp = this.tempPath()
    const fd = openSync(temp, 'w')
    try {
      let offset = 0
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    return temp
  }

  /** Moves a finished, fsynced temp file into place. */
  publishSync(temp: string, hash: string): void {
    const target = this.path(hash)
    mkdirSync(dirname(target), { recursive: true })
    renameSync(temp, target)
    const dirFd = openSync(dirname(target), 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  }

  removeSync(path: string): void {
    rmSync(path, { force: true })
  }
}
