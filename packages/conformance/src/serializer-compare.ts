/**
 * The serializer suite's notion of "exactly the same value": stricter than `firstDifference` (which
 * the store suites share) in what a serializer can lose — an error's stack, which properties are
 * enumerable, key order, a boxed primitive's value — and, when asked, in object identity.
 */

export interface CompareOptions {
  /**
   * Shared references must stay shared: one original object ↔ one decoded object, and a typed array
   * keeps its buffer (shared with the views that share it) and its offset. Without it a serializer may
   * copy a shared object (JSON does), but it may still never merge two distinct originals into one.
   */
  identity: boolean
}

const NodeBuffer = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer

/** The first way `actual` differs from `expected`, as `path: what`, or undefined when they are the same. */
export function valueDifference(
  actual: unknown,
  expected: unknown,
  options: CompareOptions,
): string | undefined {
  return new Comparison(options.identity).run(actual, expected)
}

type Pending = [actual: unknown, expected: unknown, path: string]

/** Walks both values side by side with an explicit stack: 5000-deep values need no 5000 frames. */
class Comparison {
  /** decoded object → the original it stands for, and back. */
  readonly #toExpected = new Map<object, object>()
  readonly #toActual = new Map<object, object>()
  /** Pairs still to compare; the next one is at the end. */
  readonly #pending: Pending[] = []
  constructor(readonly identity: boolean) {}

  run(actual: unknown, expected: unknown): string | undefined {
    this.#pending.push([actual, expected, '$'])
    while (this.#pending.length > 0) {
      const [a, e, path] = this.#pending.pop() as Pending
      const d = this.#step(a, e, path)
      if (d) return d
    }
    return undefined
  }

