import { corruptAt as corrupt, ownedCopy, undecodableAt as undecodable } from '@cairn/core'
import { readTimestamp } from './timestamp.js'

export interface DecodeHooks {
  /** Called for every decoded string-keyed map with exactly three keys; may return a replacement. */
  reviveTriple?(obj: Record<string, unknown>, offset: number): unknown
}

// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a leading U+FEFF is part of the string.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const fromCharCode = String.fromCharCode
const fromCharCodes = String.fromCharCode as (...codes: number[]) => string
const EMPTY = new Uint8Array(0)

// Floats and 64-bit integers are read through one 8-byte scratch buffer: a DataView over each input
// would cost more to create (about 90 ns) than a whole small record takes to decode.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const scratch = new ArrayBuffer(8)
const scratchBytes = new Uint8Array(scratch)
const scratchFloat64 = new Float64Array(scratch)
const scratchFloat32 = new Float32Array(scratch)
const scratchUint64 = new BigUint64Array(scratch)
const scratchInt64 = new BigInt64Array(scratch)

/** Copies `width` big-endian bytes at `pos` into the scratch buffer in the machine's order. */
function loadScratch(bytes: Uint8Array, pos: number, width: number): void {
  if (LITTLE_ENDIAN) for (let i = 0; i < width; i++) scratchBytes[i] = bytes[pos + width - 1 - i]!
  else for (let i = 0; i < width; i++) scratchBytes[i] = bytes[pos + i]!
}

/**
 * The big-endian float64 at `p`. On little-endian machines the eight byte copies are written out:
 * floats are common in records, and the loop measured 4% slower on them.
 */
function readFloat64(b: Uint8Array, p: number): number {
  if (!LITTLE_ENDIAN) {
    loadScratch(b, p, 8)
    return scratchFloat64[0]!
  }
  const s = scratchBytes
  s[0] = b[p + 7]!
  s[1] = b[p + 6]!
  s[2] = b[p + 5]!
  s[3] = b[p + 4]!
  s[4] = b[p + 3]!
  s[5] = b[p + 2]!
  s[6] = b[p + 1]!
  s[7] = b[p]!
  return scratchFloat64[0]!
}

/**
 * The string of `length` (at most 16) ASCII bytes at `p`, or undefined if one is not ASCII.
 * `String.fromCharCode` with one argument per byte builds the string directly: several times
 * faster than collecting the codes into an array for `apply`.
 */
function shortAscii(b: Uint8Array, p: number, length: number): string | undefined {
  switch (length) {
    case 0:
      return ''
    case 1: {
      const c0 = b[p]!
      return c0 < 0x80 ? fromCharCode(c0) : undefined
    }
    case 2: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      return (c0 | c1) < 0x80 ? fromCharCode(c0, c1) : undefined
    }
    case 3: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      return (c0 | c1 | c2) < 0x80 ? fromCharCode(c0, c1, c2) : undefined
    }
    case 4: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      return (c0 | c1 | c2 | c3) < 0x80 ? fromCharCode(c0, c1, c2, c3) : undefined
    }
    case 5: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      return (c0 | c1 | c2 | c3 | c4) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4) : undefined
    }
    case 6: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      return (c0 | c1 | c2 | c3 | c4 | c5) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4, c5) : undefined
    }
    case 7: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4, c5, c6) : undefined
    }
    case 8: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7)
        : undefined
    }
    case 9: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8)
        : undefined
    }
    case 10: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9)
        : undefined
    }
    case 11: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
        : undefined
    }
    case 12: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      const c11 = b[p + 11]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11)
        : undefined
    }
    case 13: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      const c11 = b[p + 11]!
      const c12 = b[p + 12]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)
        : undefined
    }
    case 14: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      const c11 = b[p + 11]!
      const c12 = b[p + 12]!
      const c13 = b[p + 13]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13)
        : undefined
    }
    case 15: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      const c11 = b[p + 11]!
      const c12 = b[p + 12]!
      const c13 = b[p + 13]!
      const c14 = b[p + 14]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14)
        : undefined
    }
    case 16: {
      const c0 = b[p]!
      const c1 = b[p + 1]!
      const c2 = b[p + 2]!
      const c3 = b[p + 3]!
      const c4 = b[p + 4]!
      const c5 = b[p + 5]!
      const c6 = b[p + 6]!
      const c7 = b[p + 7]!
      const c8 = b[p + 8]!
      const c9 = b[p + 9]!
      const c10 = b[p + 10]!
      const c11 = b[p + 11]!
      const c12 = b[p + 12]!
      const c13 = b[p + 13]!
      const c14 = b[p + 14]!
      const c15 = b[p + 15]!
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15) < 0x80
        ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15)
        : undefined
    }
  }
  return undefined
}

