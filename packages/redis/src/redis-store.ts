import {
  assertBlobInput,
  assertCommitQuery,
  assertHash,
  assertHashPrefix,
  assertRefExpected,
  assertRefName,
  assertRefPrefix,
  assertRefValue,
  assertStorableCommit,
  type BlobRef,
  blobRangeOptions,
  CairnError,
  type Commit,
  type CommitQuery,
  checkExpectedHash,
  closedError,
  ErrorCode,
  type Hash,
  invalidArgument,
  notFound,
  type OpenBlobOptions,
  type OpOptions,
  type PutBlobOptions,
  SPEC_VERSION,
  type Store,
  type StoreCapabilities,
  type StoreStats,
  sha256Hex,
  throwIfAborted,
} from '@cairn/core'
import type { Redis } from 'ioredis'
import { type BlobContext, getBlob, openBlob, putKnownBytes, putStream } from './blobs.js'
import { commitKeys, indexFor, walkIndex } from './commits.js'
import { connect, guard, runScript } from './connection.js'
import { escapeGlob, type KeyLayout, keyLayout } from './keys.js'
import { type RedisStoreOptions, resolveOptions } from './options.js'

const CAPABILITIES: StoreCapabilities = {
  streamingWrites: true,
  streamingReads: true,
  crossProcessCas: true,
  persistent: true,
  quarantine: true,
}

/** How many candidates a `CAIRN_AMBIGUOUS` error lists. */
const MAX_AMBIGUOUS_CANDIDATES = 20

/**
 * A Store on Redis. Blobs are chunked (no value above `chunkBytes`), staged and published by a
 * script; a commit and all its index entries are written by one script; refs are compare-and-swapped
 * by a script. See the README for the key layout and the failure behaviour.
 */
export class RedisStore implements Store {
  static readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly prefix: string
  readonly #client: Redis
  readonly #keys: KeyLayout
  readonly #blobs: BlobContext
  #closed = false

