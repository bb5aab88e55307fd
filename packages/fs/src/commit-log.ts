import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { type FileHandle, open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Commit, type CommitStatus, type Hash, sha256Hex } from '@cairn/core'
import { errno, ioError } from './io-errors.js'

/** What the log keeps in memory per commit: the JSON text (parsed on read, so callers get copies) and the fields queries filter on. */
export interface LogEntry {
  json: string
  hash: Hash
  fingerprint: string
  createdAt: number
  status: CommitStatus
  name: string
  tags: Record<string, string>
}

export type LogRecord = { op: 'put'; commit: Commit } | { op: 'del'; hash: Hash }

const CHECK_LENGTH = 16
const PUT_PREFIX = '{"op":"put","commit":'

/** One record as bytes: `\n<check> <json>\n`. The leading newline ends any torn fragment a crash left. */
export function encodeRecord(record: LogRecord): Buffer {
  const json = JSON.stringify(record)
  return Buffer.from(`\n${sha256Hex(json).slice(0, CHECK_LENGTH)} ${json}\n`)
}

/**
 * The commits and their fingerprint index, rebuilt from an append-only log on open and kept
 * current by reading whatever other processes appended since (`refresh`, one fstat when idle).
 */
export class CommitLog {
  readonly entries: Map<Hash, LogEntry> = new Map()
  readonly byFingerprint: Map<string, Set<Hash>> = new Map()
  /** Complete lines whose checksum failed (a torn write that a later append terminated, or damage). */
  badRecords = 0
  /** Records that no longer describe a live commit (tombstones and what they removed). */
  deadRecords = 0
  #fd: number
  #ino: number
  #offset = 0

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.#fd = fd
    this.#ino = fstatSync(fd).ino
  }

  static open(path: string): CommitLog {
    let fd: number
    try {
      fd = openSync(path, 'a+')
    } catch (error) {
      throw ioError('opening', path, error)
    }
    const log = new CommitLog(path, fd)
    log.refresh()
    return log
  }

  /** Applies records appended since the last look; reloads from scratch if the log was compacted (new inode). */
  refresh(): void {
    let pathIno: number
    try {
      pathIno = statSync(this.path).ino
    } catch (error) {
      throw ioError('checking', this.path, error)
    }
    if (pathIno !== this.#ino) this.#reopen()
    const size = fstatSync(this.#fd).size
    if (size <= this.#offset) return
    const buffer = Buffer.allocUnsafe(size - this.#offset)
    let read = 0
    while (read < buffer.length) {
      const n = readSync(this.#fd, buffer, read, buffer.length - read, this.#offset + read)
      if (n === 0) break
      read += n
    }
    // Only complete lines are consumed; a tail without its newline may still be being written.
    const lastNewline = buffer.lastIndexOf(10, read - 1)
    if (lastNewline < 0) return
    const text = buffer.toString('utf8', 0, lastNewline + 1)
    for (const line of text.split('\n')) if (line !== '') this.#applyLine(line)
    this.#offset += lastNewline + 1
  }

  #reopen(): void {
    closeSync(this.#fd)
    this.#fd = openSync(this.path, 'a+')
    this.#ino = fstatSync(this.#fd).ino
    this.#offset = 0
    this.entries.clear()
    this.byFingerprint.clear()
    this.badRecords = 0
    this.deadRecords = 0
  }

  #applyLine(line: string): void {
    const space = line.indexOf(' ')
    const json = line.slice(space + 1)
    if (space !== CHECK_LENGTH || sha256Hex(json).slice(0, CHECK_LENGTH) !== line.slice(0, space)) {
      this.badRecords++
      return
    }
    let record: LogRecord
    try {
      record = JSON.parse(json)
    } catch {
      this.badRecords++
      return
    }
    if (record.op === 'put') {
      // The record is exactly `{"op":"put","commit":<commit JSON>}` (encodeRecord writes it), so the
      // commit's text is a substring: no need to stringify it again.
      const text = json.startsWith(PUT_PREFIX)
        ? json.slice(PUT_PREFIX.length, -1)
        : JSON.stringify(record.commit)
      this.#put(record.commit, text)
    } else if (record.op === 'del') this.#delete(record.hash)
    else this.badRecords++
  }

  #put(commit: Commit, json: string): void {
    if (this.entries.has(commit.hash)) {
      this.deadRecords++
      return
    }
    this.entries.set(commit.hash, {
      json,
      hash: commit.hash,
      fingerprint: commit.fingerprint,
      createdAt: commit.createdAt,
      status: commit.status,
      name: commit.task.name,
      tags: commit.tags,
    })
    let set = this.byFingerprint.get(commit.fingerprint)
    if (!set) {
      set = new Set()
      this.byFingerprint.set(commit.fingerprint, set)
    }
    set.add(commit.hash)
  }

  #delete(hash: Hash): void {
    const entry = this.entries.get(hash)
    this.deadRecords += entry ? 2 : 1
    if (!entry) return
    this.entries.delete(hash)
    const set = this.byFingerprint.get(entry.fingerprint)
    set?.delete(hash)
    if (set?.size === 0) this.byFingerprint.delete(entry.fingerprint)
  }

  /** Appends a record durably (O_APPEND + fdatasync), re-appending if a compaction swapped the file meanwhile. */
  async append(record: LogRecord): Promise<void> {
    await this.appendAll([record])
  }

  /**
   * Appends records durably. Appends in one process are queued and flushed together: every record
   * waiting when a flush starts goes out in one write and one fdatasync (group commit).
   */
  appendAll(records: LogRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ bytes: Buffer.concat(records.map(encodeRecord)), resolve, reject })
      if (!this.#flushing) void this.#flush()
    })
  }

  #pending: { bytes: Buffer; resolve: () => void; reject: (error: unknown) => void }[] = []
  #flushing = false

  async #flush(): Promise<void> {
    this.#flushing = true
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0)
      try {
        await this.#write(Buffer.concat(batch.map((p) => p.bytes)))
        this.refresh()
        for (const p of batch) p.resolve()
      } catch (error) {
        for (const p of batch) p.reject(error)
      }
    }
    this.#flushing = false
  }

  async #write(bytes: Buffer): Promise<void> {
    for (;;) {
      const handle = await this.#appender()
      try {
        await handle.write(bytes)
        await handle.datasync()
      } catch (error) {
        throw ioError('appending to', this.path, error)
      }
      // A compactor that renamed a new log in after it read ours may have missed these records:
      // write them again to the new file (replaying a put or a delete is harmless).
      if (statSync(this.path).ino === this.#appenderIno) return
      await this.#closeAppender()
    }
  }

  #appendHandle: FileHandle | undefined
  #appenderIno = -1

  /** A kept-open O_APPEND handle on the current log file (reopened when a compaction replaced it). */
  async #appender(): Promise<FileHandle> {
    if (this.#appendHandle && statSync(this.path).ino === this.#appenderIno) return this.#appendHandle
    await this.#closeAppender()
    try {
      this.#appendHandle = await open(this.path, 'a')
      this.#appenderIno = (await this.#appendHandle.stat()).ino
    } catch (error) {
      throw ioError('opening', this.path, error)
    }
    return this.#appendHandle
  }

  async #closeAppender(): Promise<void> {
    const handle = this.#appendHandle
    this.#appendHandle = undefined
    this.#appenderIno = -1
    await handle?.close()
  }

  /** Rewrites the log with only live commits (temp file, fsync, rename); the caller holds the compaction lock. */
  async compact(tempPath: string): Promise<void> {
    this.refresh()
    const oldFd = openSync(this.path, 'r')
    try {
      const oldSize = fstatSync(oldFd).size
      const out = await open(tempPath, 'wx')
      try {
        const chunks = [...this.entries.values()].map((e) =>
          encodeRecord({ op: 'put', commit: JSON.parse(e.json) }),
        )
        await out.writeFile(Buffer.concat(chunks))
        await out.sync()
      } finally {
        await out.close()
      }
      await rename(tempPath, this.path)
      const dir = await open(dirname(this.path), 'r')
      await dir.sync().finally(() => dir.close())
      // Records appended to the old file between our read and the rename: carry them over.
      const lateSize = fstatSync(oldFd).size
      if (lateSize > oldSize) {
        const late = Buffer.allocUnsafe(lateSize - oldSize)
        readSync(oldFd, late, 0, late.length, oldSize)
        const handle = await open(this.path, 'a')
        await handle.write(late).finally(() => handle.datasync().finally(() => handle.close()))
      }
    } finally {
      closeSync(oldFd)
    }
    this.refresh()
  }

  async close(): Promise<void> {
    await this.#closeAppender()
    try {
      closeSync(this.#fd)
    } catch (error) {
      if (errno(error) !== 'EBADF') throw error
    }
  }
}
