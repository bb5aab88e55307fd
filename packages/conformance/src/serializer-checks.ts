import { ErrorCode, isCairnError, type Serializer } from '@cairn/core'
import { ConformanceError } from './assert.js'
import type { HostileCase } from './serializer-hostile.js'

/** Prototypes a careless decoder could write to through `__proto__` / `constructor.prototype` keys. */
const WATCHED: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['Date.prototype', Date.prototype],
  ['RegExp.prototype', RegExp.prototype],
  ['Error.prototype', Error.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
]

export type PrototypeSnapshot = [name: string, key: PropertyKey, value: unknown][]

/** Every own property (and its value) of the watched prototypes. */
export function prototypeSnapshot(): PrototypeSnapshot {
  const out: PrototypeSnapshot = []
  for (const [name, proto] of WATCHED) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor
      out.push([name, key, 'value' in d ? d.value : d.get])
    }
  }
  return out
}

/** How a prototype changed since `before` (a key added, removed or replaced), or undefined. */
export function prototypeChange(before: PrototypeSnapshot): string | undefined {
  const now = prototypeSnapshot()
  if (now.length !== before.length) {
    const old = new Set(before.map(([n, k]) => `${n}.${String(k)}`))
    const added = now.find(([n, k]) => !old.has(`${n}.${String(k)}`))
    return added ? `${added[0]} gained the key ${String(added[1])}` : 'a built-in prototype lost a key'
  }
  for (let i = 0; i < now.length; i++) {
    const [name, key, value] = now[i] as PrototypeSnapshot[number]
    const [, keyBefore, valueBefore] = before[i] as PrototypeSnapshot[number]
    if (key !== keyBefore || !Object.is(value, valueBefore)) return `${name}.${String(key)} was replaced`
  }
  return undefined
}

/** CAIRN_CORRUPT or CAIRN_UNSERIALIZABLE: the two ways a decoder may refuse bytes. */
export function isDecodeRefusal(error: unknown): boolean {
  return isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.Unserializable)
}

export function describeError(error: unknown): string {
  if (isCairnError(error)) return `${error.code}: ${error.message}`
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

export interface HostileRun {
  serializer: Serializer
  maxDecodeMs: number
  /** Appended to every failure, so it can be reproduced. */
  seedNote: string
  snapshot: PrototypeSnapshot
}

/**
 * Decodes one hostile case and throws a ConformanceError naming it when the decoder breaks a rule:
 * an uncoded error, malformed bytes refused with another code than CAIRN_CORRUPT, too slow, a touched prototype, a value where only a refusal will do, or a value
 * its own `encode` refuses (a decoder that answers garbage with `undefined` or an invalid date).
 */
export function checkHostileCase(run: HostileRun, c: HostileCase): void {
  const { serializer: s } = run
  function fail(what: string): never {
    throw new ConformanceError(`${c.label}: ${what}${run.seedNote}`)
  }
  const start = performance.now()
  let value: unknown
  let refused = false
  try {
    value = s.decode(c.bytes)
  } catch (error) {
    if (!isDecodeRefusal(error)) fail(`decode threw an uncoded error (${describeError(error)})`)
    if (c.malformed && !isCairnError(error, ErrorCode.Corrupt)) {
      fail(`malformed bytes refused with ${describeError(error)} (malformed input must be CAIRN_CORRUPT)`)
    }
    refused = true
  }
  const ms = performance.now() - start
  if (ms > run.maxDecodeMs) fail(`decode took ${ms.toFixed(0)} ms (limit ${run.maxDecodeMs} ms)`)
  const change = prototypeChange(run.snapshot)
  if (change) fail(`decoding polluted a prototype: ${change}`)
  if (refused) return
  if (c.expect === 'refuse') fail('decoded to a value instead of a coded error')
  let again: Uint8Array
  try {
    again = s.encode(value)
  } catch (error) {
    fail(`decoded to a value its own encode refuses (${describeError(error)})`)
  }
  if (c.expect === 'truncation' && !sameBytes(again, c.bytes)) {
    fail('decoded a truncated encoding to a value (it is not a complete encoding of that value)')
  }
}
