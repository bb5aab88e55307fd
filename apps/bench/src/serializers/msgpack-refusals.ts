/**
 * The refusal checks `msgpackSerializer.encode` makes, as a separate walk over the value, so that
 * msgpackr can be timed doing the same guaranteed work (issue 12 item 7: "an owned result and the
 * refusals"). Per plain object: `Object.keys`, `Object.getOwnPropertyNames` (non-enumerable
 * properties), `Object.getOwnPropertySymbols` (symbol keys); exact prototypes; holes; undefined,
 * functions, symbols; lone surrogates (`isWellFormed`; the encoder finds them while writing UTF-8);
 * BigInts outside 64 bits; invalid dates and properties on dates; Maps whose keys are all strings;
 * nesting deeper than 1000. It throws at the first value msgpackSerializer would refuse.
 */
import { types } from 'node:util'

const MAX_DEPTH = 1000

function refuse(why: string): never {
  throw new Error(`refused: ${why}`)
}

export function checkMsgpackRefusals(value: unknown, depth = 0): void {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return
    case 'string':
      if (!value.isWellFormed()) refuse('lone surrogate')
      return
    case 'bigint':
      if (value < -0x8000000000000000n || value > 0xffffffffffffffffn) refuse('BigInt beyond 64 bits')
      return
    case 'object':
      if (value !== null) checkObject(value, depth)
      return
    default:
      refuse(typeof value)
  }
}

function checkObject(value: object, depth: number): void {
  if (depth >= MAX_DEPTH) refuse('too deep')
  const proto = Object.getPrototypeOf(value)
  if (proto === Array.prototype && Array.isArray(value)) {
    const array = value as unknown[]
    for (let i = 0; i < array.length; i++) {
      const item = array[i]
      if (item === undefined && !(i in array)) refuse('hole')
      checkMsgpackRefusals(item, depth + 1)
    }
  } else if (proto === Object.prototype) {
    const keys = Object.keys(value)
    if (Object.getOwnPropertyNames(value).length !== keys.length) refuse('non-enumerable property')
    if (Object.getOwnPropertySymbols(value).length > 0) refuse('symbol key')
    for (const key of keys) {
      if (!key.isWellFormed()) refuse('lone surrogate in a key')
      checkMsgpackRefusals((value as Record<string, unknown>)[key], depth + 1)
    }
  } else if (proto === Uint8Array.prototype && types.isUint8Array(value)) {
    return
  } else if (proto === Date.prototype && types.isDate(value)) {
    if (Number.isNaN(value.getTime())) refuse('invalid Date')
    if (Object.keys(value).length > 0) refuse('properties on a Date')
  } else if (proto === Map.prototype && types.isMap(value)) {
    let plainKeyed = true
    for (const [key, item] of value as Map<unknown, unknown>) {
      if (typeof key !== 'string') plainKeyed = false
      checkMsgpackRefusals(key, depth + 1)
      checkMsgpackRefusals(item, depth + 1)
    }
    if (plainKeyed) refuse('a Map whose keys are all strings')
  } else refuse('not a plain msgpack kind')
}
