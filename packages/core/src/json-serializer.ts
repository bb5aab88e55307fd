import { CairnError, ErrorCode, invalidArgument } from './errors.js'
import { isUint8Array } from './memory/bytes.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Serializer } from './protocols/serializer.js'

/**
 * Deepest nesting of arrays and objects `jsonSerializer` handles (the outermost container is level 1).
 * Deeper values are refused with a coded error instead of overflowing the stack.
 */
export const JSON_MAX_DEPTH = 1000

const encoder = new TextEncoder()
// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a BOM stays in the text (and fails to
// parse) rather than being skipped, since encode never writes one.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const IDENTIFIER_RE = /^[A-Za-z_$][\w$]*$/
const FOR_RICHER_VALUES = 'use a serializer that supports it (e.g. @cairn/structured)'

function refusal(path: string, why: string): CairnError {
  return new CairnError(ErrorCode.Unserializable, `${path}: ${why}`, { details: { path } })
}

function keyPath(path: string, key: string): string {
  return IDENTIFIER_RE.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

/** `Map`, `Date`, `Point` ...: the name to show for a non-plain object. */
function kindName(obj: object, proto: object): string {
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined
  if (typeof ctor?.name === 'string' && ctor.name !== '') return ctor.name
  return Object.prototype.toString.call(obj).slice(8, -1)
}

/** Whether JSON.stringify would call a `toJSON` on this object (own or inherited). */
function hasToJSON(obj: object, proto: object | null): boolean {
  const own = Object.getOwnPropertyDescriptor(obj, 'toJSON')
  if (own) return 'value' in own ? typeof own.value === 'function' : true
  return proto !== null && 'toJSON' in proto
}

/**
 * Throws `CAIRN_UNSERIALIZABLE` (message starting with the path) unless JSON represents `value`
 * exactly: `JSON.parse(JSON.stringify(value))` would give back an equal value.
 * `ancestors` holds the containers on the current path, to tell cycles from shared references.
 */
function assertExactJson(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) {
        throw refusal(path, 'string has a lone surrogate (not well-formed Unicode, so not valid UTF-8)')
      }
      return
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw refusal(path, `${value} is not JSON (it would become null)`)
      if (Object.is(value, -0)) throw refusal(path, '-0 is not JSON (it would become 0)')
      return
    case 'undefined':
      throw refusal(path, 'undefined is not JSON (it would be dropped or become null)')
    case 'bigint':
      throw refusal(path, `BigInt is not JSON; ${FOR_RICHER_VALUES}`)
    case 'function':
      throw refusal(path, 'a function is not JSON')
    case 'symbol':
      throw refusal(path, 'a symbol is not JSON')
  }
  if (value === null) return
  const obj = value as object
  if (ancestors.has(obj)) throw refusal(path, 'cycle: JSON cannot represent an object that contains itself')
  if (ancestors.size >= JSON_MAX_DEPTH) {
    throw refusal(path, `nesting deeper than ${JSON_MAX_DEPTH} levels of arrays and objects`)
  }
  const proto = Object.getPrototypeOf(obj) as object | null
  const isArray = Array.isArray(obj)
  if (proto === null) {
    // JSON.parse gives every object Object.prototype: `'toString' in decoded` would change.
    throw refusal(path, `a null-prototype object would come back with Object.prototype; ${FOR_RICHER_VALUES}`)
  }
  if (isArray ? proto !== Array.prototype : proto !== Object.prototype) {
    throw refusal(path, `${kindName(obj, proto)} is not JSON; ${FOR_RICHER_VALUES}`)
  }
  if (hasToJSON(obj, proto)) throw refusal(path, 'objects with toJSON are not encoded exactly')
  ancestors.add(obj)
  try {
    if (isArray) assertExactArray(obj as unknown[], path, ancestors)
    else assertExactObject(obj, path, ancestors)
  } finally {
    ancestors.delete(obj)
  }
}

