import { corrupt, undecodable } from './refusal.js'
import { readTimestamp } from './timestamp.js'

export interface DecodeHooks {
  /** Called for every decoded string-keyed map with exactly three keys; may return a replacement. */
  reviveTriple?(obj: Record<string, unknown>, offset: number): unknown
}

// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a leading U+FEFF is part of the string.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const fromCharCodes = String.fromCharCode as (...codes: number[]) => string

/** The string of `length` ASCII bytes at `start`, or undefined if one is not ASCII. */
function shortAscii(bytes: Uint8Array, start: number, length: number): string | undefined {
  const codes: number[] = new Array(length)
  for (let i = 0; i < length; i++) {
    const byte = bytes[start + i] as number
    if (byte >= 0x80) return undefined
    codes[i] = byte
  }
  return fromCharCodes.apply(null, codes)
}

const KEY_CACHE_MAX_LENGTH = 24
const KEY_CACHE_MASK = 0xfff
/** Recently read short keys by a hash of their bytes (bounded: 4096 entries of at most 24 bytes). */
const keyCache: ({ bytes: Uint8Array; text: string } | undefined)[] = new Array(KEY_CACHE_MASK + 1)

/**
 * Reads one msgpack value from untrusted bytes. Every length is checked against the bytes left
 * before anything is allocated, nesting is limited to `maxDepth`, `__proto__` keys become own data
 * properties, duplicate keys and trailing bytes are errors, strings must be valid UTF-8.
 */
export class MsgpackDecoder {
  private pos = 0
  private readonly end: number
  private readonly view: DataView
  /** Keys of the maps being read, in wire order (an object reorders integer-like keys). */
  private readonly keyStack: string[] = []

  private readonly bytes: Uint8Array

