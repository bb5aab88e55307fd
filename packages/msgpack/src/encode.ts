import { types } from 'node:util'
import { kindName, Refusal, ScratchWriter, withStep, writeMapEntries } from '@cairn/core'
import { writeTimestamp } from './timestamp.js'

/** Hooks the sample codec plugs in; the plain serializer passes none. */
export interface EncodeHooks {
  /**
   * Called for plain objects whose keys are exactly `dtype`, `shape` and `data`. Returns a
   * replacement to encode instead, or undefined to go on as usual.
   */
  replace?(value: object): unknown
  /** Extra hint appended to refusals of typed arrays. */
  typedArrayHint?: string
}

const hasBuffer = typeof Buffer === 'function'
const textEncoder = new TextEncoder()

const FOR_RICHER = 'use @cairn/structured for JavaScript-only values'

/**
 * Writes plain msgpack: the smallest encoding for each integer and string length (what other
 * msgpack libraries write too), float64 for every non-integer number, -0, NaN and ±Infinity,
 * int64/uint64 for BigInt, bin for Uint8Array, the timestamp extension (-1) for Date.
 */
export class MsgpackEncoder extends ScratchWriter {
  private maxDepth = 0
  private replace: EncodeHooks['replace']
  private typedArrayHint: string | undefined
  /** Containers on the current path, to tell a cycle from plain depth when `maxDepth` is hit. */
  private readonly ancestors: (object | undefined)[] = []
  /** The last value a hook returned, so it is not handed back to the hook. */
  private replaced: unknown

  /**
   * Encodes `value`. The encoder is reused from call to call (its scratch buffer stays allocated),
   * so it must not be re-entered: a getter that encodes during `encode` needs another encoder.
   * Returns a plain Uint8Array with a buffer of its own.
   */
  encode(value: unknown, maxDepth: number, hooks?: EncodeHooks): Uint8Array {
    this.pos = 0
    this.maxDepth = maxDepth
    this.replace = hooks?.replace
    this.typedArrayHint = hooks?.typedArrayHint
    try {
      this.value(value, 0)
      return this.finish('a Uint8Array')
    } finally {
      // Keep nothing of the value alive until the next call.
      const ancestors = this.ancestors
      if (ancestors.length > 64) ancestors.length = 0
      else for (let i = 0; i < ancestors.length; i++) ancestors[i] = undefined
      this.replaced = undefined
      this.replace = undefined
      this.release()
    }
  }

