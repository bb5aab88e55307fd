import { CairnError, ErrorCode, invalidArgument } from './errors.js'
import { SPEC_VERSION } from './protocols/common.js'
import type { Serializer } from './protocols/serializer.js'

/** Deepest nesting `jsonSerializer` encodes; deeper values are refused rather than overflow the stack. */
export const JSON_MAX_DEPTH = 1000

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function notJson(path: string, what: string): CairnError {
  return new CairnError(ErrorCode.Unserializable, `${path}: ${what}`, { details: { path } })
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

/** Throws unless JSON represents `value` exactly. */
function assertExactJson(value: unknown, path: string, stack: Set<object>, depth: number): void {
  if (depth > JSON_MAX_DEPTH) throw notJson(path, `nesting deeper than ${JSON_MAX_DEPTH} levels`)
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed())
        throw notJson(path, 'string has a lone surrogate, which JSON text cannot carry exactly')
      return
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `${value} is not JSON (it would become null)`)
      if (Object.is(value, -0)) throw notJson(path, '-0 is not JSON (it would become 0)')
      return
    case 'undefined':
      throw notJson(path, 'undefined is not JSON (it would be dropped or become null)')
    case 'bigint':
      throw notJson(path, 'BigInt is not JSON; use a serializer that supports it (e.g. @cairn/structured)')
    case 'function':
      throw notJson(path, 'a function is not JSON')
    case 'symbol':
      throw notJson(path, 'a symbol is not JSON')
  }
  if (value === null) return
  const obj = value as object
  if (stack.has(obj)) throw notJson(path, 'cycle: JSON cannot represent an object that contains itself')
  stack.add(obj)
  try {
    if (Array.isArray(obj)) {
      if (Object.getPrototypeOf(obj) !== Array.prototype) throw notJson(path, 'array subclass is not JSON')
      for (let i = 0; i < obj.length; i++) {
        if (!(i in obj))
          throw notJson(`${path}[${i}]`, 'sparse array hole is not JSON (it would become null)')
        const desc = Object.getOwnPropertyDescriptor(obj, i) as PropertyDescriptor
        if (!('value' in desc)) throw notJson(`${path}[${i}]`, 'accessor property is not JSON')
        assertExactJson(desc.value, `${path}[${i}]`, stack, depth + 1)
      }
      return
    }
    const proto = Object.getPrototypeOf(obj)
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj.constructor as { name?: string } | undefined)?.name || 'class instance'
      throw notJson(path, `${name} is not JSON; use a serializer that supports it (e.g. @cairn/structured)`)
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) throw notJson(path, 'symbol keys are not JSON')
    if (typeof (obj as { toJSON?: unknown }).toJSON === 'function')
      throw notJson(path, 'objects with toJSON are not encoded exactly')
    for (const key of Object.keys(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, key) as PropertyDescriptor
      if (!('value' in desc)) throw notJson(childPath(path, key), 'accessor property is not JSON')
      if (!key.isWellFormed()) throw notJson(path, 'a key has a lone surrogate')
      assertExactJson(desc.value, childPath(path, key), stack, depth + 1)
    }
  } finally {
    stack.delete(obj)
  }
}

/** Strict JSON: exactly what JSON can represent, refused (with the path) otherwise. */
export function createJsonSerializer(): Serializer {
  return {
    specVersion: SPEC_VERSION,
    id: 'json',
    version: '1',
    capabilities: { types: ['json'], safeForUntrustedInput: true },
    encode(value: unknown): Uint8Array {
      assertExactJson(value, '$', new Set(), 0)
      return encoder.encode(JSON.stringify(value))
    },
    decode(bytes: Uint8Array): unknown {
      if (!(bytes instanceof Uint8Array)) throw invalidArgument('jsonSerializer.decode needs a Uint8Array')
      let text: string
      try {
        text = decoder.decode(bytes)
      } catch (cause) {
        throw new CairnError(ErrorCode.Corrupt, 'bytes are not valid UTF-8', { cause })
      }
      try {
        return JSON.parse(text)
      } catch (cause) {
        throw new CairnError(ErrorCode.Corrupt, `bytes are not valid JSON: ${(cause as Error).message}`, {
          cause,
        })
      }
    },
  }
}

export const jsonSerializer: Serializer = createJsonSerializer()
