import { types } from 'node:util'
import { corruptAt as corrupt, ownedCopy, undecodableAt as undecodable } from '@cairn/core'
import {
  AGGREGATE_ERROR_KIND,
  BoxedKind,
  ClassMode,
  DATA_VIEW_KIND,
  ERROR_CLASSES,
  ERROR_FIELD_NAMES,
  FORMAT_VERSION,
  MAGIC,
  Tag,
  VIEW_CLASSES,
} from './format.js'
import type { ClassRegistry, RegisteredClass } from './registry.js'

const hasBuffer = typeof Buffer === 'function'
/** Marks an object number handed out whose object is not built yet (a view, a revived instance). */
const PENDING: unique symbol = Symbol('pending')
const MAX_DATE = 8.64e15
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const fromCharCodes = String.fromCharCode as (...codes: number[]) => string

/**
 * Reads one value in the structured format from untrusted bytes. Every count and length is checked
 * against the bytes left before anything is allocated; nesting is limited to `maxDepth`; back-references
 * must point at an object already built; keys are defined, never assigned through setters; classes are
 * found only among the registered ones.
 */
export class StructuredDecoder {
  private readonly bytes: Uint8Array
  /** The same bytes as a Buffer (where there is one), for its string methods. */
  private readonly text: Buffer | undefined
  private readonly view: DataView
  private readonly end: number
  private pos = 0
  private readonly objects: unknown[] = []
  private readonly keys: string[] = []

