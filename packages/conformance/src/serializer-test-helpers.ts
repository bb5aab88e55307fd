/**
 * Helpers for a serializer package's own tests (@cairn/msgpack and @cairn/structured use them):
 * synchronous coded-error checks, hex bytes, seeded random bytes. Runner-agnostic: a failed check
 * throws a ConformanceError, which every runner reports as a failure.
 */
import { type CairnError, ErrorCode, isCairnError, type Serializer } from '@cairn/core'
import { ConformanceError } from './assert.js'

/** Runs `action`, checks it throws a Cairn error with `code` (synchronously), and returns the error. */
export function expectCodeSync(action: () => unknown, code: string): CairnError {
  let thrown: unknown
  let threw = false
  try {
    action()
  } catch (error) {
    thrown = error
    threw = true
  }
  if (!threw) throw new ConformanceError(`expected ${code}, but nothing was thrown`)
  if (!isCairnError(thrown)) throw new ConformanceError(`expected ${code}, got ${String(thrown)}`)
  if (thrown.code !== code)
    throw new ConformanceError(`expected ${code}, got ${thrown.code}: ${thrown.message}`)
  return thrown
}

/**
 * Decodes `bytes` and checks the result is a value or a Cairn error with one of `codes`; anything
 * else thrown (a TypeError, a RangeError from the stack) fails with the byte count.
 */
export function expectValueOrCode(
  decode: (bytes: Uint8Array) => unknown,
  bytes: Uint8Array,
  codes: readonly ErrorCode[],
): void {
  try {
    decode(bytes)
  } catch (error) {
    if (isCairnError(error) && codes.includes(error.code)) return
    const got = isCairnError(error) ? `${error.code}: ${error.message}` : String(error)
    throw new ConformanceError(
      `${bytes.byteLength} bytes: expected a value or ${codes.join(' / ')}, got ${got}`,
    )
  }
}

/** Bytes from hex digits; white space between them is ignored (`hex('81 a1 61 01')`). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '')
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
}

/** `81 a1 61 01`: bytes as spaced hex, for messages and comparisons. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
}

/** Deterministic pseudo-random bytes, every one of them random (xorshift32, one step a byte). */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/**
 * Encodes `{ a: victim, b }` where reading `b` detaches `victim`'s buffer (after the encoder met
 * `victim`, before it put the result together): it must be refused with CAIRN_UNSERIALIZABLE naming
 * the detach, never written as other bytes; and the next encode must work as usual.
 */
export function expectDetachedLaterRefused(serializer: Serializer, victim: ArrayBufferView): void {
  const value = {
    a: victim,
    get b(): number {
      structuredClone(victim.buffer, { transfer: [victim.buffer as ArrayBuffer] })
      return 1
    },
  }
  const error = expectCodeSync(() => serializer.encode(value), ErrorCode.Unserializable)
  if (!/detached/.test(error.message))
    throw new ConformanceError(`refused, but not for the detach: ${error.message}`)
  const again = serializer.decode(serializer.encode({ a: 1 })) as { a?: unknown }
  if (again.a !== 1) throw new ConformanceError('the encoder did not recover after the refusal')
}

/** Checks `bytes` is what `encode` must return: a plain Uint8Array over an ArrayBuffer of exactly its size. */
export function expectOwnedBytes(bytes: Uint8Array): void {
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype) {
    throw new ConformanceError('not a plain Uint8Array (a subclass such as Buffer)')
  }
  if (bytes.byteOffset !== 0 || bytes.buffer.byteLength !== bytes.byteLength) {
    throw new ConformanceError(
      `a view at ${bytes.byteOffset} into a buffer of ${bytes.buffer.byteLength} bytes, not bytes of its own`,
    )
  }
}
