/**
 * Cairn's one error type. Every error carries a stable `code`; callers branch on the code
 * (never on `instanceof`, which breaks when two copies of `@cairn/core` are installed).
 */

/** Stable error codes. Adding a code is a minor change; renaming or removing one is a major change. */
export const ErrorCode = {
  /** The blob, commit, ref target or dataset does not exist. */
  NotFound: 'CAIRN_NOT_FOUND',
  /** Stored bytes do not match their hash, or a record fails its checksum. Never returned as good data. */
  Corrupt: 'CAIRN_CORRUPT',
  /** A write lost a race or contradicts what is stored (e.g. compare-and-swap preconditions). */
  Conflict: 'CAIRN_CONFLICT',
  /** A hash prefix matches more than one object. */
  Ambiguous: 'CAIRN_AMBIGUOUS',
  /** A value cannot be encoded, hashed or decoded by the chosen format. */
  Unserializable: 'CAIRN_UNSERIALIZABLE',
  /** The caller passed something malformed: a bad hash, a dangerous name, a wrong type. Nothing changed. */
  InvalidArgument: 'CAIRN_INVALID_ARGUMENT',
  /** The backend failed (server down, I/O error, timeout). Never turned into a miss. */
  Backend: 'CAIRN_BACKEND',
  /** The operation was cancelled through its AbortSignal. */
  Aborted: 'CAIRN_ABORTED',
  /** The object was used after `close()`. */
  Closed: 'CAIRN_CLOSED',
  /** Code or data from a source the user has not chosen to trust. */
  Untrusted: 'CAIRN_UNTRUSTED',
  /** The operation is not supported by this implementation (see its `capabilities`). */
  Unsupported: 'CAIRN_UNSUPPORTED',
  /** An artifact was packed by another version of its packager, serializer, library or runtime (strict mode). */
  VersionMismatch: 'CAIRN_VERSION_MISMATCH',
  /** An optional package the operation needs is not installed (the error says how to install it). */
  MissingPackage: 'CAIRN_MISSING_PACKAGE',
  /** A task (or one of its deps) reads an outer variable or impure global that is not part of its key. */
  FreeVariables: 'CAIRN_FREE_VARIABLES',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const BRAND: unique symbol = Symbol.for('cairn.error')

export interface CairnErrorOptions {
  cause?: unknown
  /** Structured context for programs (the offending path, hash, name ...). */
  details?: Record<string, unknown>
}

export class CairnError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CairnError'
    this.code = code
    this.details = options.details
    Object.defineProperty(this, BRAND, { value: true, enumerable: false })
  }

  /**
   * True for any Cairn error, from this copy of `@cairn/core` or another one, optionally
   * with the given code. Uses a registry symbol, not `instanceof`.
   */
  static isInstance(value: unknown, code?: ErrorCode): value is CairnError {
    if (typeof value !== 'object' || value === null) return false
    if ((value as { [BRAND]?: unknown })[BRAND] !== true) return false
    return code === undefined || (value as { code?: unknown }).code === code
  }
}

/** Shorthand for `CairnError.isInstance(value, code)`. */
export function isCairnError(value: unknown, code?: ErrorCode): value is CairnError {
  return CairnError.isInstance(value, code)
}

export function notFound(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError(ErrorCode.NotFound, message, { details })
}
export function corrupt(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError(ErrorCode.Corrupt, message, { details })
}
export function invalidArgument(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError(ErrorCode.InvalidArgument, message, { details })
}
export function unserializable(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError(ErrorCode.Unserializable, message, { details })
}
export function closedError(what: string): CairnError {
  return new CairnError(ErrorCode.Closed, `${what} is closed`)
}
/** Wraps a backend failure, keeping it as `cause`; Cairn errors pass through unchanged. */
export function backendError(message: string, cause: unknown): CairnError {
  if (CairnError.isInstance(cause)) return cause
  return new CairnError(ErrorCode.Backend, message, { cause })
}

/** Throws `CAIRN_ABORTED` when the signal has fired; call before any change is made. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CairnError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason })
  }
}
