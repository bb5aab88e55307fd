import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  type BlobRef,
  CairnError,
  corrupt,
  createHasher,
  ErrorCode,
  type Hash,
  invalidArgument,
  notFound,
  sha256Hex,
  throwIfAborted,
} from '@cairn/core'
import { errno, ioError } from './io-errors.js'
import { blobPath, type Paths } from './layout.js'

const READ_CHUNK = 1024 * 1024
const SYNC_READ_MAX = 256 * 1024

export function tempPath(paths: Paths): string {
  return join(paths.tmp, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`)
}

/** fsyncs a directory so a rename into it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Moves a complete, fsynced temp file to its content address; an existing blob counts as success. */
async function publish(paths: Paths, temp: string, hash: Hash): Promise<void> {
  const final = blobPath(paths, hash)
  try {
    await stat(final)
    await rm(temp, { force: true })
    return
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw ioError('checking', final, error)
  }
  await mkdir(dirname(final), { recursive: true })
  try {
    await rename(temp, final)
  } catch (error) {
    await rm(temp, { force: true })
    throw ioError('publishing blob to', final, error)
  }
  await syncDir(dirname(final))
}

/** Writes a blob atomically: temp file, fsync, rename into place. */
/** Whether a blob file exists (a stat, synchronous: it is on every cache hit's path). */
export function blobExists(paths: Paths, hash: Hash): boolean {
  try {
    statSync(blobPath(paths, hash))
    return true
  } catch (error) {
    if (errno(error) === 'ENOENT') return false
    throw ioError('checking blob', blobPath(paths, hash), error)
  }
}

export async function writeBlob(
  paths: Paths,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  expectedHash: Hash | undefined,
  signal: AbortSignal | undefined,
): Promise<BlobRef> {
  if (data instanceof Uint8Array) {
    const hash = sha256Hex(data)
    checkExpected(hash, expectedHash)
    try {
      await stat(blobPath(paths, hash))
      return { hash, size: data.byteLength } // already stored: never rewritten
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw ioError('checking', blobPath(paths, hash), error)
    }
    const temp = tempPath(paths)
    try {
      const handle = await open(temp, 'wx')
      try {
        await handle.writeFile(data)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      throwIfAborted(signal)
      await publish(paths, temp, hash)
    } catch (error) {
      await rm(temp, { force: true })
      throw error instanceof CairnError ? error : ioError('writing blob', temp, error)
    }
    return { hash, size: data.byteLength }
  }
  if (!data || typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
    throw invalidArgument('putBlob needs a Uint8Array or an AsyncIterable of Uint8Array')
  }
  const temp = tempPath(paths)
  const hasher = createHasher()
  let size = 0
  try {
    const handle = await open(temp, 'wx')
    try {
      for await (const chunk of data) {
        throwIfAborted(signal)
        if (!(chunk instanceof Uint8Array)) {
          throw invalidArgument('putBlob stream yielded something other than a Uint8Array')
        }
        hasher.update(chunk)
        size += chunk.byteLength
        await handle.write(chunk)
      }
      await handle.datasync()
    } finally {
      await handle.close()
    }
    const hash = hasher.digest()
    checkExpected(hash, expectedHash)
    throwIfAborted(signal)
    await publish(paths, temp, hash)
    return { hash, size }
  } catch (error) {
    await rm(temp, { force: true })
    if (error instanceof CairnError) throw error
    throw ioError('writing blob', temp, error)
  }
}

function checkExpected(hash: Hash, expected: Hash | undefined): void {
  if (expected !== undefined && expected !== hash) {
    throw corrupt(`data hashes to ${hash}, not the expected ${expected}`, { hash, expected })
  }
}

/** Reads a whole blob and verifies it. */
export async function readBlob(paths: Paths, hash: Hash): Promise<Uint8Array> {
  const path = blobPath(paths, hash)
  let size: number
  try {
    size = statSync(path).size
  } catch (error) {
    if (errno(error) === 'ENOENT') throw notFound(`blob ${hash} not found`, { hash })
    throw ioError('reading blob', path, error)
  }
  if (size > SYNC_READ_MAX) {
    // Large blobs: read in chunks and hash each while the next is read (reading then hashing the
    // whole file takes about twice as long).
    const out = new Uint8Array(size)
    let offset = 0
    for await (const chunk of streamBlob(paths, hash, {}, undefined)) {
      if (offset + chunk.byteLength > size) throw corrupt(`blob ${hash} grew while being read`, { hash })
      out.set(chunk, offset)
      offset += chunk.byteLength
    }
    if (offset !== size) throw corrupt(`blob ${hash} changed size while being read`, { hash })
    return out
  }
  let bytes: Buffer
  try {
    // Small blobs are read synchronously: a thread-pool round trip costs more than the read itself.
    bytes = readFileSync(path)
  } catch (error) {
    if (errno(error) === 'ENOENT') throw notFound(`blob ${hash} not found`, { hash })
    throw ioError('reading blob', path, error)
  }
  if (sha256Hex(bytes) !== hash) throw corrupt(`blob ${hash} does not match its hash`, { hash, path })
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Streams `[start, end)` of a blob while hashing the whole file; throws CAIRN_CORRUPT after the
 * last byte if the hash does not match, so a reader never sees a clean end after bad bytes.
 */
export async function* streamBlob(
  paths: Paths,
  hash: Hash,
  range: { start?: number; end?: number },
  signal: AbortSignal | undefined,
): AsyncIterable<Uint8Array> {
  const path = blobPath(paths, hash)
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (errno(error) === 'ENOENT') throw notFound(`blob ${hash} not found`, { hash })
    throw ioError('opening blob', path, error)
  }
  try {
    const { size } = await handle.stat()
    const start = range.start ?? 0
    const end = range.end ?? size
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > size) {
      throw invalidArgument(`range [${start}, ${end}) is outside blob ${hash} of ${size} bytes`)
    }
    const hasher = createHasher()
    let offset = 0
    for (;;) {
      throwIfAborted(signal)
      const buffer = Buffer.allocUnsafe(READ_CHUNK)
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      hasher.update(chunk)
      const from = Math.max(start, offset)
      const to = Math.min(end, offset + bytesRead)
      if (from < to) yield new Uint8Array(chunk.buffer, chunk.byteOffset + (from - offset), to - from)
      offset += bytesRead
    }
    if (hasher.digest() !== hash) throw corrupt(`blob ${hash} does not match its hash`, { hash, path })
  } catch (error) {
    if (error instanceof CairnError) throw error
    throw ioError('reading blob', path, error)
  } finally {
    await handle.close()
  }
}

export { ErrorCode }
