import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
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
  matchesQuery,
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
import { type BlobContext, getBlob, openBlob, putKnownBytes, putStream } from './blobs.js'
import {
  type CommitContext,
  commitsWith,
  putText,
  READ_WIDTH,
  readCommit,
  readText,
  removeObject,
  updateHead,
} from './commits.js'
import { encodeRefName, type S3Keys, s3Keys } from './keys.js'
import { listObjects, mapLimit } from './listing.js'
import { type ResolvedS3Options, resolveS3Options, type S3StoreOptions } from './options.js'
import { isNotFound, isPreconditionFailed, send, sendOrMissing } from './requests.js'

const CAPABILITIES: StoreCapabilities = {
  streamingWrites: true,
  streamingReads: true,
  crossProcessCas: true,
  persistent: true,
  quarantine: true,
}

const MAX_AMBIGUOUS_CANDIDATES = 20

/**
 * A Store on any S3-compatible endpoint: blobs as objects under their hash (checksummed, written with
 * If-None-Match), commits, a newest-first log and fingerprint heads as objects, refs as objects
 * compare-and-swapped with If-Match. See the README for the layout and what each call costs.
 */
export class S3Store implements Store {
  static readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION
  readonly capabilities: StoreCapabilities = CAPABILITIES
  readonly bucket: string
  readonly prefix: string
  readonly #client: S3Client
  readonly #ownsClient: boolean
  readonly #keys: S3Keys
  readonly #ctx: BlobContext & CommitContext
  #closed = false