function assertExactArray(array: unknown[], path: string, ancestors: Set<object>): void {
  const length = array.length
  for (let i = 0; i < length; i++) {
    const desc = Object.getOwnPropertyDescriptor(array, i)
    if (desc === undefined)
      throw refusal(`${path}[${i}]`, 'sparse array hole is not JSON (it would become null)')
    if (!('value' in desc)) throw refusal(`${path}[${i}]`, 'accessor property is not JSON')
    assertExactJson(desc.value, `${path}[${i}]`, ancestors)
  }
  // Own keys are the indices (ascending), then `length`, then anything else, which JSON would drop.
  const keys = Reflect.ownKeys(array)
  if (keys.length !== length + 1) {
    const extra = keys[length + 1] ?? keys[length]
    if (typeof extra === 'symbol') throw refusal(path, 'symbol keys are not JSON')
    throw refusal(path, `array property ${JSON.stringify(extra)} is not JSON (it would be dropped)`)
  }
}

function assertExactObject(obj: object, path: string, ancestors: Set<object>): void {
  for (const key of Reflect.ownKeys(obj)) {
    if (typeof key === 'symbol') throw refusal(path, 'symbol keys are not JSON')
    const childPath = keyPath(path, key)
    if (!key.isWellFormed()) throw refusal(childPath, 'key has a lone surrogate (not well-formed Unicode)')
    const desc = Object.getOwnPropertyDescriptor(obj, key) as PropertyDescriptor
    if (!('value' in desc)) throw refusal(childPath, 'accessor property is not JSON')
    if (!desc.enumerable)
      throw refusal(childPath, 'non-enumerable property is not JSON (it would be dropped)')
    assertExactJson(desc.value, childPath, ancestors)
  }
}

/**
 * Strict JSON: exactly what JSON represents, refused (with the path) otherwise.
 *
 * - `encode` refuses, with `CAIRN_UNSERIALIZABLE` and a message starting with the path
 *   (`$.a[2].b: Map is not JSON; …`), every value JSON would silently change: `undefined`, NaN,
 *   ±Infinity, -0, BigInt, functions, symbols, class instances (Date, Map, Set, typed arrays,
 *   RegExp, Error, your own classes), null-prototype objects (they would come back with
 *   `Object.prototype`), objects with `toJSON`, accessor, non-enumerable and symbol
 *   properties, array holes and extra array properties, cycles, strings with lone surrogates, and
 *   nesting deeper than `JSON_MAX_DEPTH`. Shared (non-cyclic) references are fine.
 * - Output is UTF-8 JSON with no whitespace and keys in the object's own order (insertion order,
 *   integer-like keys first, as JavaScript orders them): the same value always gives the same bytes,
 *   but `{a, b}` and `{b, a}` give different bytes. Use canonical hashing, not these bytes, for identity.
 * - `decode` refuses invalid UTF-8 (or a BOM) and invalid JSON with `CAIRN_CORRUPT`, and JSON that
 *   decodes to a value `encode` would refuse (a number that overflows to Infinity, -0, a lone
 *   surrogate escape, nesting deeper than `JSON_MAX_DEPTH`) with `CAIRN_UNSERIALIZABLE`. So every
 *   decoded value encodes again. `__proto__` keys stay plain own data.
 */
export function createJsonSerializer(): Serializer {
  return {
    specVersion: SPEC_VERSION,
    id: 'json',
    version: '1',
    capabilities: { types: ['json'], safeForUntrustedInput: true },
    encode(value: unknown): Uint8Array {
      assertExactJson(value, '$', new Set())
      return encoder.encode(JSON.stringify(value))
    },
    decode(bytes: Uint8Array): unknown {
      if (!isUint8Array(bytes)) {
        throw invalidArgument('jsonSerializer.decode needs a Uint8Array', { type: typeof bytes })
      }
      let text: string
      try {
        text = decoder.decode(bytes)
      } catch (cause) {
        throw new CairnError(ErrorCode.Corrupt, 'bytes are not valid UTF-8', { cause })
      }
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause)
        throw new CairnError(ErrorCode.Corrupt, `bytes are not valid JSON: ${reason}`, { cause })
      }
      try {
        assertExactJson(value, '$', new Set())
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause)
        throw new CairnError(
          ErrorCode.Unserializable,
          `bytes decode to a value jsonSerializer does not encode: ${reason}`,
          {
            cause,
            details: (cause as CairnError).details,
          },
        )
      }
      return value
    },
  }
}

/** The strict JSON serializer (id `json`, version `1`); see `createJsonSerializer`. */
export const jsonSerializer: Serializer = createJsonSerializer()