/** The string of `length` ASCII bytes at `p`, or undefined if one is not ASCII. */
function longAscii(b: Uint8Array, p: number, length: number): string | undefined {
  const codes: number[] = new Array(length)
  for (let i = 0; i < length; i++) {
    const byte = b[p + i]!
    if (byte >= 0x80) return undefined
    codes[i] = byte
  }
  return fromCharCodes.apply(null, codes)
}

/** Maps of up to this many keys have their key order remembered (see `MsgpackDecoder.shapes`). */
const SHAPE_MAX_KEYS = 16
/** Arrays shorter than this start empty and grow (see `array`); longer ones are preallocated. */
const PUSH_ARRAYS_BELOW = 16
const KEY_CACHE_MAX_LENGTH = 24
const KEY_CACHE_MASK = 0xfff
/**
 * Recently read short ASCII keys by a hash of their bytes (bounded: 4096 strings of at most 24
 * characters). An ASCII string's char codes are its bytes, so the string itself is what is compared.
 */
const keyCache: (string | undefined)[] = new Array(KEY_CACHE_MASK + 1)

/**
 * Reads one msgpack value from untrusted bytes. Every length is checked against the bytes left
 * before anything is allocated, nesting is limited to `maxDepth`, `__proto__` keys become own data
 * properties, duplicate keys and trailing bytes are errors, strings must be valid UTF-8.
 *
 * A decoder is reused from call to call (no user code runs while it decodes, so it is never
 * re-entered); it keeps no reference to the input or the value after `decode` returns.
 */
export class MsgpackDecoder {
  private bytes: Uint8Array = EMPTY
  private pos = 0
  private end = 0
  private maxDepth = 0
  private reviveTriple: DecodeHooks['reviveTriple']
  /**
   * For each map size up to `SHAPE_MAX_KEYS`, the keys (in wire order, all distinct) of the last
   * string-keyed map of that size: records repeat their keys, so most maps need no lookup per key to
   * rule out duplicates. Never changed once stored (a nested map replaces the entry, not the array).
   */
  private readonly shapes: (string[] | undefined)[] = []

  decode(input: Uint8Array, maxDepth: number, hooks?: DecodeHooks): unknown {
    // A plain Uint8Array, so bin copied out of a Buffer input (whose `slice` is a view) is a copy.
    this.bytes =
      Object.getPrototypeOf(input) === Uint8Array.prototype
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    this.pos = 0
    this.end = input.byteLength
    this.maxDepth = maxDepth
    this.reviveTriple = hooks?.reviveTriple
    try {
      const value = this.read(0)
      if (this.pos !== this.end) throw corrupt(`${this.end - this.pos} bytes after the value`, this.pos)
      return value
    } finally {
      this.bytes = EMPTY
      this.reviveTriple = undefined
    }
  }

  private need(count: number): void {
    if (this.end - this.pos < count) {
      throw corrupt(`truncated: needs ${count} more bytes, ${this.end - this.pos} left`, this.pos)
    }
  }

  private read(depth: number): unknown {
    if (this.pos >= this.end) throw corrupt('truncated: a value is missing', this.pos)
    const token = this.bytes[this.pos++]!
    if (token < 0x80) return token
    if (token < 0x90) return this.map(token & 0x0f, depth)
    if (token < 0xa0) return this.array(token & 0x0f, depth)
    if (token < 0xc0) return this.string(token & 0x1f)
    if (token >= 0xe0) return token - 0x100
    switch (token) {
      case 0xc0:
        return null
      case 0xc2:
        return false
      case 0xc3:
        return true
      case 0xc4:
        return this.bin(this.uint(1))
      case 0xc5:
        return this.bin(this.uint(2))
      case 0xc6:
        return this.bin(this.uint(4))
      case 0xc7:
        return this.ext(this.uint(1))
      case 0xc8:
        return this.ext(this.uint(2))
      case 0xc9:
        return this.ext(this.uint(4))
      case 0xca:
        this.need(4)
        loadScratch(this.bytes, this.pos, 4)
        this.pos += 4
        return scratchFloat32[0]
      case 0xcb:
        this.need(8)
        this.pos += 8
        return readFloat64(this.bytes, this.pos - 8)
      case 0xcc:
        return this.uint(1)
      case 0xcd:
        return this.uint(2)
      case 0xce:
        return this.uint(4)
      case 0xcf:
        this.need(8)
        loadScratch(this.bytes, this.pos, 8)
        this.pos += 8
        return scratchUint64[0]
      case 0xd0:
        return (this.uint(1) << 24) >> 24
      case 0xd1:
        return (this.uint(2) << 16) >> 16
      case 0xd2:
        return this.uint(4) | 0
      case 0xd3:
        this.need(8)
        loadScratch(this.bytes, this.pos, 8)
        this.pos += 8
        return scratchInt64[0]
      case 0xd4:
        return this.ext(1)
      case 0xd5:
        return this.ext(2)
      case 0xd6:
        return this.ext(4)
      case 0xd7:
        return this.ext(8)
      case 0xd8:
        return this.ext(16)
      case 0xd9:
        return this.string(this.uint(1))
      case 0xda:
        return this.string(this.uint(2))
      case 0xdb:
        return this.string(this.uint(4))
      case 0xdc:
        return this.array(this.uint(2), depth)
      case 0xdd:
        return this.array(this.uint(4), depth)
      case 0xde:
        return this.map(this.uint(2), depth)
      case 0xdf:
        return this.map(this.uint(4), depth)
      default:
        throw corrupt('0xc1 is never used in msgpack', this.pos - 1)
    }
  }