  constructor(
    input: Uint8Array,
    private readonly registry: ClassRegistry | undefined,
    private readonly maxDepth: number,
  ) {
    // A plain view, so slices of a Buffer input come out as plain Uint8Arrays.
    this.bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    this.text = hasBuffer ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : undefined
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength)
    this.end = input.byteLength
  }

  decode(): unknown {
    if (this.end < MAGIC.length + 1 || MAGIC.some((byte, i) => this.bytes[i] !== byte)) {
      throw corrupt('not a structured encoding: the header is missing')
    }
    const version = this.bytes[MAGIC.length] as number
    if (version !== FORMAT_VERSION) {
      throw undecodable(
        `structured format version ${version} is not supported (this decoder reads ${FORMAT_VERSION})`,
      )
    }
    this.pos = MAGIC.length + 1
    const value = this.value(0)
    if (this.pos !== this.end) throw corrupt(`${this.end - this.pos} bytes after the value`, this.pos)
    return value
  }

  private need(count: number): void {
    if (this.end - this.pos < count) {
      throw corrupt(`truncated: needs ${count} more bytes, ${this.end - this.pos} left`, this.pos)
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw corrupt('truncated: a byte is missing', this.pos)
    return this.bytes[this.pos++] as number
  }

  /** Unsigned LEB128, at most 8 bytes, at most 2^53 - 1, no redundant high zero byte. */
  private varint(): number {
    const first = this.byte()
    if (first < 0x80) return first
    let result = first & 0x7f
    let scale = 128
    for (let i = 1; i < 8; i++) {
      const byte = this.byte()
      result += (byte & 0x7f) * scale
      if (byte < 0x80) {
        if (byte === 0) throw corrupt('varint has a redundant zero byte', this.pos - 1)
        if (result > Number.MAX_SAFE_INTEGER) throw corrupt('varint above 2^53 - 1', this.pos - 1)
        return result
      }
      scale *= 128
    }
    throw corrupt('varint longer than 8 bytes', this.pos)
  }

  private enter(depth: number): void {
    if (depth >= this.maxDepth) throw undecodable(`nesting deeper than ${this.maxDepth} levels`, this.pos - 1)
  }

  private value(depth: number): unknown {
    const tag = this.byte()
    if (tag >= Tag.SmallInt) return tag & 0x7f
    switch (tag) {
      case Tag.Undefined:
        return undefined
      case Tag.Null:
        return null
      case Tag.False:
        return false
      case Tag.True:
        return true
      case Tag.Int:
        return this.varint()
      case Tag.NegInt: {
        const n = this.varint()
        if (n === 0) throw corrupt('negative integer zero', this.pos - 1)
        return -n
      }
      case Tag.Float64:
        return this.float64()
      case Tag.String:
        return this.string()
      case Tag.BigInt:
        return this.bigint(false)
      case Tag.NegBigInt:
        return this.bigint(true)
      case Tag.Ref:
        return this.ref()
      case Tag.Array:
        return this.array(depth)
      case Tag.Object:
        return this.object(depth, {})
      case Tag.NullProtoObject:
        return this.object(depth, Object.create(null) as object)
      case Tag.Map:
        return this.map(depth)
      case Tag.Set:
        return this.set(depth)
      case Tag.Date:
        return this.date()
      case Tag.RegExp:
        return this.regexp()
      case Tag.ArrayBuffer: {
        const buffer = this.rawBytes().buffer
        this.objects.push(buffer)
        return buffer
      }
      case Tag.View:
        return this.arrayView(depth)
      case Tag.Error:
        return this.error(depth)
      case Tag.Class:
        return this.instance(depth)
      case Tag.Boxed:
        return this.boxed()
      case Tag.NodeBuffer: {
        if (!hasBuffer) throw undecodable('a Node.js Buffer needs Node.js to decode', this.pos - 1)
        const buffer = Buffer.from(this.rawBytes().buffer)
        this.objects.push(buffer)
        return buffer
      }
      case Tag.Holes:
        throw corrupt('a run of holes outside an array', this.pos - 1)
      default:
        throw corrupt(`unknown tag 0x${tag.toString(16)}`, this.pos - 1)
    }
  }

  private float64(): number {
    this.need(8)
    const value = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return value
  }

  private rawBytes(): Uint8Array {
    const length = this.varint()
    this.need(length)
    const start = this.pos
    this.pos += length
    return ownedCopy(this.bytes, start, start + length)
  }

  private string(): string {
    const header = this.varint()
    const length = Math.floor(header / 2)
    const start = this.pos
    const text = this.text
    if (header % 2 === 0) {
      this.need(length)
      this.pos += length
      return length < 24 || text === undefined
        ? latin1(this.bytes, start, length)
        : text.toString('latin1', start, start + length)
    }
    this.need(length * 2)
    this.pos += length * 2
    if (text !== undefined) return text.toString('utf16le', start, start + length * 2)
    let out = ''
    for (let i = 0; i < length; i++) out += String.fromCharCode(this.view.getUint16(start + i * 2, true))
    return out
  }

  private key(): string {
    const ref = this.varint()
    if (ref === 0) {
      const key = this.string()
      this.keys.push(key)
      return key
    }
    const key = this.keys[ref - 1]
    if (key === undefined) throw corrupt(`key ${ref - 1} is not defined yet`, this.pos - 1)
    return key
  }

  private bigint(negative: boolean): bigint {
    const length = this.varint()
    this.need(length)
    const bytes = this.bytes
    const start = this.pos
    this.pos += length
    if (length === 0) {
      if (negative) throw corrupt('negative BigInt zero', start)
      return 0n
    }
    if (bytes[start + length - 1] === 0) throw corrupt('BigInt with a redundant zero byte', start)
    let magnitude: bigint
    if (length <= 6) {
      let n = 0
      for (let i = length - 1; i >= 0; i--) n = n * 256 + (bytes[start + i] as number)
      magnitude = BigInt(n)
    } else {
      const hex: string[] = new Array(length)
      for (let i = 0; i < length; i++) hex[i] = HEX[bytes[start + length - 1 - i] as number] as string
      magnitude = BigInt(`0x${hex.join('')}`)
    }
    return negative ? -magnitude : magnitude
  }

  private ref(): unknown {
    const at = this.pos - 1
    const id = this.varint()
    if (id >= this.objects.length)
      throw corrupt(`back-reference to object ${id}, which does not exist yet`, at)
    const target = this.objects[id]
    if (target === PENDING) throw corrupt(`back-reference to object ${id}, which is not built yet`, at)
    return target
  }

  private array(depth: number): unknown[] {
    this.enter(depth)
    const length = this.varint()
    if (length > 0xffffffff) throw corrupt(`array length ${length} is beyond 2^32 - 1`, this.pos)
    // Holes cost no bytes per element, so a long array is only allocated when it could be dense.
    let array: unknown[]
    if (length <= this.end - this.pos) array = new Array(length)
    else {
      array = []
      array.length = length
    }
    this.objects.push(array)
    const bytes = this.bytes
    let i = 0
    while (i < length) {
      if (this.pos < this.end && bytes[this.pos] === Tag.Holes) {
        this.pos++
        const at = this.pos
        const run = this.varint()
        if (run === 0 || run > length - i) throw corrupt('a run of holes past the end of the array', at)
        i += run
      } else array[i++] = this.value(depth + 1)
    }
    return array
  }

  /** A plain or null-prototype object: numbered, then filled. */
  private object(depth: number, target: object): object {
    this.enter(depth)
    this.objects.push(target)
    this.properties(depth, target, true)
    return target
  }

  /**
   * Reads count × (key, value) into `target`. Assignment is safe on a fresh plain object except for
   * `__proto__` (a setter there); an instance's prototype may have any setter, so there every
   * property is defined.
   */
  private properties(depth: number, target: object, assign: boolean): void {
    const count = this.varint()
    this.need(count * 2)
    for (let i = 0; i < count; i++) {
      const at = this.pos
      const key = this.key()
      const value = this.value(depth + 1)
      if (Object.hasOwn(target, key)) throw corrupt(`duplicate key ${JSON.stringify(key)}`, at)
      if (assign && key !== '__proto__') (target as Record<string, unknown>)[key] = value
      else defineData(target, key, value, true)
    }
  }

  private map(depth: number): Map<unknown, unknown> {
    this.enter(depth)
    const size = this.varint()
    this.need(size * 2)
    const map = new Map<unknown, unknown>()
    this.objects.push(map)
    for (let i = 0; i < size; i++) {
      const at = this.pos
      const key = this.value(depth + 1)
      const value = this.value(depth + 1)
      if (Object.is(key, -0)) throw corrupt('a Map key -0 (a Map turns it into 0)', at)
      if (map.has(key)) throw corrupt('duplicate Map key', at)
      map.set(key, value)
    }
    return map
  }

  private set(depth: number): Set<unknown> {
    this.enter(depth)
    const size = this.varint()
    this.need(size)
    const set = new Set<unknown>()
    this.objects.push(set)
    for (let i = 0; i < size; i++) {
      const at = this.pos
      const item = this.value(depth + 1)
      if (Object.is(item, -0)) throw corrupt('a Set element -0 (a Set turns it into 0)', at)
      if (set.has(item)) throw corrupt('duplicate Set element', at)
      set.add(item)
    }
    return set
  }

  private date(): Date {
    const at = this.pos
    const time = this.float64()
    const valid =
      Number.isNaN(time) || (Number.isInteger(time) && Math.abs(time) <= MAX_DATE && !Object.is(time, -0))
    if (!valid) throw corrupt(`${time} is not a Date time value`, at)
    const date = new Date(time)
    this.objects.push(date)
    return date
  }

  private regexp(): RegExp {
    const at = this.pos
    const source = this.string()
    const flags = this.string()
    const lastIndex = this.varint()
    let regexp: RegExp
    try {
      regexp = new RegExp(source, flags)
    } catch {
      throw corrupt('not a valid RegExp source and flags', at)
    }
    if (regexp.source !== source || regexp.flags !== flags)
      throw corrupt('RegExp source or flags not as written', at)
    regexp.lastIndex = lastIndex
    this.objects.push(regexp)
    return regexp
  }

  private arrayView(depth: number): ArrayBufferView {
    this.enter(depth)
    const at = this.pos - 1
    const id = this.objects.length
    this.objects.push(PENDING)
    const kind = this.byte()
    const cls = VIEW_CLASSES[kind]
    if (cls === undefined) throw corrupt(`unknown view kind ${kind}`, at)
    const buffer = this.value(depth + 1)
    if (!types.isArrayBuffer(buffer)) throw corrupt('a view onto something that is not an ArrayBuffer', at)
    const byteOffset = this.varint()
    const length = this.varint()
    const width = kind === DATA_VIEW_KIND ? 1 : (cls as Uint8ArrayConstructor).BYTES_PER_ELEMENT
    if (byteOffset % width !== 0 || byteOffset + length * width > buffer.byteLength) {
      throw corrupt(`a view outside its buffer, or misaligned (offset ${byteOffset}, length ${length})`, at)
    }
    const view = new (cls as Uint8ArrayConstructor)(buffer, byteOffset, length)
    this.objects[id] = view
    return view
  }

  private error(depth: number): Error {
    this.enter(depth)
    const at = this.pos - 1
    const kind = this.byte()
    const cls = ERROR_CLASSES[kind]
    if (cls === undefined) throw corrupt(`unknown error kind ${kind}`, at)
    const error = kind === AGGREGATE_ERROR_KIND ? new AggregateError([]) : new cls()
    clearOwn(error)
    this.objects.push(error)
    this.errorBody(error, depth)
    return error
  }

  private errorBody(error: Error, depth: number): void {
    const at = this.pos
    const fields = this.byte()
    if (fields >= 1 << ERROR_FIELD_NAMES.length)
      throw corrupt(`unknown error fields 0x${fields.toString(16)}`, at)
    for (const [bit, name] of ERROR_FIELD_NAMES.entries()) {
      if (fields & (1 << bit)) defineData(error, name, this.value(depth + 1), false)
    }
    this.properties(depth, error, false)
  }

  private instance(depth: number): unknown {
    this.enter(depth)
    const at = this.pos - 1
    const name = this.key()
    const entry = this.registry?.byName(name)
    if (entry === undefined) {
      throw undecodable(`class ${JSON.stringify(name)} is not registered; register it to decode it`, at)
    }
    const mode = this.byte()
    const expected = entry.reduce ? ClassMode.Reduced : entry.errorBase ? ClassMode.Error : ClassMode.Props
    if (mode !== expected) {
      throw undecodable(
        `class ${JSON.stringify(name)} was written differently from how it is registered here`,
        at,
      )
    }
    if (mode === ClassMode.Reduced) return this.revived(entry, depth)
    if (mode === ClassMode.Error) {
      const error = Reflect.construct(entry.errorBase as ErrorConstructor, [], entry.cls) as Error
      clearOwn(error)
      this.objects.push(error)
      this.errorBody(error, depth)
      return error
    }
    const instance = Object.create(entry.prototype) as object
    this.objects.push(instance)
    this.properties(depth, instance, false)
    return instance
  }

  private revived(entry: RegisteredClass, depth: number): unknown {
    const id = this.objects.length
    this.objects.push(PENDING)
    const data = this.value(depth + 1)
    let instance: unknown
    try {
      instance = (entry.revive as (data: unknown) => unknown)(data)
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw undecodable(`revive() of class ${JSON.stringify(entry.name)} threw: ${reason}`)
    }
    this.objects[id] = instance
    return instance
  }

  private boxed(): object {
    const at = this.pos - 1
    const kind = this.byte()
    let box: object
    if (kind === BoxedKind.Number) box = Object(this.float64())
    else if (kind === BoxedKind.String) box = Object(this.string())
    else if (kind === BoxedKind.Boolean) {
      const flag = this.byte()
      if (flag > 1) throw corrupt('a boxed Boolean that is neither 0 nor 1', at)
      box = Object(flag === 1)
    } else if (kind === BoxedKind.BigInt) {
      const sign = this.byte()
      if (sign > 1) throw corrupt('a boxed BigInt with an unknown sign', at)
      box = Object(this.bigint(sign === 1))
    } else throw corrupt(`unknown boxed kind ${kind}`, at)
    this.objects.push(box)
    return box
  }
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  const codes: number[] = new Array(length)
  for (let i = 0; i < length; i++) codes[i] = bytes[start + i] as number
  return fromCharCodes.apply(null, codes)
}

function defineData(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable, configurable: true })
}

/** A new error comes with its own stack (and an AggregateError with errors); the wire says what it has. */
function clearOwn(error: Error): void {
  for (const name of Object.getOwnPropertyNames(error))
    delete (error as unknown as Record<string, unknown>)[name]
}