  private constructor(client: S3Client, ownsClient: boolean, options: ResolvedS3Options) {
    this.#client = client
    this.#ownsClient = ownsClient
    this.bucket = options.bucket
    this.prefix = options.prefix
    this.#keys = s3Keys(options.prefix)
    this.#ctx = {
      client,
      bucket: options.bucket,
      keys: this.#keys,
      partSize: options.partSize,
      queueSize: options.queueSize,
      pageSize: options.pageSize,
    }
  }

  /** Checks the bucket is reachable (creating it with `createBucket`); CAIRN_BACKEND if not. */
  static async open(options: S3StoreOptions = {}): Promise<S3Store> {
    const resolved = resolveS3Options(options)
    const client = resolved.client ?? new S3Client(resolved.config)
    try {
      const found = await sendOrMissing(
        client,
        new HeadBucketCommand({ Bucket: resolved.bucket }),
        'open',
        undefined,
      )
      if (found === undefined) {
        if (!resolved.createBucket) {
          throw new CairnError(
            ErrorCode.Backend,
            `bucket ${resolved.bucket} does not exist (pass createBucket: true)`,
          )
        }
        await send(client, new CreateBucketCommand({ Bucket: resolved.bucket }), 'createBucket', undefined)
      }
    } catch (error) {
      if (!resolved.client) client.destroy()
      throw error
    }
    return new S3Store(client, resolved.client === undefined, resolved)
  }

  #check(opts: OpOptions | undefined): void {
    if (this.#closed) throw closedError('S3Store')
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
      await putKnownBytes(this.#ctx, data, hash, opts?.signal)
      return { hash, size: data.byteLength }
    }
    return putStream(this.#ctx, data, expected, opts?.signal)
  }

  async getBlob(hash: Hash, opts?: OpOptions): Promise<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    return getBlob(this.#ctx, hash, opts?.signal)
  }

  async *openBlob(hash: Hash, opts?: OpenBlobOptions): AsyncIterable<Uint8Array> {
    this.#check(opts)
    assertHash(hash)
    const range = blobRangeOptions(opts)
    yield* openBlob(this.#ctx, hash, range, opts?.signal, () => this.#check(opts))
  }

  async hasBlob(hash: Hash, opts?: OpOptions): Promise<boolean> {
    this.#check(opts)
    assertHash(hash)
    const head = await sendOrMissing(
      this.#client,
      new HeadObjectCommand({ Bucket: this.bucket, Key: this.#keys.blob(hash) }),
      'hasBlob',
      opts?.signal,
    )
    if (head !== undefined) return true
    // A HEAD's 404 has no body to say whether the key or the whole bucket is missing: ask.
    const bucket = await sendOrMissing(
      this.#client,
      new HeadBucketCommand({ Bucket: this.bucket }),
      'hasBlob',
      opts?.signal,
    )
    if (bucket === undefined) {
      throw new CairnError(ErrorCode.Backend, `bucket ${this.bucket} does not exist (deleted while in use?)`)
    }
    return false
  }

  async deleteBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    await removeObject(this.#ctx, this.#keys.blob(hash), 'deleteBlob', opts?.signal)
  }

  /** Copies the object under `quarantine/` (kept for inspection), then removes it from `blobs/`. */
  async quarantineBlob(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    try {
      await send(
        this.#client,
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.#keys.quarantine(hash),
          CopySource: `${this.bucket}/${encodeURI(this.#keys.blob(hash))}`,
        }),
        'quarantineBlob',
        opts?.signal,
        isNotFound,
      )
    } catch (error) {
      if (isNotFound(error)) return
      throw error
    }
    await removeObject(this.#ctx, this.#keys.blob(hash), 'quarantineBlob', opts?.signal)
  }

  async *listBlobs(opts?: OpOptions): AsyncIterable<BlobRef> {
    this.#check(opts)
    for await (const { key, size } of listObjects(
      this.#client,
      this.bucket,
      this.#keys.blobs,
      this.#listing(opts),
    )) {
      const hash = key.slice(key.lastIndexOf('/') + 1)
      if (key !== this.#keys.blob(hash)) continue // not a blob key (written by something else)
      this.#check(opts)
      yield { hash, size }
    }
  }

  #listing(opts: OpOptions | undefined): { pageSize: number; signal?: AbortSignal } {
    return opts?.signal
      ? { pageSize: this.#ctx.pageSize, signal: opts.signal }
      : { pageSize: this.#ctx.pageSize }
  }

  // ---- commits ----

  /**
   * The commit object (If-None-Match: an existing one is left alone), its log and fingerprint index
   * entries, then the fingerprint's head by compare-and-swap. Written in that order, so every index
   * entry points at a commit that exists; a crash before the head update leaves a commit that is
   * listed but not yet a hit (the next run recomputes and records it).
   */
  async putCommit(commit: Commit, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertStorableCommit(commit)
    const json = JSON.stringify(commit)
    const stored = JSON.parse(json) as Commit
    const signal = opts?.signal
    await putText(this.#ctx, this.#keys.commit(stored.hash), json, 'putCommit', { IfNoneMatch: '*' }, signal)
    await Promise.all([
      putText(this.#ctx, this.#keys.log(stored.createdAt, stored.hash), '', 'putCommit', {}, signal),
      putText(
        this.#ctx,
        this.#keys.member(stored.fingerprint, stored.createdAt, stored.hash),
        '',
        'putCommit',
        {},
        signal,
      ),
    ])
    await updateHead(this.#ctx, stored.fingerprint, { put: stored }, signal)
  }

  async getCommit(hashOrPrefix: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    assertHashPrefix(hashOrPrefix)
    if (hashOrPrefix.length === 64) return readCommit(this.#ctx, hashOrPrefix, opts?.signal)
    const matches: string[] = []
    for await (const { key } of listObjects(
      this.#client,
      this.bucket,
      `${this.#keys.commits}${hashOrPrefix}`,
      this.#listing(opts),
    )) {
      matches.push(key.slice(this.#keys.commits.length, -'.json'.length))
    }
    if (matches.length > 1) {
      throw new CairnError(
        ErrorCode.Ambiguous,
        `prefix ${hashOrPrefix} matches ${matches.length} commits: ${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', …' : ''}`,
        {
          details: {
            prefix: hashOrPrefix,
            count: matches.length,
            candidates: matches.slice(0, MAX_AMBIGUOUS_CANDIDATES),
          },
        },
      )
    }
    const only = matches[0]
    return only === undefined ? undefined : readCommit(this.#ctx, only, opts?.signal)
  }

  /** One GET: the head object holds the newest completed commit itself. */
  async findByFingerprint(fingerprint: string, opts?: OpOptions): Promise<Commit | undefined> {
    this.#check(opts)
    if (typeof fingerprint !== 'string') {
      throw invalidArgument('fingerprint must be a string', { type: typeof fingerprint })
    }
    const found = await readText(this.#ctx, this.#keys.head(fingerprint), 'findByFingerprint', opts?.signal)
    if (found === undefined) return undefined
    const head = JSON.parse(found.text) as Commit | { none: true }
    return 'hash' in head ? head : undefined
  }

  /**
   * Fingerprint queries read that fingerprint's members; every other query walks the newest-first
   * log, reading commits 16 at a time and stopping at `limit`. `before` starts the walk there.
   */
  async *listCommits(query?: CommitQuery, opts?: OpOptions): AsyncIterable<Commit> {
    this.#check(opts)
    const q = assertCommitQuery(query)
    let remaining = q.limit ?? Number.POSITIVE_INFINITY
    if (remaining === 0) return
    if (q.fingerprint !== undefined) {
      for (const commit of await commitsWith(this.#ctx, q.fingerprint, opts?.signal)) {
        if (!matchesQuery(commit, q)) continue
        this.#check(opts)
        yield commit
        if (--remaining <= 0) return
      }
      return
    }
    const listing = this.#listing(opts)
    const startAfter = q.before === undefined ? undefined : `${this.#keys.log(q.before, 'f'.repeat(64))}`
    const batch: string[] = []
    const flush = async function* (this: S3Store): AsyncGenerator<Commit> {
      const commits = await mapLimit(batch.splice(0), READ_WIDTH, (hash) =>
        readCommit(this.#ctx, hash, opts?.signal),
      )
      for (const commit of commits) {
        if (commit === undefined || !matchesQuery(commit, q)) continue
        this.#check(opts)
        yield commit
        if (--remaining <= 0) return
      }
    }
    for await (const { key } of listObjects(this.#client, this.bucket, this.#keys.logPrefix, {
      ...listing,
      ...(startAfter === undefined ? {} : { startAfter }),
    })) {
      batch.push(this.#keys.hashOfIndexKey(key))
      if (batch.length >= READ_WIDTH * 4) {
        yield* flush.call(this)
        if (remaining <= 0) return
      }
    }
    yield* flush.call(this)
  }

  async history(hash: Hash, opts?: OpOptions): Promise<Commit[]> {
    this.#check(opts)
    assertHash(hash)
    const commit = await readCommit(this.#ctx, hash, opts?.signal)
    if (commit === undefined) throw notFound(`commit ${hash} not found`, { hash })
    return commitsWith(this.#ctx, commit.fingerprint, opts?.signal)
  }

  /** Index entries first, then the head, then the commit object (so no index entry outlives it unseen). */
  async deleteCommit(hash: Hash, opts?: OpOptions): Promise<void> {
    this.#check(opts)
    assertHash(hash)
    await this.#delete(hash, opts?.signal)
  }

  async deleteCommits(hashes: readonly Hash[], opts?: OpOptions): Promise<void> {
    this.#check(opts)
    if (!Array.isArray(hashes)) throw invalidArgument('deleteCommits needs an array of hashes')
    for (const hash of hashes) assertHash(hash)
    await mapLimit(hashes, 8, (hash) => this.#delete(hash, opts?.signal))
  }

  async #delete(hash: Hash, signal: AbortSignal | undefined): Promise<void> {
    const commit = await readCommit(this.#ctx, hash, signal)
    if (commit === undefined) return
    await Promise.all([
      removeObject(this.#ctx, this.#keys.log(commit.createdAt, hash), 'deleteCommit', signal),
      removeObject(
        this.#ctx,
        this.#keys.member(commit.fingerprint, commit.createdAt, hash),
        'deleteCommit',
        signal,
      ),
    ])
    await updateHead(this.#ctx, commit.fingerprint, { deleted: hash }, signal)
    await removeObject(this.#ctx, this.#keys.commit(hash), 'deleteCommit', signal)
  }

  // ---- refs ----

  async getRef(name: string, opts?: OpOptions): Promise<string | undefined> {
    this.#check(opts)
    assertRefName(name)
    return (await readText(this.#ctx, this.#keys.ref(name), 'getRef', opts?.signal))?.text
  }

  /**
   * Unconditional: PUT / DELETE. Expected absent: PUT with If-None-Match. Expected a value: read the
   * ETag, compare, then PUT / DELETE with If-Match — a writer in between makes it fail (412).
   */
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
    const key = this.#keys.ref(name)
    const signal = opts?.signal
    if (expected === undefined) {
      if (value === undefined) await removeObject(this.#ctx, key, 'setRef', signal)
      else await putText(this.#ctx, key, value, 'setRef', {}, signal)
      return true
    }
    if (expected === null) {
      if (value !== undefined) return putText(this.#ctx, key, value, 'setRef', { IfNoneMatch: '*' }, signal)
      return (await readText(this.#ctx, key, 'setRef', signal)) === undefined
    }
    const current = await readText(this.#ctx, key, 'setRef', signal)
    if (current === undefined || current.text !== expected) return false
    if (value !== undefined)
      return putText(this.#ctx, key, value, 'setRef', { IfMatch: current.etag }, signal)
    try {
      await send(
        this.#client,
        new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: current.etag }),
        'setRef',
        signal,
        (e) => isPreconditionFailed(e) || isNotFound(e),
      )
      return true
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false
      throw error
    }
  }

  /** Lists `refs/<encoded prefix>`, reads the values 16 at a time, yields them sorted by name. */
  async *listRefs(prefix: string, opts?: OpOptions): AsyncIterable<[name: string, value: string]> {
    this.#check(opts)
    assertRefPrefix(prefix)
    const keys: string[] = []
    for await (const { key } of listObjects(
      this.#client,
      this.bucket,
      `${this.#keys.refs}${encodeRefName(prefix)}`,
      this.#listing(opts),
    )) {
      keys.push(key)
    }
    const values = await mapLimit(keys, READ_WIDTH, async (key) => {
      const object = await sendOrMissing<GetObjectCommandOutput>(
        this.#client,
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
        'listRefs',
        opts?.signal,
      )
      return object === undefined
        ? undefined
        : await (object.Body as { transformToString(): Promise<string> }).transformToString()
    })
    const entries: [string, string][] = []
    keys.forEach((key, i) => {
      const value = values[i]
      if (value !== undefined) entries.push([decodeURIComponent(key.slice(this.#keys.refs.length)), value])
    })
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const entry of entries) {
      this.#check(opts)
      yield entry
    }
  }

  // ---- maintenance ----

  /** Lists blobs, commits and refs (S3 keeps no counters): cost grows with the store. */
  async stats(opts?: OpOptions): Promise<StoreStats> {
    this.#check(opts)
    const count = async (prefix: string, sum: boolean) => {
      let n = 0
      let bytes = 0
      for await (const { size } of listObjects(this.#client, this.bucket, prefix, this.#listing(opts))) {
        n++
        if (sum) bytes += size
      }
      return { n, bytes }
    }
    const [blobs, commits, refs] = await Promise.all([
      count(this.#keys.blobs, true),
      count(this.#keys.commits, false),
      count(this.#keys.refs, false),
    ])
    return { blobs: blobs.n, blobBytes: blobs.bytes, commits: commits.n, refs: refs.n }
  }

  /** Releases the client's sockets (unless the caller passed its own client). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsClient) this.#client.destroy()
  }
}
