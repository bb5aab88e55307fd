import { sha256Hex } from '@cairn/core'

/**
 * Object keys under the prefix. Times in index keys are inverted and zero-padded, and hashes
 * inverted digit by digit, so S3's ascending key order is newest first, ties by larger hash.
 */
export interface S3Keys {
  blob(hash: string): string
  readonly blobs: string
  staging(id: string): string
  quarantine(hash: string): string
  commit(hash: string): string
  readonly commits: string
  /** One empty object per commit, in newest-first order. */
  log(createdAt: number, hash: string): string
  readonly logPrefix: string
  /** Membership of a commit in its fingerprint, newest first. */
  member(fingerprint: string, createdAt: number, hash: string): string
  members(fingerprint: string): string
  /** The newest completed commit's JSON for a fingerprint: a hit is one GET. */
  head(fingerprint: string): string
  ref(name: string): string
  readonly refs: string
  /** The hash at the end of a log or member key. */
  hashOfIndexKey(key: string): string
}

const TIME_DIGITS = 15
const MAX_TIME = 10 ** TIME_DIGITS - 1

export function invertTime(createdAt: number): string {
  return String(MAX_TIME - Math.max(0, Math.min(MAX_TIME, Math.floor(createdAt)))).padStart(TIME_DIGITS, '0')
}

function invertHex(hash: string): string {
  let out = ''
  for (const c of hash) out += (15 - Number.parseInt(c, 16)).toString(16)
  return out
}

/** Ref names to keys that keep prefixes: unreserved ASCII as is, everything else as %XX of UTF-8. */
export function encodeRefName(name: string): string {
  return encodeURIComponent(name).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

export function s3Keys(prefix: string): S3Keys {
  const fp = (fingerprint: string) => sha256Hex(fingerprint)
  return {
    blob: (hash) => `${prefix}blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`,
    blobs: `${prefix}blobs/`,
    staging: (id) => `${prefix}staging/${id}`,
    quarantine: (hash) => `${prefix}quarantine/${hash}`,
    commit: (hash) => `${prefix}commits/${hash}.json`,
    commits: `${prefix}commits/`,
    log: (createdAt, hash) => `${prefix}log/${invertTime(createdAt)}-${invertHex(hash)}`,
    logPrefix: `${prefix}log/`,
    member: (fingerprint, createdAt, hash) =>
      `${prefix}fingerprints/${fp(fingerprint)}/${invertTime(createdAt)}-${invertHex(hash)}`,
    members: (fingerprint) => `${prefix}fingerprints/${fp(fingerprint)}/`,
    head: (fingerprint) => `${prefix}heads/${fp(fingerprint)}.json`,
    ref: (name) => `${prefix}refs/${encodeRefName(name)}`,
    refs: `${prefix}refs/`,
    hashOfIndexKey: (key) => invertHex(key.slice(key.lastIndexOf('-') + 1)),
  }
}
