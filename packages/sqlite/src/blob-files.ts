import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
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

  /** Writes bytes durably under `hash` (temp, fsync, rename, directory fsync). */
  writeSync(hash: string, bytes: Uint8Array): void {
    const temp = this.tempPath()
    const fd = openSync(temp, 'w')
    try {
      let offset = 0
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    this.publishSync(temp, hash)
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

  /** Streams a file in 1 MiB reads. */
  async *read(path: string): AsyncGenerator<Uint8Array> {
    const handle = await open(path, 'r')
    try {
      for (;;) {
        const buffer = new Uint8Array(1024 * 1024)
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, null)
        if (bytesRead === 0) return
        yield buffer.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
  }
}
