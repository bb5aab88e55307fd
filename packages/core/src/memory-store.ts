import { assertValidCommit } from './commit-hash.js'
import { assertCommitQuery, compareNewestFirst, matchesQuery } from './commit-query.js'
import {
  CairnError,
  closedError,
  corrupt,
  ErrorCode,
  invalidArgument,
  notFound,
  throwIfAborted,
} from './errors.js'
import { assertHash, assertHashPrefix, type Hash, sha256Hex } from './hash.js'
import type { Commit, CommitQuery } from './protocols/commit.js'
import { type OpOptions, SPEC_VERSION } from './protocols/common.js'
import type {
  BlobRef,
  OpenBlobOptions,
  PutBlobOptions,
  Store,
  StoreCapabilities,
  StoreStats,
} from './protocols/store.js'
import { assertRefExpected, assertRefName, assertRefPrefix, assertRefValue } from './validate.js'

/** The maps behind a MemoryStore; share one between instances to simulate processes on one backend. */
export interface MemoryBacking {
  blobs: Map<string, Uint8Array>
  commits: Map<string, Commit>
  refs: Map<string, string>
  quarantine: Map<string, Uint8Array>
}

export function createMemoryBacking(): MemoryBacking {
  return { blobs: new Map(), commits: new Map(), refs: new Map(), quarantine: new Map() }
}

const CHUNK = 64 * 1024

