/**
 * Where everything lives, under one prefix (default `cairn:`), so tenants sharing a Redis never see
 * each other's keys. Arbitrary strings inside key names (fingerprints, task names, tags) are
 * length-prefixed, so no two different values can produce the same key.
 */
export interface KeyLayout {
  readonly prefix: string
  /** A hash with `size`, `n` (chunk count) and, for single-chunk blobs, the bytes in `d`. */
  blob(hash: string): string
  /** Chunk `i` of a multi-chunk blob. */
  chunk(hash: string, i: number): string
  /** A staged chunk of a put in progress (expires on its own if the put dies). */
  stage(id: string, i: number): string
  quarantine(hash: string): string
  /** SCAN pattern matching every blob manifest (glob characters in the prefix escaped). */
  readonly blobPattern: string
  commit(hash: string): string
  /** Sorted set of every commit hash (score 0): prefix lookup by ZRANGEBYLEX. */
  readonly commitHashes: string
  /** Sorted set of every commit by createdAt. */
  readonly commitsByTime: string
  byFingerprint(fingerprint: string): string
  /** The newest completed commit's JSON for a fingerprint: a hit is one GET. */
  head(fingerprint: string): string
  byFunc(name: string): string
  byStatus(status: string): string
  byTag(key: string, value: string): string
  /** Hash of ref name → value. */
  readonly refs: string
  /** Hash of counters: blobs, blobBytes. */
  readonly stats: string
}

const tagged = (text: string) => `${text.length}:${text}`

export function keyLayout(prefix: string): KeyLayout {
  return {
    prefix,
    blob: (hash) => `${prefix}blob:${hash}`,
    chunk: (hash, i) => `${prefix}chunk:${hash}:${i}`,
    stage: (id, i) => `${prefix}stage:${id}:${i}`,
    quarantine: (hash) => `${prefix}quarantine:${hash}`,
    blobPattern: `${escapeGlob(prefix)}blob:*`,
    commit: (hash) => `${prefix}commit:${hash}`,
    commitHashes: `${prefix}commits`,
    commitsByTime: `${prefix}commits:time`,
    byFingerprint: (fingerprint) => `${prefix}fp:${tagged(fingerprint)}`,
    head: (fingerprint) => `${prefix}head:${tagged(fingerprint)}`,
    byFunc: (name) => `${prefix}func:${tagged(name)}`,
    byStatus: (status) => `${prefix}status:${status}`,
    byTag: (key, value) => `${prefix}tag:${tagged(key)}:${tagged(value)}`,
    refs: `${prefix}refs`,
    stats: `${prefix}stats`,
  }
}

/** Escapes Redis glob metacharacters so a prefix matches only itself in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}
