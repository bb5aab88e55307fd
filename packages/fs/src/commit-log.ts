import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { type FileHandle, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { assertValidCommit, type Commit, type CommitStatus, type Hash, sha256Hex } from '@cairn/core'
import { syncDir, tempName, writeAll } from './durable.js'
import { errno, ioError } from './io-errors.js'
import { withLock } from './lock.js'

/** What the log keeps in memory per commit: its JSON text (parsed on every read, so callers get copies) and the fields queries filter on. */
export interface LogEntry {
  json: string
  hash: Hash
  fingerprint: string
  createdAt: number
  status: CommitStatus
  name: string
  tags: Record<string, string>
  /** The commits this one consumed (`listCommits({ input })`). */
  inputs: Hash[]
  /** Whether `json` has been checked with `assertValidCommit` in this process. */
  verified: boolean
}

export type LogRecord = { op: 'put'; commit: Commit } | { op: 'del'; hash: Hash }

const CHECK_LENGTH = 16
const PUT_PREFIX = '{"op":"put","commit":'
/** The log is read in slices of this size, so a large log never becomes one giant string. */
const READ_CHUNK = 8 * 1024 * 1024
/** Appends and compactions take this lock, so a compaction never misses an append. */
const LOCK_NAME = 'commits.lock'
const HASH_PATTERN = /^[0-9a-f]{64}$/

function recordJson(record: LogRecord): string {
  return JSON.stringify(record)
}

/** One record as bytes: `\n<check> <json>\n`. The leading newline ends any torn fragment a crash left. */
function encodeLine(json: string): string {
  return `\n${sha256Hex(json).slice(0, CHECK_LENGTH)} ${json}\n`
}

function fileId(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`
}

/** The fields the in-memory index needs, checked cheaply; full validation happens on first read. */
function hasCommitShape(commit: unknown): commit is Commit {
  const c = commit as Commit | null
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.hash === 'string' &&
    HASH_PATTERN.test(c.hash) &&
    typeof c.fingerprint === 'string' &&
    typeof c.createdAt === 'number' &&
    (c.status === 'completed' || c.status === 'failed') &&
    typeof c.task?.name === 'string' &&
    typeof c.tags === 'object' &&
    c.tags !== null
  )
}

function addTo(index: Map<string, Set<Hash>>, key: string, hash: Hash): void {
  let set = index.get(key)
  if (!set) {
    set = new Set()
    index.set(key, set)
  }
  set.add(hash)
}

function removeFrom(index: Map<string, Set<Hash>>, key: string, hash: Hash): void {
  const set = index.get(key)
  set?.delete(hash)
  if (set?.size === 0) index.delete(key)
}

/**
 * The commits and their fingerprint and input indexes, rebuilt from an append-only, checksummed log on open
 * and kept current by reading whatever other processes appended since (`refresh`: two stats when
 * nothing changed).
 */
export class CommitLog {
  readonly entries: Map<Hash, LogEntry> = new Map()
  readonly byFingerprint: Map<string, Set<Hash>> = new Map()
  /** Consumers by the commit they consumed: `listCommits({ input })` reads one set instead of every entry. */
  readonly byInput: Map<Hash, Set<Hash>> = new Map()
  /** Commits whose record passed its checksum but not `assertValidCommit`: reported corrupt, never returned. */
  readonly damaged: Set<Hash> = new Set()
  /** Complete lines that failed their checksum or shape (a torn write a later append terminated, or damage). */
  badRecords = 0
  /** Records that no longer describe a live commit (tombstones, what they removed, duplicates). */
  deadRecords = 0
  #fd: number
  #id: string
  #offset = 0
  /** JSON of commits this process validated and appended: trusted without re-validation when read back. */
  readonly #validated = new Map<Hash, string>()

  private constructor(
    readonly path: string,
    readonly locksDir: string,
    readonly tmpDir: string,
    fd: number,
  ) {
    this.#fd = fd
    this.#id = fileId(fstatSync(fd))
  }

  static open(path: string, locksDir: string, tmpDir: string): CommitLog {
    let fd: number
    try {
      fd = openSync(path, 'a+')
    } catch (error) {
      throw ioError('opening', path, error)
    }
    const log = new CommitLog(path, locksDir, tmpDir, fd)
    try {
      log.refresh()
    } catch (error) {
      closeSync(log.#fd)
      throw error
    }
    return log
  }

  /** Applies records appended since the last look; reloads from scratch if the log was replaced (compaction) or truncated. */
  refresh(): void {
    let pathId: string
    let size: number
    try {
      pathId = fileId(statSync(this.path))
      if (pathId !== this.#id) this.#reopen()
      size = fstatSync(this.#fd).size
      if (size < this.#offset) {
        this.#reopen() // truncated in place: nothing we knew can be trusted to still be there
        size = fstatSync(this.#fd).size
      }
    } catch (error) {
      throw ioError('checking', this.path, error)
    }
    while (this.#offset < size) {
      let want = Math.min(size - this.#offset, READ_CHUNK)
      let buffer: Buffer
      let lastNewline: number
      for (;;) {
        buffer = Buffer.allocUnsafe(want)
        const read = this.#readAt(buffer, this.#offset)
        // Only complete lines are consumed: a tail without its newline may still be being written.
        lastNewline = read === 0 ? -1 : buffer.lastIndexOf(10, read - 1)
        if (lastNewline >= 0) break
        if (read < want || this.#offset + read >= size) return
        want = Math.min(size - this.#offset, want * 2) // one line longer than a chunk
      }
      const text = buffer.toString('utf8', 0, lastNewline)
      for (const line of text.split('\n')) if (line !== '') this.#applyLine(line)
      this.#offset += lastNewline + 1
    }
  }

  #readAt(buffer: Buffer, position: number): number {
    let read = 0
    try {
      while (read < buffer.length) {
        const n = readSync(this.#fd, buffer, read, buffer.length - read, position + read)
        if (n === 0) break
        read += n
      }
    } catch (error) {
      throw ioError('reading', this.path, error)
    }
    return read
  }

  #reopen(): void {
    const fd = openSync(this.path, 'a+')
    closeSync(this.#fd)
    this.#fd = fd
    this.#id = fileId(fstatSync(fd))
    this.#offset = 0
    this.entries.clear()
    this.byFingerprint.clear()
    this.byInput.clear()
    this.damaged.clear()
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
    if (record?.op === 'put' && hasCommitShape(record.commit)) {
      // The commit's own text, as written, without stringifying it again (the bulk of open's cost).
      const commitJson =
        json.startsWith(PUT_PREFIX) && json.endsWith('}')
          ? json.slice(PUT_PREFIX.length, -1)
          : JSON.stringify(record.commit)
      this.#put(record.commit, commitJson)
    } else if (record?.op === 'del' && typeof record.hash === 'string') {
      this.#delete(record.hash)
    } else {
      this.badRecords++
    }
  }

  #put(commit: Commit, json: string): void {
    const validated = this.#validated.get(commit.hash)
    if (validated !== undefined) this.#validated.delete(commit.hash)
    if (this.entries.has(commit.hash)) {
      this.deadRecords++
      return
    }
    this.damaged.delete(commit.hash)
    // The shape check leaves `inputs` to full validation: a damaged one indexes as none.
    const inputs = Array.isArray(commit.inputs) ? commit.inputs.filter((h) => typeof h === 'string') : []
    this.entries.set(commit.hash, {
      json,
      hash: commit.hash,
      fingerprint: commit.fingerprint,
      createdAt: commit.createdAt,
      status: commit.status,
      name: commit.task.name,
      tags: commit.tags,
      inputs,
      verified: validated === json,
    })
    addTo(this.byFingerprint, commit.fingerprint, commit.hash)
    for (const input of inputs) addTo(this.byInput, input, commit.hash)
  }

  #delete(hash: Hash): void {
    this.damaged.delete(hash)
    const entry = this.entries.get(hash)
    this.deadRecords += entry ? 2 : 1
    if (entry) this.#unindex(entry)
  }

  #unindex(entry: LogEntry): void {
    this.entries.delete(entry.hash)
    removeFrom(this.byFingerprint, entry.fingerprint, entry.hash)
    for (const input of entry.inputs) removeFrom(this.byInput, input, entry.hash)
  }

  /**
   * The entry's commit, a fresh copy. With `validate`, the commit is checked with
   * `assertValidCommit` the first time this process reads it (its hash must be the hash of its
   * content); one that fails is dropped from the index, counted, and remembered as damaged, and
   * `undefined` is returned: the caller decides whether that is "corrupt" or "skip".
   */
  read(entry: LogEntry, validate: boolean): Commit | undefined {
    const commit = JSON.parse(entry.json) as Commit
    if (entry.verified || !validate) return commit
    try {
      assertValidCommit(commit)
    } catch {
      this.#unindex(entry)
      this.damaged.add(entry.hash)
      this.badRecords++
      return undefined
    }
    entry.verified = true
    return commit
  }

  /** Appends a record durably. */
  append(record: LogRecord): Promise<void> {
    return this.appendAll([record])
  }

  /**
   * Appends records durably. Appends in one process are queued and flushed together: every record
   * waiting when a flush starts goes out in one write and one fdatasync (group commit).
   */
  appendAll(records: LogRecord[]): Promise<void> {
    let text = ''
    for (const record of records) {
      const json = recordJson(record)
      if (record.op === 'put') this.#validated.set(record.commit.hash, json.slice(PUT_PREFIX.length, -1))
      text += encodeLine(json)
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ bytes: Buffer.from(text), resolve, reject })
      if (!this.#flushing) this.#flushing = this.#flush()
    })
  }

  #pending: { bytes: Buffer; resolve: () => void; reject: (error: unknown) => void }[] = []
  #flushing: Promise<void> | undefined

  async #flush(): Promise<void> {
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
    this.#flushing = undefined
  }

  /**
   * One O_APPEND write under the commits lock (so a compaction, which takes the same lock, sees
   * every record or none of it), then fdatasync outside the lock.
   */
  async #write(bytes: Buffer): Promise<void> {
    const handle = await withLock(this.locksDir, LOCK_NAME, async () => {
      const appender = await this.#appender()
      try {
        await writeAll(appender, bytes)
      } catch (error) {
        throw ioError('appending to', this.path, error)
      }
      return appender
    })
    try {
      await handle.datasync()
    } catch (error) {
      throw ioError('syncing', this.path, error)
    }
  }

  #appendHandle: FileHandle | undefined
  #appenderId = ''

  /** A kept-open O_APPEND handle on the file the path names now (reopened after a compaction replaced it). */
  async #appender(): Promise<FileHandle> {
    let currentId: string
    try {
      currentId = fileId(statSync(this.path))
    } catch (error) {
      throw ioError('checking', this.path, error)
    }
    if (this.#appendHandle && currentId === this.#appenderId) return this.#appendHandle
    await this.#closeAppender()
    try {
      this.#appendHandle = await open(this.path, 'a')
      this.#appenderId = fileId(await this.#appendHandle.stat())
    } catch (error) {
      throw ioError('opening', this.path, error)
    }
    return this.#appendHandle
  }

  async #closeAppender(): Promise<void> {
    const handle = this.#appendHandle
    this.#appendHandle = undefined
    this.#appenderId = ''
    await handle?.close()
  }

  /**
   * Rewrites the log with only the live commits, under the commits lock (no append can slip
   * between reading and replacing): temp file, fsync, rename, fsync the directory.
   */
  async compact(): Promise<void> {
    await withLock(this.locksDir, LOCK_NAME, async () => {
      this.refresh()
      const temp = tempName(this.tmpDir)
      const live = [...this.entries.values()]
      const text = live.map((e) => encodeLine(`${PUT_PREFIX}${e.json}}`)).join('')
      const bytes = Buffer.from(text)
      try {
        const out = await open(temp, 'wx')
        try {
          await writeAll(out, bytes)
          await out.sync()
        } finally {
          await out.close()
        }
        await rename(temp, this.path)
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined)
        throw ioError('compacting', this.path, error)
      }
      await syncDir(dirname(this.path))
      // Adopt the new file without re-reading it: it holds exactly what is in memory.
      let fd: number
      try {
        fd = openSync(this.path, 'a+')
      } catch (error) {
        throw ioError('opening', this.path, error)
      }
      closeSync(this.#fd)
      this.#fd = fd
      this.#id = fileId(fstatSync(fd))
      this.#offset = bytes.length
      this.badRecords = 0
      this.deadRecords = 0
      this.damaged.clear()
    })
  }

  /** Waits for queued appends, then closes the files. */
  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing
    await this.#closeAppender()
    try {
      closeSync(this.#fd)
    } catch (error) {
      if (errno(error) !== 'EBADF') throw error
    }
  }
}
