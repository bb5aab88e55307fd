import { type CairnError, isCairnError } from '@cairn/core'
import { expect } from 'vitest'

/** Runs `action`, asserts it throws a Cairn error with `code`, and returns the error. */
export function expectCode(action: () => unknown, code: string): CairnError {
  let thrown: unknown
  try {
    action()
  } catch (error) {
    thrown = error
  }
  expect(thrown, 'expected a throw').toBeDefined()
  if (!isCairnError(thrown)) throw new Error(`expected ${code}, got ${String(thrown)}`)
  expect(thrown.code, thrown.message).toBe(code)
  return thrown
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '')
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function randomBytes(length: number, seed: number): Uint8Array {
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