  constructor(
    input: Uint8Array,
    private readonly maxDepth: number,
    private readonly hooks: DecodeHooks = {},
  ) {
    // A plain view, so slices of a Buffer input come out as plain Uint8Arrays.
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    this.bytes = bytes
    this.end = bytes.byteLength
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  decode(): unknown {
    const value = this.read(0)
    if (this.pos !== this.end) throw corrupt(`${this.end - this.pos} bytes after the value`, this.pos)
    return value
  }

  private need(count: number): void {
    if (this.end - this.pos < count) {
      throw corrupt(`truncated: needs ${count} more bytes, ${this.end - this.pos} left`, this.pos)
    }
  }

  private read(depth: number): unknown {
    if (this.pos >= this.end) throw corrupt('truncated: a value is missing', this.pos)
    const token = this.bytes[this.pos++] as number
    if (token < 0x80) return token
    if (token < 0x90) return this.map(token & 0x0f, depth)
    if (token < 0xa0) return this.array(token & 0x0f, depth)
    if (token < 0xc0) return this.string(token & 0x1f)
    if (token >= 0xe0) return token - 0x100
    const view = this.view
    let value: number
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
        value = view.getFloat32(this.pos)
        this.pos += 4
        return value
      case 0xcb:
        this.need(8)
        value = view.getFloat64(this.pos)
        this.pos += 8
        return value
      case 0xcc:
        return this.uint(1)
      case 0xcd:
        return this.uint(2)
      case 0xce:
        return this.uint(4)
      case 0xcf: {
        this.need(8)
        const big = view.getBigUint64(this.pos)
        this.pos += 8
        return big
      }
      case 0xd0:
        this.need(1)
        return view.getInt8(this.pos++)
      case 0xd1:
        this.need(2)
        value = view.getInt16(this.pos)
        this.pos += 2
        return value
      case 0xd2:
        this.need(4)
        value = view.getInt32(this.pos)
        this.pos += 4
        return value
      case 0xd3: {
        this.need(8)
        const big = view.getBigInt64(this.pos)
        this.pos += 8
        return big
      }
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

  private uint(size: 1 | 2 | 4): number {
    this.need(size)
    const pos = this.pos
    this.pos += size
    if (size === 1) return this.bytes[pos] as number
    return size === 2 ? this.view.getUint16(pos) : this.view.getUint32(pos)
  }

  private string(length: number): string {
    this.need(length)
    const start = this.pos
    this.pos = start + length
    if (length < 24) {
      const ascii = shortAscii(this.bytes, start, length)
      if (ascii !== undefined) return ascii
    }
    try {
      return utf8.decode(this.bytes.subarray(start, start + length))
    } catch {
      throw corrupt('string is not valid UTF-8', start)
    }
  }

  /** A map key: short ASCII keys come from a cache, since the same keys repeat in every record. */
  private key(length: number): string {
    if (length > KEY_CACHE_MAX_LENGTH) return this.string(length)
    this.need(length)
    const bytes = this.bytes
    const start = this.pos
    let hash = length
    for (let i = start; i < start + length; i++) {
      const byte = bytes[i] as number
      if (byte >= 0x80) return this.string(length)
      hash = (hash * 31 + byte) & KEY_CACHE_MASK
    }
    this.pos = start + length
    const entry = keyCache[hash]
    if (entry !== undefined && entry.bytes.length === length) {
      const cached = entry.bytes
      let same = true
      for (let i = 0; i < length; i++) {
        if (cached[i] !== bytes[start + i]) {
          same = false
          break
        }
      }
      if (same) return entry.text
    }
    const text = shortAscii(bytes, start, length) as string
    keyCache[hash] = { bytes: bytes.slice(start, start + length), text }
    return text
  }

  private bin(length: number): Uint8Array {
    this.need(length)
    const start = this.pos
    this.pos += length
    return this.bytes.slice(start, start + length)
  }

  private ext(length: number): unknown {
    this.need(1 + length)
    const start = this.pos - 1
    const type = this.view.getInt8(this.pos)
    const dataAt = this.pos + 1
    this.pos = dataAt + length
    if (type !== -1) throw undecodable(`msgpack extension type ${type} is not supported`, start)
    const result = readTimestamp(this.view, dataAt, length)
    if (!result.ok) throw result.corrupt ? corrupt(result.reason, start) : undecodable(result.reason, start)
    return new Date(result.time)
  }

  private array(length: number, depth: number): unknown[] {
    if (depth >= this.maxDepth) throw undecodable(`nesting deeper than ${this.maxDepth} levels`, this.pos)
    // Every element takes at least one byte.
    this.need(length)
    const array: unknown[] = new Array(length)
    for (let i = 0; i < length; i++) array[i] = this.read(depth + 1)
    return array
  }

  private map(size: number, depth: number): unknown {
    if (depth >= this.maxDepth) throw undecodable(`nesting deeper than ${this.maxDepth} levels`, this.pos)
    const start = this.pos
    // Every key and every value takes at least one byte.
    this.need(size * 2)
    const bytes = this.bytes
    const keyStack = this.keyStack
    const base = keyStack.length
    const obj: Record<string, unknown> = {}
    let i = 0
    try {
      for (; i < size; i++) {
        const token = bytes[this.pos] as number
        let key: string
        if (token >= 0xa0 && token < 0xc0) {
          this.pos++
          key = this.key(token & 0x1f)
        } else if (token >= 0xd9 && token <= 0xdb) key = this.read(depth + 1) as string
        else break
        const keyAt = this.pos
        const value = this.read(depth + 1)
        if (Object.hasOwn(obj, key)) throw corrupt(`duplicate map key ${JSON.stringify(key)}`, keyAt)
        if (key === '__proto__') {
          Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
        } else obj[key] = value
        keyStack.push(key)
      }
      if (i === size) {
        if (size === 3 && this.hooks.reviveTriple) {
          const replaced = this.hooks.reviveTriple(obj, start)
          if (replaced !== undefined) return replaced
        }
        return obj
      }
      // A key that is not a string: the whole map is a Map, in wire order.
      const map = new Map<unknown, unknown>()
      for (let k = base; k < keyStack.length; k++) {
        const key = keyStack[k] as string
        map.set(key, obj[key])
      }
      for (; i < size; i++) {
        const keyAt = this.pos
        const key = this.read(depth + 1)
        if (Object.is(key, -0)) throw undecodable('map key -0 would become 0 in a Map', keyAt)
        const value = this.read(depth + 1)
        if (map.has(key)) throw corrupt('duplicate map key', keyAt)
        map.set(key, value)
      }
      return map
    } finally {
      keyStack.length = base
    }
  }
}
