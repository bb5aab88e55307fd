import { readFileSync, statSync } from 'node:fs'
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  assertBlobInput,
  type BlobRef,
  CairnError,
  checkExpectedHash,
  corrupt,
  createHasher,
  type Hash,
  invalidArgument,
  notFound,
  sha256Hex,
  throwIfAborted,
} from '@cairn/core'
import { syncDir, tempName, writeAll } from './durable.js'
import { errno, ioError } from './io-errors.js'
import { blobPath, type Paths } from './layout.js'

const READ_CHUNK = 1024 * 1024
const SYNC_READ_MAX = 256 * 1024

/** The stored file's size, or undefined when absent (a stat, synchronous: it is on every cache hit's path). */
function storedSize(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw ioError('checking blob', path, error)
  }
}

/** Whether a blob file exists (not verified). */
export function blobExists(paths: Paths, hash: Hash): boolean {
  return storedSize(blobPath(paths, hash)) !== undefined
}

/**
 * Moves a complete, fsynced temp file to its content address and fsyncs the shard directory. A file
 * already there with the right size is the same content (it was verified on its way in), so it is
 * left alone; one with the wrong size is damaged and is replaced.
 */
async function publish(paths: Paths, temp: string, hash: Hash, size: number): Promise<void> {
  const final = blobPath(paths, hash)
  if (storedSize(final) === size) {
    await rm(temp, { force: true })
    return
  }
  try {
    await rename(temp, final)
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error
    await mkdir(dirname(final), { recursive: true }) // the shard's first blob
    await rename(temp, final)
  }
  await syncDir(dirname(final))
}

/** Writes a blob atomically: temp file in `tmp/`, fdatasync, check the size, rename into place. */
export async function writeBlob(
  paths: Paths,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  expectedHash: Hash | undefined,
  signal: AbortSignal | undefined,
): Promise<BlobRef> {
  if (data instanceof Uint8Array) {
    const hash = sha256Hex(data)
    checkExpectedHash(hash, expectedHash)
    if (storedSize(blobPath(paths, hash)) === data.byteLength) return { hash, size: data.byteLength }
    await writeVerified(paths, signal, async (handle) => {
      await writeAll(handle, data)
      return { hash, size: data.byteLength }
    })
    return { hash, size: data.byteLength }
  }
  assertBlobInput(data)
  return writeVerified(paths, signal, async (handle) => {
    const hasher = createHasher()
    let size = 0
    for await (const chunk of data) {
      throwIfAborted(signal)
      if (!(chunk instanceof Uint8Array)) {
        throw invalidArgument('putBlob stream yielded something other than a Uint8Array')
      }
      hasher.update(chunk)
      size += chunk.byteLength
      await writeAll(handle, chunk)
    }
    const hash = hasher.digest()
    checkExpectedHash(hash, expectedHash)
    return { hash, size }
  })
}

/** Runs `fill` on a fresh temp file, makes it durable, checks what landed, and publishes it. */
async function writeVerified(
  paths: Paths,
  signal: AbortSignal | undefined,
  fill: (handle: FileHandle) => Promise<BlobRef>,
): Promise<BlobRef> {
  const temp = tempName(paths.tmp)
  try {
    const handle = await open(temp, 'wx')
    let ref: BlobRef
    try {
      ref = await fill(handle)
      await handle.datasync()
      const landed = (await handle.stat()).size
      if (landed !== ref.size) {
        throw corrupt(`wrote ${landed} bytes of blob ${ref.hash} instead of ${ref.size}`, { hash: ref.hash })
      }
    } finally {
      await handle.close()
    }
    throwIfAborted(signal)
    await publish(paths, temp, ref.hash, ref.size)
    return ref
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw CairnError.isInstance(error) ? error : ioError('writing blob', temp, error)
  }
}

/** Reads a whole blob and verifies it. */
export async function readBlob(paths: Paths, hash: Hash): Promise<Uint8Array> {
  const path = blobPath(paths, hash)
  const size = storedSize(path)
  if (size === undefined) throw notFound(`blob ${hash} not found`, { hash })
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
  // Small reads may come from Node's shared buffer pool: hand out bytes that own their ArrayBuffer.
  const owned = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength
  return owned ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes)
}

/** Hashes a whole open file. */
async function hashFile(handle: FileHandle): Promise<Hash> {
  const hasher = createHasher()
  const buffer = Buffer.allocUnsafeSlow(READ_CHUNK)
  for (let offset = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset)
    if (bytesRead === 0) return hasher.digest()
    hasher.update(buffer.subarray(0, bytesRead))
    offset += bytesRead
  }
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
  const start = range.start ?? 0
  const end = range.end
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isInteger(end) || end < start))
  ) {
    throw invalidArgument(`range [${range.start}, ${range.end}) is not a valid byte range`)
  }
  const path = blobPath(paths, hash)
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (errno(error) === 'ENOENT') throw notFound(`blob ${hash} not found`, { hash })
    throw ioError('opening blob', path, error)
  }
  try {
    const { size } = await handle.stat()
    const stop = end ?? size
    if (stop > size) {
      // Past the end of what is stored: a caller's mistake, unless the stored file is damaged.
      if ((await hashFile(handle)) !== hash)
        throw corrupt(`blob ${hash} does not match its hash`, { hash, path })
      throw invalidArgument(`range [${start}, ${stop}) is outside blob ${hash} of ${size} bytes`)
    }
    const hasher = createHasher()
    let offset = 0
    for (;;) {
      throwIfAborted(signal)
      // Sized to what is left (+1 to see the end), so small blobs do not cost a 1 MiB buffer each;
      // zeroed, because a chunk's ArrayBuffer is the caller's to look at.
      const want = Math.min(READ_CHUNK, Math.max(size - offset, 0) + 1)
      const buffer = new Uint8Array(want)
      const { bytesRead } = await handle.read(buffer, 0, want, offset)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      hasher.update(chunk)
      const from = Math.max(start, offset)
      const to = Math.min(stop, offset + bytesRead)
      if (from < to) yield new Uint8Array(chunk.buffer, chunk.byteOffset + (from - offset), to - from)
      offset += bytesRead
    }
    if (hasher.digest() !== hash) throw corrupt(`blob ${hash} does not match its hash`, { hash, path })
  } catch (error) {
    throw CairnError.isInstance(error) ? error : ioError('reading blob', path, error)
  } finally {
    await handle.close()
  }
}

const SHARD_NAME = /^[0-9a-f]{2}$/
const BLOB_NAME = /^[0-9a-f]{64}$/

/** A directory's names; none when it is absent, or is not a directory (a stray file where a shard would be). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    const code = errno(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw ioError('listing', dir, error)
  }
}

/**
 * Every stored blob with its size. Only Cairn's names count: a shard is two hex characters, a blob
 * 64 hex characters in its own shard; anything else (a `.DS_Store`, an editor's backup) is skipped.
 * `check` runs before each blob (the store's closed and abort checks).
 */
export async function* listBlobFiles(paths: Paths, check: () => void): AsyncIterable<BlobRef> {
  for (const shard of await namesIn(paths.blobs)) {
    if (!SHARD_NAME.test(shard)) continue
    for (const name of await namesIn(join(paths.blobs, shard))) {
      check()
      if (!name.startsWith(shard) || !BLOB_NAME.test(name)) continue
      const path = join(paths.blobs, shard, name)
      try {
        const info = await stat(path)
        if (info.isFile()) yield { hash: name, size: info.size }
      } catch (error) {
        if (errno(error) !== 'ENOENT') throw ioError('listing blob', path, error)
      }
    }
  }
}