  private value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.string(value)
        return
      case 'number':
        this.number(value)
        return
      case 'boolean':
        this.ensure(1)
        this.bytes[this.pos++] = value ? 0xc3 : 0xc2
        return
      case 'bigint':
        this.bigint(value)
        return
      case 'object':
        if (value === null) {
          this.ensure(1)
          this.bytes[this.pos++] = 0xc0
          return
        }
        this.object(value, depth)
        return
      case 'undefined':
        throw new Refusal(`undefined has no msgpack form (nil would come back as null); ${FOR_RICHER}`)
      case 'function':
        throw new Refusal('a function cannot be serialized')
      case 'symbol':
        throw new Refusal('a symbol cannot be serialized')
    }
  }

  private number(value: number): void {
    this.ensure(9)
    const bytes = this.bytes
    if (value === 0 && 1 / value < 0) {
      // -0 is an integer to JavaScript but not to msgpack's integer formats.
      bytes[this.pos++] = 0xcb
      this.view.setFloat64(this.pos, value)
      this.pos += 8
    } else if (value >>> 0 === value) {
      if (value < 0x80) bytes[this.pos++] = value
      else if (value < 0x100) {
        bytes[this.pos++] = 0xcc
        bytes[this.pos++] = value
      } else if (value < 0x10000) {
        bytes[this.pos++] = 0xcd
        bytes[this.pos++] = value >> 8
        bytes[this.pos++] = value & 0xff
      } else {
        bytes[this.pos++] = 0xce
        this.view.setUint32(this.pos, value)
        this.pos += 4
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) bytes[this.pos++] = value & 0xff
      else if (value >= -0x80) {
        bytes[this.pos++] = 0xd0
        bytes[this.pos++] = value & 0xff
      } else if (value >= -0x8000) {
        bytes[this.pos++] = 0xd1
        this.view.setInt16(this.pos, value)
        this.pos += 2
      } else {
        bytes[this.pos++] = 0xd2
        this.view.setInt32(this.pos, value)
        this.pos += 4
      }
    } else {
      // Larger integers too: int64 is kept for BigInt, so a number always comes back a number.
      bytes[this.pos++] = 0xcb
      this.view.setFloat64(this.pos, value)
      this.pos += 8
    }
  }

  private bigint(value: bigint): void {
    this.ensure(9)
    if (value < 0n) {
      if (value < -0x8000000000000000n) {
        throw new Refusal(`BigInt ${value} is below the int64 range msgpack can hold; ${FOR_RICHER}`)
      }
      this.bytes[this.pos++] = 0xd3
      this.view.setBigInt64(this.pos, value)
    } else {
      if (value > 0xffffffffffffffffn) {
        throw new Refusal(`BigInt ${value} is above the uint64 range msgpack can hold; ${FOR_RICHER}`)
      }
      this.bytes[this.pos++] = 0xcf
      this.view.setBigUint64(this.pos, value)
    }
    this.pos += 8
  }

  private string(value: string): void {
    const length = value.length
    // Header sized as if the string were ASCII, moved once the byte count is known if it was not.
    const headerSize = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5
    this.ensure(5 + length * 3)
    const start = this.pos + headerSize
    let written: number
    if (length < 64) written = this.utf8Short(value, start)
    else {
      if (!value.isWellFormed()) throw new Refusal(LONE_SURROGATE)
      written =
        this.text !== undefined
          ? this.text.write(value, start, 'utf8')
          : textEncoder.encodeInto(value, this.bytes.subarray(start)).written
    }
    const actualHeader = written < 0x20 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5
    if (actualHeader !== headerSize) this.bytes.copyWithin(this.pos + actualHeader, start, start + written)
    const bytes = this.bytes
    if (actualHeader === 1) bytes[this.pos] = 0xa0 | written
    else if (actualHeader === 2) {
      bytes[this.pos] = 0xd9
      bytes[this.pos + 1] = written
    } else if (actualHeader === 3) {
      bytes[this.pos] = 0xda
      this.view.setUint16(this.pos + 1, written)
    } else {
      bytes[this.pos] = 0xdb
      this.view.setUint32(this.pos + 1, written)
    }
    this.pos += actualHeader + written
  }

  /** UTF-8 of a short string at `at`; returns the byte count. Refuses lone surrogates. */
  private utf8Short(value: string, at: number): number {
    const bytes = this.bytes
    let p = at
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i)
      if (c < 0x80) bytes[p++] = c
      else if (c < 0x800) {
        bytes[p++] = 0xc0 | (c >> 6)
        bytes[p++] = 0x80 | (c & 0x3f)
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = value.charCodeAt(i + 1)
        if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) throw new Refusal(LONE_SURROGATE)
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        bytes[p++] = 0xf0 | (c >> 18)
        bytes[p++] = 0x80 | ((c >> 12) & 0x3f)
        bytes[p++] = 0x80 | ((c >> 6) & 0x3f)
        bytes[p++] = 0x80 | (c & 0x3f)
      } else {
        bytes[p++] = 0xe0 | (c >> 12)
        bytes[p++] = 0x80 | ((c >> 6) & 0x3f)
        bytes[p++] = 0x80 | (c & 0x3f)
      }
    }
    return p - at
  }

  private header(length: number, fix: number, fixLimit: number, code16: number, code32: number): void {
    this.ensure(5)
    if (length < fixLimit) this.bytes[this.pos++] = fix | length
    else if (length < 0x10000) {
      this.bytes[this.pos++] = code16
      this.view.setUint16(this.pos, length)
      this.pos += 2
    } else {
      this.bytes[this.pos++] = code32
      this.view.setUint32(this.pos, length)
      this.pos += 4
    }
  }

  private enter(value: object, depth: number): void {
    this.ancestors[depth] = value
    if (depth < this.maxDepth) return
    // Too deep: a cycle if some container repeats on the path; point at where it first does.
    const seen = new Set<object>()
    let repeatAt = -1
    for (let i = 0; i <= depth && repeatAt < 0; i++) {
      const ancestor = this.ancestors[i] as object
      if (seen.has(ancestor)) repeatAt = i
      seen.add(ancestor)
    }
    const refusal = new Refusal(
      repeatAt >= 0
        ? 'cycle: msgpack cannot represent an object that contains itself; use @cairn/structured'
        : `nesting deeper than ${this.maxDepth} levels of arrays and maps`,
    )
    if (repeatAt >= 0) refusal.keepSteps = repeatAt
    throw refusal
  }

  private object(value: object, depth: number): void {
    const proto = Object.getPrototypeOf(value)
    if (proto === Array.prototype && Array.isArray(value)) this.array(value as unknown[], depth)
    else if (proto === Object.prototype) this.plainObject(value, depth)
    else if (proto === Uint8Array.prototype && types.isUint8Array(value)) this.bin(value as Uint8Array)
    else if (proto === Date.prototype && types.isDate(value)) this.date(value as Date)
    else if (proto === Map.prototype && types.isMap(value)) this.map(value as Map<unknown, unknown>, depth)
    else throw new Refusal(this.whyNot(value, proto))
  }

  private whyNot(value: object, proto: unknown): string {
    if (proto === null) {
      return 'an object with a null prototype would come back with Object.prototype; copy it into {} first'
    }
    if (types.isSet(value)) return `Set has no plain msgpack form (an array would come back); ${FOR_RICHER}`
    if (hasBuffer && Buffer.isBuffer(value)) {
      return 'a Node Buffer would come back as a plain Uint8Array; pass new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)'
    }
    if (ArrayBuffer.isView(value) || types.isAnyArrayBuffer(value)) {
      return `${kindName(value)} has no plain msgpack form (only Uint8Array, as bin)${this.typedArrayHint ?? `; ${FOR_RICHER}`}`
    }
    return `${kindName(value)} has no plain msgpack form (it would come back as a plain object or not at all); ${FOR_RICHER}`
  }

  private array(array: unknown[], depth: number): void {
    this.enter(array, depth)
    const length = array.length
    this.header(length, 0x90, 0x10, 0xdc, 0xdd)
    let i = 0
    try {
      for (; i < length; i++) {
        const item = array[i]
        if (item === undefined && !(i in array)) throw new Refusal(`sparse array hole; ${FOR_RICHER}`)
        this.value(item, depth + 1)
      }
    } catch (error) {
      throw withStep(error, i)
    }
  }

  private plainObject(obj: object, depth: number): void {
    const keys = Object.keys(obj)
    const length = keys.length
    if (Object.getOwnPropertyNames(obj).length !== length) {
      const hidden = Object.getOwnPropertyNames(obj).find(
        (k) => !Object.prototype.propertyIsEnumerable.call(obj, k),
      )
      throw withStep(new Refusal('non-enumerable property would be dropped'), hidden ?? '?')
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) {
      throw new Refusal('symbol keys have no msgpack form')
    }
    if (length === 3 && this.replace && obj !== this.replaced && 'dtype' in obj && 'shape' in obj) {
      const replacement = this.replace(obj)
      if (replacement !== undefined) {
        // The replacement may have the same three keys: it is written as it is.
        this.replaced = replacement
        this.value(replacement, depth)
        return
      }
    }
    this.enter(obj, depth)
    this.header(length, 0x80, 0x10, 0xde, 0xdf)
    let key = ''
    try {
      for (let i = 0; i < length; i++) {
        key = keys[i] as string
        this.string(key)
        this.value((obj as Record<string, unknown>)[key], depth + 1)
      }
    } catch (error) {
      throw withStep(error, key)
    }
  }

  private map(map: Map<unknown, unknown>, depth: number): void {
    let plainKeyed = true
    for (const key of map.keys()) {
      if (typeof key !== 'string') {
        plainKeyed = false
        break
      }
    }
    if (plainKeyed) {
      throw new Refusal(
        `a Map whose keys are all strings (or that is empty) would come back as a plain object; use an object, or ${FOR_RICHER}`,
      )
    }
    this.enter(map, depth)
    this.header(map.size, 0x80, 0x10, 0xde, 0xdf)
    writeMapEntries(map, (item) => this.value(item, depth + 1))
  }

  private bin(bytes: Uint8Array): void {
    const length = bytes.byteLength
    this.ensure(5)
    if (length < 0x100) {
      this.bytes[this.pos++] = 0xc4
      this.bytes[this.pos++] = length
    } else if (length < 0x10000) {
      this.bytes[this.pos++] = 0xc5
      this.view.setUint16(this.pos, length)
      this.pos += 2
    } else {
      this.bytes[this.pos++] = 0xc6
      this.view.setUint32(this.pos, length)
      this.pos += 4
    }
    this.byteRun(bytes)
  }

  private date(date: Date): void {
    const time = date.getTime()
    if (Number.isNaN(time)) throw new Refusal(`an invalid Date has no msgpack timestamp form; ${FOR_RICHER}`)
    if (Object.keys(date).length > 0) throw new Refusal('properties on a Date would be dropped')
    this.ensure(15)
    this.pos = writeTimestamp(this.bytes, this.view, this.pos, time)
  }
}

const LONE_SURROGATE = 'string has a lone surrogate (not well-formed Unicode, so not valid UTF-8)'
