import { createHash } from 'node:crypto'
import { invalidArgument } from './errors.js'

/** Lowercase hex SHA-256, 64 characters. */
export type Hash = string

const HASH_RE = /^[0-9a-f]{64}$/
const PREFIX_RE = /^[0-9a-f]{4,64}$/

/** The shortest hash prefix `getCommit` / `show` accept. */
export const MIN_PREFIX_LENGTH = 4

export function isHash(value: unknown): value is Hash {
  return typeof value === 'string' && HASH_RE.test(value)
}

/** Throws `CAIRN_INVALID_ARGUMENT` unless `value` is a full lowercase hex SHA-256. */
export function assertHash(value: unknown, what = 'hash'): asserts value is Hash {
  if (!isHash(value)) {
    throw invalidArgument(`${what} must be 64 lowercase hex characters, got ${describe(value)}`, { value })
  }
}

/** Throws `CAIRN_INVALID_ARGUMENT` unless `value` is 4..64 lowercase hex characters. */
export function assertHashPrefix(value: unknown, what = 'hash prefix'): asserts value is string {
  if (typeof value !== 'string' || !PREFIX_RE.test(value)) {
    throw invalidArgument(
      `${what} must be ${MIN_PREFIX_LENGTH} to 64 lowercase hex characters, got ${describe(value)}`,
      { value },
    )
  }
}

export function sha256Hex(data: Uint8Array | string): Hash {
  return createHash('sha256').update(data).digest('hex')
}

/** Incremental SHA-256 for streams. */
export function createHasher(): { update(chunk: Uint8Array): void; digest(): Hash } {
  const h = createHash('sha256')
  return {
    update(chunk) {
      h.update(chunk)
    },
    digest() {
      return h.digest('hex')
    },
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  return typeof value
}