async function collectBytes(
  data: Uint8Array | AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data.slice()
  if (!data || typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
    throw invalidArgument('putBlob needs a Uint8Array or an AsyncIterable of Uint8Array')
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of data) {
    throwIfAborted(signal)
    if (!(chunk instanceof Uint8Array))
      throw invalidArgument('putBlob stream yielded something other than a Uint8Array')
    chunks.push(chunk.slice())
    total += chunk.byteLength
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

/** A Store in memory: the reference every rule of the protocol is checked against. */
export class MemoryStore implements Store {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = {
    streamingWrites: false,
    streamingReads: false,
    crossProcessCas: false,
    persistent: false,
    quarantine: true,
  }
  readonly #backing: MemoryBacking
  #closed = false

  constructor(options: { backing?: MemoryBacking } = {}) {
    this.#backing = options.backing ?? createMemoryBacking()
  }

  #check(opts?: OpOptions): void {
    if (this.#closed) throw closedError('MemoryStore')
    throwIfAborted(opts?.signal)
  }

  #verified(hash: Hash): Uint8Array {
    const bytes = this.#backing.blobs.get(hash)
    if (!bytes) throw notFound(`blob ${hash} not found`, { hash })
    if (sha256Hex(bytes) !== hash) throw corrupt(`blob ${hash} does not match its hash`, { hash })
    return bytes
  }

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts: PutBlobOptions = {}): Promise<BlobRef> {
    this.#check(opts)
    if (opts.expectedHash !== undefined) assertHash(opts.expectedHash, 'expectedHash')
    const bytes = await collectBytes(data, opts.signal)
    this.#check(opts)
    const hash = sha256Hex(bytes)
    if (opts.expectedHash !== undefined && opts.expectedHash !== hash) {
      throw corrupt(`data hashes to ${hash}, not the expected ${opts.expectedHash}`, {
        hash,
        expected: opts.expectedHash,
      })
    }
    if (!this.#backing.blobs.has(hash)) this.#backing.blobs.set(hash, bytes)
    return { hash, size: bytes.byteLength }
  }

  async getBlob(hash: Hash, opts: OpOptions = {}): Promise<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    return this.#verified(hash).slice()
  }

  async *openBlob(hash: Hash, opts: OpenBlobOptions = {}): AsyncIterable<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    const stored = this.#backing.blobs.get(hash)
    if (!stored) throw notFound(`blob ${hash} not found`, { hash })
    const start = opts.start ?? 0
    const end = opts.end ?? stored.byteLength
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      start > end ||
      end > stored.byteLength
    ) {
      throw invalidArgument(`range [${start}, ${end}) is outside blob ${hash} of ${stored.byteLength} bytes`)
    }
    const bytes = this.#verified(hash)
    for (let offset = start; offset < end; offset += CHUNK) {
      this.#check(opts)
      yield bytes.slice(offset, Math.min(end, offset + CHUNK))
    }
  }

  async hasBlob(hash: Hash, opts: OpOptions = {}): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    return this.#backing.blobs.has(hash)
  }

  async deleteBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    this.#backing.blobs.delete(hash)
  }

  async *listBlobs(opts: OpOptions = {}): AsyncIterable<BlobRef> {
    this.#check(opts)
    for (const [hash, bytes] of [...this.#backing.blobs]) {
      this.#check(opts)
      yield { hash, size: bytes.byteLength }
    }
  }

  async quarantineBlob(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const bytes = this.#backing.blobs.get(hash)
    if (!bytes) return
    this.#backing.quarantine.set(hash, bytes)
    this.#backing.blobs.delete(hash)
  }

  async putCommit(commit: Commit, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertValidCommit(commit)
    if (!this.#backing.commits.has(commit.hash))
      this.#backing.commits.set(commit.hash, structuredClone(commit))
  }

  async getCommit(hashOrPrefix: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    const exact = this.#backing.commits.get(hashOrPrefix)
    if (exact) return structuredClone(exact)
    const matches = [...this.#backing.commits.keys()].filter((h) => h.startsWith(hashOrPrefix))
    if (matches.length > 1) {
      throw new CairnError(ErrorCode.Ambiguous, `prefix ${hashOrPrefix} matches ${matches.length} commits`, {
        details: { prefix: hashOrPrefix, candidates: matches.slice(0, 10) },
      })
    }
    const match = matches[0]
    return match === undefined ? undefined : structuredClone(this.#backing.commits.get(match))
  }

  #sorted(q: CommitQuery): Commit[] {
    return [...this.#backing.commits.values()].filter((c) => matchesQuery(c, q)).sort(compareNewestFirst)
  }

  async findByFingerprint(fingerprint: string, opts: OpOptions = {}): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') throw invalidArgument('fingerprint must be a string')
    const found = this.#sorted({ fingerprint, status: 'completed' })[0]
    return found && structuredClone(found)
  }

  async *listCommits(query?: CommitQuery, opts: OpOptions = {}): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    const commits = this.#sorted(q)
    const limit = q.limit ?? Number.POSITIVE_INFINITY
    for (let i = 0; i < commits.length && i < limit; i++) {
      this.#check(opts)
      yield structuredClone(commits[i] as Commit)
    }
  }

  async history(hash: Hash, opts: OpOptions = {}): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const commit = this.#backing.commits.get(hash)
    if (!commit) throw notFound(`commit ${hash} not found`, { hash })
    return this.#sorted({ fingerprint: commit.fingerprint }).map((c) => structuredClone(c))
  }

  async deleteCommit(hash: Hash, opts: OpOptions = {}): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    this.#backing.commits.delete(hash)
  }

  async getRef(name: string, opts: OpOptions = {}): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    return this.#backing.refs.get(name)
  }

  async setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts: OpOptions = {},
  ): Promise<boolean> {
    this.#check(opts)
    assertRefName(name)
    if (value !== undefined) assertRefValue(value)
    assertRefExpected(expected)
    const current = this.#backing.refs.get(name)
    if (expected === null && current !== undefined) return false
    if (typeof expected === 'string' && current !== expected) return false
    if (value === undefined) this.#backing.refs.delete(name)
    else this.#backing.refs.set(name, value)
    return true
  }

  async *listRefs(prefix: string, opts: OpOptions = {}): AsyncIterable<[string, string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    const entries = [...this.#backing.refs].filter(([name]) => name.startsWith(prefix))
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const entry of entries) {
      this.#check(opts)
      yield [entry[0], entry[1]]
    }
  }

  async stats(opts: OpOptions = {}): Promise<StoreStats> {
    this.#check(opts)
    let blobBytes = 0
    for (const b of this.#backing.blobs.values()) blobBytes += b.byteLength
    return {
      blobs: this.#backing.blobs.size,
      blobBytes,
      commits: this.#backing.commits.size,
      refs: this.#backing.refs.size,
    }
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