  /** Children are pushed in reverse, so the first difference found is the first in reading order. */
  #later(pairs: Pending[]): void {
    for (let i = pairs.length - 1; i >= 0; i--) this.#pending.push(pairs[i] as Pending)
  }

  #step(a: unknown, e: unknown, path: string): string | undefined {
    if (Object.is(a, e)) return undefined
    if (typeof a !== typeof e) return `${path}: ${show(e)} came back as ${show(a)}`
    if (typeof a !== 'object' || a === null || e === null)
      return `${path}: ${show(e)} came back as ${show(a)}`
    const oa = a as object
    const oe = e as object
    const known = this.#toExpected.get(oa)
    if (known !== undefined) {
      if (known === oe) return undefined
      return `${path}: two distinct original objects came back as one object (identity merged)`
    }
    const twin = this.#toActual.get(oe)
    if (twin !== undefined && this.identity) {
      return `${path}: a shared object came back as a separate copy (identity lost)`
    }
    this.#toExpected.set(oa, oe)
    if (twin === undefined) this.#toActual.set(oe, oa)
    const pa = Object.getPrototypeOf(oa) as object | null
    const pe = Object.getPrototypeOf(oe) as object | null
    if (pa !== pe) return `${path}: prototype ${protoName(pe)} came back as ${protoName(pa)}`
    return this.#contents(oa, oe, path)
  }

  #contents(a: object, e: object, path: string): string | undefined {
    if (e instanceof ArrayBuffer)
      return bytesDifference(new Uint8Array(a as ArrayBuffer), new Uint8Array(e), path)
    if (ArrayBuffer.isView(e)) return this.#view(a as ArrayBufferView, e, path)
    const children: Pending[] = []
    if (e instanceof Date) {
      const [ta, te] = [(a as Date).getTime(), e.getTime()]
      if (!Object.is(ta, te)) return `${path}: date ${te} came back as ${ta}`
    } else if (e instanceof RegExp) {
      const ra = a as RegExp
      if (ra.source !== e.source || ra.flags !== e.flags) return `${path}: regexp ${e} came back as ${ra}`
    } else if (e instanceof Map || e instanceof Set) {
      const what = e instanceof Map ? 'Map entries' : 'Set elements'
      const ea = [...(a as Map<unknown, unknown> | Set<unknown>)]
      const ee = [...e]
      if (ea.length !== ee.length) return `${path}: ${ee.length} ${what} came back as ${ea.length}`
      for (let i = 0; i < ee.length; i++) {
        if (e instanceof Map) {
          const [[ka, va], [ke, ve]] = [ea[i] as [unknown, unknown], ee[i] as [unknown, unknown]]
          children.push([ka, ke, `${path}<key ${i}>`], [va, ve, `${path}<value ${i}>`])
        } else children.push([ea[i], ee[i], `${path}<element ${i}>`])
      }
    } else if (e instanceof Error) {
      const ea = a as Error
      if (ea.name !== e.name) return `${path}: error name ${show(e.name)} came back as ${show(ea.name)}`
    } else if (isBoxed(e)) {
      const [va, ve] = [a.valueOf(), e.valueOf()]
      if (!Object.is(va, ve)) return `${path}: boxed ${show(ve)} came back as ${show(va)}`
    }
    const d = this.#properties(a, e, path, children)
    if (d) return d
    this.#later(children)
    return undefined
  }

  /** Own properties: the same keys, in the same enumeration order, equally enumerable, equal values (stack included). */
  #properties(a: object, e: object, path: string, children: Pending[]): string | undefined {
    const orderA = Object.keys(a)
    const orderE = Object.keys(e)
    if (orderA.length !== orderE.length || orderA.some((k, i) => k !== orderE[i])) {
      return `${path}: keys ${list(orderE)} came back as ${list(orderA)}`
    }
    const keysA = Reflect.ownKeys(a)
    const keysE = Reflect.ownKeys(e)
    if (keysA.length !== keysE.length) return `${path}: own keys ${list(keysE)} came back as ${list(keysA)}`
    const isArray = Array.isArray(e)
    for (const key of keysE) {
      const da = Object.getOwnPropertyDescriptor(a, key)
      const de = Object.getOwnPropertyDescriptor(e, key) as PropertyDescriptor
      const at = `${path}${isArray ? `[${String(key)}]` : `.${String(key)}`}`
      if (da === undefined) return `${at}: missing`
      if (da.enumerable !== de.enumerable)
        return `${at}: enumerable ${de.enumerable} came back as ${da.enumerable}`
      // An accessor (V8's Error.stack since Node 21) is compared by what it reads.
      children.push([ownValue(a, key, da), ownValue(e, key, de), at])
    }
    return undefined
  }

  #view(a: ArrayBufferView, e: ArrayBufferView, path: string): string | undefined {
    const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
    const ue = new Uint8Array(e.buffer, e.byteOffset, e.byteLength)
    const d = bytesDifference(ua, ue, path)
    // A Node.js Buffer sits in a shared pool, which no serializer is expected to carry: its bytes only.
    if (d || !this.identity || NodeBuffer?.isBuffer(e)) return d
    if (a.byteOffset !== e.byteOffset)
      return `${path}: byte offset ${e.byteOffset} came back as ${a.byteOffset}`
    this.#pending.push([a.buffer, e.buffer, `${path}.buffer`])
    return undefined
  }
}

function bytesDifference(a: Uint8Array, e: Uint8Array, path: string): string | undefined {
  if (a.byteLength !== e.byteLength) return `${path}: ${e.byteLength} bytes came back as ${a.byteLength}`
  for (let i = 0; i < e.byteLength; i++) {
    if (a[i] !== e[i]) return `${path}: byte ${i} is ${a[i]}, expected ${e[i]}`
  }
  return undefined
}

/** `Object(1)`, `Object('s')`, `Object(true)`, `Object(1n)`: their prototypes match, so `valueOf` is theirs. */
function isBoxed(value: object): boolean {
  return (
    value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt
  )
}

function protoName(proto: object | null): string {
  if (proto === null) return 'null'
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: string } | undefined
  return ctor?.name || 'an anonymous prototype'
}

function list(keys: readonly PropertyKey[]): string {
  const shown = keys.slice(0, 12).map(String).join(',')
  return `[${shown}${keys.length > 12 ? `,… ${keys.length} in all` : ''}]`
}

/** A short printable form of a value, for messages. */
export function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'string') {
    const text = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
    return value.length > 60 ? `${text} (${value.length} chars)` : text
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (value === null || typeof value !== 'object') return String(value)
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`
  if (Array.isArray(value)) return `an array of ${value.length}`
  return `a ${protoName(Object.getPrototypeOf(value) as object | null)}`
}

function ownValue(owner: object, key: PropertyKey, d: PropertyDescriptor): unknown {
  return 'value' in d ? d.value : Reflect.get(owner, key)
}