  /** A big-endian unsigned integer of `size` bytes. */
  private uint(size: 1 | 2 | 4): number {
    this.need(size)
    const b = this.bytes
    const p = this.pos
    this.pos = p + size
    if (size === 1) return b[p]!
    if (size === 2) return (b[p]! << 8) | b[p + 1]!
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!)
  }

  private string(length: number): string {
    this.need(length)
    const start = this.pos
    this.pos = start + length
    if (length <= 16) {
      const ascii = shortAscii(this.bytes, start, length)
      if (ascii !== undefined) return ascii
    }
    try {
      return utf8.decode(this.bytes.subarray(start, start + length))
    } catch {
      throw corrupt('string is not valid UTF-8', start)
    }
  }

  /**
   * A map key: short ASCII keys come from a cache, since the same keys repeat in every record. Only
   * ASCII strings are cached, so a cached string whose char codes equal the bytes is the right one.
   */
  private key(length: number): string {
    if (length > KEY_CACHE_MAX_LENGTH || length === 0) return this.string(length)
    this.need(length)
    const bytes = this.bytes
    const start = this.pos
    const last = start + length - 1
    const hash =
      (length ^ (bytes[start]! << 5) ^ (bytes[last]! << 2) ^ (bytes[start + (length >> 1)]! << 4)) &
      KEY_CACHE_MASK
    const cached = keyCache[hash]
    if (cached !== undefined && cached.length === length) {
      let i = 0
      while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++
      if (i === length) {
        this.pos = start + length
        return cached
      }
    }
    const text = length <= 16 ? shortAscii(bytes, start, length) : longAscii(bytes, start, length)
    if (text === undefined) return this.string(length)
    this.pos = start + length
    keyCache[hash] = text
    return text
  }

  private bin(length: number): Uint8Array {
    this.need(length)
    const start = this.pos
    this.pos += length
    return ownedCopy(this.bytes, start, start + length)
  }

  private ext(length: number): unknown {
    this.need(1 + length)
    const start = this.pos - 1
    const type = (this.bytes[this.pos]! << 24) >> 24
    const dataAt = this.pos + 1
    this.pos = dataAt + length
    // Valid msgpack that this serializer never writes is refused as bytes that are not its encoding:
    // CAIRN_CORRUPT, like any malformed input (README, "Decoding untrusted bytes").
    if (type !== -1) {
      throw corrupt(
        `msgpack extension type ${type} is never written by this serializer (only -1, timestamps)`,
        start,
      )
    }
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
    const result = readTimestamp(view, dataAt, length)
    if (!result.ok) throw corrupt(result.reason, start)
    return new Date(result.time)
  }

  private array(length: number, depth: number): unknown[] {
    if (depth >= this.maxDepth) throw undecodable(`nesting deeper than ${this.maxDepth} levels`, this.pos)
    // Every element takes at least one byte.
    this.need(length)
    // A short array starts empty and grows as each element is stored at its end, so it stays packed.
    // Preallocated with `new Array(n)` it starts holey and changes elements kind as numbers, doubles
    // and strings land in it: 1.27x slower on records holding two short arrays (measured, A/B).
    const array: unknown[] = length < PUSH_ARRAYS_BELOW ? [] : new Array(length)
    for (let i = 0; i < length; i++) array[i] = this.read(depth + 1)
    return array
  }

  private map(size: number, depth: number): unknown {
    if (depth >= this.maxDepth) throw undecodable(`nesting deeper than ${this.maxDepth} levels`, this.pos)
    const start = this.pos
    // Every key and every value takes at least one byte.
    this.need(size * 2)
    const bytes = this.bytes
    const obj: Record<string, unknown> = {}
    // Duplicate keys: while the keys match, in order, those of the last map of this size whose keys
    // were all distinct, none can repeat; from the first that does not, each is looked up in `obj`.
    const shape = size <= SHAPE_MAX_KEYS ? this.shapes[size] : undefined
    let sameShape = shape !== undefined
    // This map's keys in wire order, collected once it leaves the known shape, to become the new one;
    // only short keys are kept after the call (like the key cache), so a map with a long one is not.
    let keys: string[] | undefined
    let keepKeys = size <= SHAPE_MAX_KEYS
    let i = 0
    for (; i < size; i++) {
      const token = bytes[this.pos]!
      let key: string
      if (token >= 0xa0 && token < 0xc0) {
        this.pos++
        key = this.key(token & 0x1f)
      } else if (token >= 0xd9 && token <= 0xdb) key = this.read(depth + 1) as string
      else break
      if (sameShape && key !== (shape as string[])[i]) {
        sameShape = false
        keys = (shape as string[]).slice(0, i)
      }
      const keyAt = this.pos
      const value = this.read(depth + 1)
      if (!sameShape) {
        if (Object.hasOwn(obj, key)) throw corrupt(`duplicate map key ${JSON.stringify(key)}`, keyAt)
        if (keepKeys) {
          if (key.length > KEY_CACHE_MAX_LENGTH) keepKeys = false
          else {
            keys ??= []
            keys.push(key)
          }
        }
      }
      if (key === '__proto__') {
        Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
      } else obj[key] = value
    }
    if (i === size) {
      if (keys !== undefined && keepKeys) this.shapes[size] = keys
      if (size === 3 && this.reviveTriple !== undefined) {
        const replaced = this.reviveTriple(obj, start)
        if (replaced !== undefined) return replaced
      }
      return obj
    }
    // A key that is not a string: the whole map is a Map, in wire order. The object orders
    // integer-like keys first, so the string keys read so far are read again from the bytes.
    const resume = this.pos
    this.pos = start
    const map = new Map<unknown, unknown>()
    for (let k = 0; k < i; k++) {
      const token = bytes[this.pos]!
      let key: string
      if (token >= 0xa0 && token < 0xc0) {
        this.pos++
        key = this.key(token & 0x1f)
      } else key = this.read(depth + 1) as string
      this.skipValue()
      map.set(key, obj[key])
    }
    this.pos = resume
    for (; i < size; i++) {
      const keyAt = this.pos
      const key = this.read(depth + 1)
      if (Object.is(key, -0)) throw corrupt('map key -0 (never written: a Map turns it into 0)', keyAt)
      const value = this.read(depth + 1)
      if (map.has(key)) throw corrupt('duplicate map key', keyAt)
      map.set(key, value)
    }
    return map
  }

  /** Moves past one value that was already read (so it is known to be valid), building nothing. */
  private skipValue(): void {
    const b = this.bytes
    let values = 1
    while (values > 0) {
      values--
      const token = b[this.pos++]!
      if (token < 0x80 || token >= 0xe0) continue
      if (token < 0x90) values += (token & 0x0f) * 2
      else if (token < 0xa0) values += token & 0x0f
      else if (token < 0xc0) this.pos += token & 0x1f
      else if (token >= 0xc4 && token <= 0xc9) {
        // bin 8/16/32, ext 8/16/32: a length (which `uint` steps over), then the data (and an ext type).
        const length = this.uint(SIZE_WIDTH[(token - 0xc4) % 3] as 1 | 2 | 4)
        this.pos += token >= 0xc7 ? length + 1 : length
      } else if (token >= 0xd9 && token <= 0xdb) {
        const length = this.uint(SIZE_WIDTH[token - 0xd9] as 1 | 2 | 4)
        this.pos += length
      } else if (token === 0xdc || token === 0xdd) values += this.uint(token === 0xdc ? 2 : 4)
      else if (token === 0xde || token === 0xdf) values += this.uint(token === 0xde ? 2 : 4) * 2
      else this.pos += FIXED_SIZE[token - 0xc0]!
    }
  }
}

/** Width of the length of the 8-, 16- and 32-bit variants of a format. */
const SIZE_WIDTH: readonly number[] = [1, 2, 4]

/** Bytes after the token for the fixed-size formats 0xc0..0xdf (nil, bool, numbers, fixext). */
const FIXED_SIZE: readonly number[] = [
  // c0 nil, c1, c2 false, c3 true, c4-c9 (handled above), ca float32, cb float64
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 8,
  // cc-cf uint8..uint64, d0-d3 int8..int64
  1, 2, 4, 8, 1, 2, 4, 8,
  // d4-d8 fixext 1, 2, 4, 8, 16 (type byte + data)
  2, 3, 5, 9, 17,
]
