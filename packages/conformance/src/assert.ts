import { isCairnError } from '@cairn/core'

export class ConformanceError extends Error {
  override name = 'ConformanceError'
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message)
}

export function equal<T>(actual: T, expected: T, message: string): void {
  if (!Object.is(actual, expected)) {
    throw new ConformanceError(`${message}: expected ${show(expected)}, got ${show(actual)}`)
  }
}

export function deepEqual(actual: unknown, expected: unknown, message: string): void {
  const diff = firstDifference(actual, expected, '$')
  if (diff) throw new ConformanceError(`${message}: ${diff}`)
}

export function bytesEqual(actual: Uint8Array, expected: Uint8Array, message: string): void {
  if (!(actual instanceof Uint8Array))
    throw new ConformanceError(`${message}: expected a Uint8Array, got ${show(actual)}`)
  if (actual.byteLength !== expected.byteLength) {
    throw new ConformanceError(`${message}: expected ${expected.byteLength} bytes, got ${actual.byteLength}`)
  }
  for (let i = 0; i < actual.byteLength; i++) {
    if (actual[i] !== expected[i]) throw new ConformanceError(`${message}: bytes differ at offset ${i}`)
  }
}

/**
 * Asserts that a promise (or function) fails with a Cairn error of `code`. Checks the code through
 * `isCairnError`, never `instanceof`, so it works across duplicate installs.
 */
export async function expectCode(
  action: Promise<unknown> | (() => unknown),
  code: string,
  message = '',
): Promise<unknown> {
  let error: unknown
  try {
    await (typeof action === 'function' ? action() : action)
  } catch (e) {
    error = e
  }
  const label = message ? `${message}: ` : ''
  if (error === undefined) throw new ConformanceError(`${label}expected ${code}, but it succeeded`)
  if (!isCairnError(error, code as never)) {
    const got = isCairnError(error) ? error.code : `${(error as Error)?.name}: ${(error as Error)?.message}`
    throw new ConformanceError(`${label}expected ${code}, got ${got}`)
  }
  return error
}

/** Drains an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Uint8Array) return `Uint8Array(${value.byteLength})`
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text
  } catch {
    return String(value)
  }
}

/** The first difference between two values, or undefined. Strict: types, prototypes, -0, NaN, holes. */
export function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
  seen: Map<object, object> = new Map(),
): string | undefined {
  if (Object.is(a, b)) return undefined
  if (typeof a !== typeof b) return `${path}: type ${typeof a} vs ${typeof b}`
  if (typeof a !== 'object' || a === null || b === null) return `${path}: ${show(a)} vs ${show(b)}`
  const oa = a as object
  const ob = b as object
  if (seen.get(oa) === ob) return undefined
  seen.set(oa, ob)
  if (Object.getPrototypeOf(oa) !== Object.getPrototypeOf(ob)) {
    return `${path}: prototype ${oa.constructor?.name} vs ${ob.constructor?.name}`
  }
  if (oa instanceof Date)
    return Object.is(oa.getTime(), (ob as Date).getTime()) ? undefined : `${path}: dates differ`
  if (oa instanceof RegExp) return String(oa) === String(ob) ? undefined : `${path}: regexps differ`
  if (ArrayBuffer.isView(oa) || oa instanceof ArrayBuffer) {
    const x = new Uint8Array(
      oa instanceof ArrayBuffer ? oa : oa.buffer,
      oa instanceof ArrayBuffer ? 0 : oa.byteOffset,
      oa.byteLength,
    )
    const vb = ob as ArrayBufferView | ArrayBuffer
    const y = new Uint8Array(
      vb instanceof ArrayBuffer ? vb : vb.buffer,
      vb instanceof ArrayBuffer ? 0 : vb.byteOffset,
      vb.byteLength,
    )
    if (x.byteLength !== y.byteLength) return `${path}: byte lengths ${x.byteLength} vs ${y.byteLength}`
    for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return `${path}: bytes differ at ${i}`
    return undefined
  }
  if (oa instanceof Map) {
    const mb = ob as Map<unknown, unknown>
    if (oa.size !== mb.size) return `${path}: map sizes ${oa.size} vs ${mb.size}`
    const ea = [...oa]
    const eb = [...mb]
    for (let i = 0; i < ea.length; i++) {
      const d =
        firstDifference(ea[i]?.[0], eb[i]?.[0], `${path}<key ${i}>`, seen) ??
        firstDifference(ea[i]?.[1], eb[i]?.[1], `${path}<value ${i}>`, seen)
      if (d) return d
    }
    return undefined
  }
  if (oa instanceof Set) {
    const ea = [...oa]
    const eb = [...(ob as Set<unknown>)]
    if (ea.length !== eb.length) return `${path}: set sizes ${ea.length} vs ${eb.length}`
    for (let i = 0; i < ea.length; i++) {
      const d = firstDifference(ea[i], eb[i], `${path}<element ${i}>`, seen)
      if (d) return d
    }
    return undefined
  }
  if (oa instanceof Error) {
    const eb = ob as Error
    if (oa.name !== eb.name || oa.message !== eb.message) return `${path}: errors differ`
  }
  const ka = Reflect.ownKeys(oa).filter((k) => k !== 'stack')
  const kb = Reflect.ownKeys(ob).filter((k) => k !== 'stack')
  if (Array.isArray(oa) && (oa as unknown[]).length !== (ob as unknown[]).length)
    return `${path}: array lengths differ`
  if (ka.length !== kb.length)
    return `${path}: keys ${ka.map(String).join(',')} vs ${kb.map(String).join(',')}`
  for (const key of ka) {
    if (!Object.hasOwn(ob, key)) return `${path}: missing key ${String(key)}`
    const d = firstDifference(
      (oa as Record<PropertyKey, unknown>)[key],
      (ob as Record<PropertyKey, unknown>)[key],
      `${path}.${String(key)}`,
      seen,
    )
    if (d) return d
  }
  return undefined
}