  private constructor(client: Redis, options: ReturnType<typeof resolveOptions>) {
    this.#client = client
    this.prefix = options.prefix
    this.#keys = keyLayout(options.prefix)
    this.#blobs = {
      client,
      keys: this.#keys,
      chunkBytes: options.chunkBytes,
      stageTtlSeconds: options.stageTtlSeconds,
    }
  }

  /** Connects (CAIRN_BACKEND if Redis does not answer within `connectTimeoutMs`). */
  static async open(options: RedisStoreOptions = {}): Promise<RedisStore> {
    const resolved = resolveOptions(options)
    return new RedisStore(await connect(resolved), resolved)
  }

  #check(opts: OpOptions | undefined): void {
    if (this.#closed) throw closedError('RedisStore')
    throwIfAborted(opts?.signal)
  }

  // ---- blobs ----

  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutBlobOptions): Promise<BlobRef> {
    this.#check(opts)
    const expected = opts?.expectedHash
    if (expected !== undefined) assertHash(expected, 'expectedHash')
    assertBlobInput(data)
    if (data instanceof Uint8Array) {
      const hash = sha256Hex(data)
      checkExpectedHash(hash, expected)
      await putKnownBytes(this.#blobs, data, hash, opts?.signal)
      return { hash, size: data.byteLength }
    }
    return putStream(this.#blobs, data, expected, opts?.signal)
  }

  async getBlob(hash: Hash, opts?: OpOptions): Promise<Uint8Array> {
    this.#check(opts)
    return getBlob(this.#blobs, hash, opts?.signal)
  }

  async *openBlob(hash: Hash, opts?: OpenBlobOptions): AsyncIterable<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    const range = blobRangeOptions(opts)
    yield* openBlob(this.#blobs, hash, range, () => this.#check(opts))
  }

  async hasBlob(hash: Hash, opts?: OpOptions): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    return (await guard('hasBlob', () => this.#client.exists(this.#keys.blob(hash)))) === 1
  }

  async deleteBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    await guard('deleteBlob', () =>
      runScript(
        this.#client,
        'removeBlob',
        [this.#keys.blob(hash), this.#keys.stats],
        [this.#chunkBase(hash)],
      ),
    )
  }

  /** Moves the manifest and chunks under `quarantine:` (kept for inspection, invisible to reads). */
  async quarantineBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    const target = this.#keys.quarantine(hash)
    await guard('quarantineBlob', () =>
      runScript(
        this.#client,
        'removeBlob',
        [this.#keys.blob(hash), this.#keys.stats],
        [this.#chunkBase(hash), target, `${target}:`],
      ),
    )
  }

  #chunkBase(hash: Hash): string {
    return this.#keys.chunk(hash, 0).slice(0, -1)
  }

  /** SCAN over blob manifests (never KEYS): every stored blob once, even while others are added. */
  async *listBlobs(opts?: OpOptions): AsyncIterable<BlobRef> {
    this.#check(opts)
    const seen = new Set<string>()
    const at = this.#keys.blob('').length
    let cursor = '0'
    do {
      const [next, found] = await guard('listBlobs', () =>
        this.#client.scan(cursor, 'MATCH', this.#keys.blobPattern, 'COUNT', 1000),
      )
      cursor = next
      const hashes = found.map((key) => key.slice(at)).filter((hash) => !seen.has(hash))
      if (hashes.length === 0) continue
      const pipeline = this.#client.pipeline()
      for (const hash of hashes) pipeline.hget(this.#keys.blob(hash), 'size')
      const sizes = await guard('listBlobs', () => pipeline.exec())
      for (let i = 0; i < hashes.length; i++) {
        const [error, size] = sizes?.[i] ?? [null, null]
        if (error) throw await guard('listBlobs', () => Promise.reject(error))
        if (size === null) continue // deleted meanwhile
        const hash = hashes[i] as string
        seen.add(hash)
        this.#check(opts)
        yield { hash, size: Number(size) }
      }
    } while (cursor !== '0')
  }

  // ---- commits ----

  async putCommit(commit: Commit, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertStorableCommit(commit)
    const json = JSON.stringify(commit)
    const stored = JSON.parse(json) as Commit
    await guard('putCommit', () =>
      runScript(this.#client, 'putCommit', commitKeys(this.#keys, stored), [
        json,
        stored.hash,
        stored.createdAt,
        stored.status,
      ]),
    )
  }

  async getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    if (hashOrPrefix.length === 64) return this.#readCommit(hashOrPrefix)
    // Hex digits sort below 'g': [prefix, prefix+'g') holds exactly the hashes starting with prefix.
    const matches = await guard('getCommit', () =>
      this.#client.zrangebylex(
        this.#keys.commitHashes,
        `[${hashOrPrefix}`,
        `(${hashOrPrefix}g`,
        'LIMIT',
        0,
        MAX_AMBIGUOUS_CANDIDATES,
      ),
    )
    if (matches.length > 1) {
      const count = await guard('getCommit', () =>
        this.#client.zlexcount(this.#keys.commitHashes, `[${hashOrPrefix}`, `(${hashOrPrefix}g`),
      )
      throw new CairnError(
        ErrorCode.Ambiguous,
        `prefix ${hashOrPrefix} matches ${count} commits: ${matches.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}`,
        { details: { prefix: hashOrPrefix, count, candidates: matches } },
      )
    }
    const only = matches[0]
    return only === undefined ? undefined : this.#readCommit(only)
  }

  async #readCommit(hash: Hash): Promise<Commit | undefined> {
    const json = await guard('getCommit', () => this.#client.get(this.#keys.commit(hash)))
    return json === null ? undefined : (JSON.parse(json) as Commit)
  }

  /** One GET: the fingerprint's head holds the newest completed commit itself. */
  async findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    const json = await guard('findByFingerprint', () => this.#client.get(this.#keys.head(fingerprint)))
    return json === null ? undefined : (JSON.parse(json) as Commit)
  }

  async *listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    if (q.limit === 0) return
    yield* walkIndex(this.#client, this.#keys, indexFor(this.#keys, q), q, () => this.#check(opts))
  }

  async history(hash: Hash, opts?: OpOptions): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const commit = await this.#readCommit(hash)
    if (commit === undefined) throw notFound(`commit ${hash} not found`, { hash })
    const all: Commit[] = []
    for await (const c of this.listCommits({ fingerprint: commit.fingerprint }, opts)) all.push(c)
    return all
  }

  async deleteCommit(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    await this.#delete([hash])
  }

  async deleteCommits(hashes: readonly Hash[], opts?: OpOptions): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    for (let i = 0; i < hashes.length; i += 500) {
      this.#check(opts)
      await this.#delete(hashes.slice(i, i + 500))
    }
  }

  /** Reads the commits (their fields name their index keys), then one script per commit, pipelined. */
  async #delete(hashes: readonly Hash[]): Promise<void> {
    if (hashes.length === 0) return
    const jsons = await guard('deleteCommit', () =>
      this.#client.mget(...hashes.map((h) => this.#keys.commit(h))),
    )
    const commitPrefix = this.#keys.commit('')
    await guard('deleteCommit', () =>
      Promise.all(
        jsons.map((json, i) =>
          json === null
            ? undefined
            : runScript(this.#client, 'deleteCommit', commitKeys(this.#keys, JSON.parse(json) as Commit), [
                hashes[i] as string,
                commitPrefix,
              ]),
        ),
      ),
    )
  }

  // ---- refs ----

  async getRef(name: string, opts?: OpOptions): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    const value = await guard('getRef', () => this.#client.hget(this.#keys.refs, name))
    return value ?? undefined
  }

  async setRef(
    name: string,
    value: string | undefined,
    expected?: string | null,
    opts?: OpOptions,
  ): Promise<boolean> {
    this.#check(opts)
    assertRefName(name)
    if (value !== undefined) assertRefValue(value)
    assertRefExpected(expected)
    const mode = expected === undefined ? 'any' : expected === null ? 'absent' : 'equals'
    const result = await guard('setRef', () =>
      runScript(
        this.#client,
        'setRef',
        [this.#keys.refs],
        [name, mode, expected ?? '', value === undefined ? 'del' : 'set', value ?? ''],
      ),
    )
    return result === 1
  }

  /** HSCAN (never HGETALL of a huge hash in one reply), then sorted by name. */
  async *listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    const found = new Map<string, string>()
    let cursor = '0'
    do {
      const [next, flat] = await guard('listRefs', () =>
        this.#client.hscan(this.#keys.refs, cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000),
      )
      cursor = next
      for (let i = 0; i < flat.length; i += 2) found.set(flat[i] as string, flat[i + 1] as string)
    } while (cursor !== '0')
    const entries = [...found].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const entry of entries) {
      this.#check(opts)
      yield entry
    }
  }

  // ---- maintenance ----

  async stats(opts?: OpOptions): Promise<StoreStats> {
    this.#check(opts)
    const results = await guard('stats', () =>
      this.#client
        .pipeline()
        .hmget(this.#keys.stats, 'blobs', 'blobBytes')
        .zcard(this.#keys.commitHashes)
        .hlen(this.#keys.refs)
        .exec(),
    )
    const value = (i: number) => {
      const [error, result] = results?.[i] ?? [new Error('no reply'), null]
      if (error) throw error
      return result
    }
    const [blobs, blobBytes] = (await guard('stats', async () => value(0))) as [string | null, string | null]
    return {
      blobs: Number(blobs ?? 0),
      blobBytes: Number(blobBytes ?? 0),
      commits: Number(value(1)),
      refs: Number(value(2)),
    }
  }

  /** Closes the connection (the process can exit). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.#client.quit()
    } catch {
      this.#client.disconnect()
    }
  }
}
