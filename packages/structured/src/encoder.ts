import { types } from 'node:util'
import { kindName, Refusal, ScratchWriter, withStep, writeMapEntries } from '@cairn/core'
import {
  BoxedKind,
  ClassMode,
  ERROR_CLASSES,
  ERROR_FIELD_NAMES,
  HEADER,
  Tag,
  VIEW_CLASSES,
} from './format.js'
import type { ClassRegistry, RegisteredClass } from './registry.js'

const hasBuffer = typeof Buffer === 'function'
const NON_LATIN1 = /[^\x00-\xff]/
const MAX_SAFE = Number.MAX_SAFE_INTEGER

/**
 * A Map of more than about 4096 entries moves to V8's large-object space, where each growth costs far
 * more (measured on Node 20: 19 ns per insert up to 4096 entries, 45 to 70 ns beyond). Object ids are
 * kept in up to ID_MAPS maps of ID_MAP_SIZE entries, the last growing without bound (arrays and other
 * objects apart): up to 12k of each stay in small maps, and a lookup never checks more than four.
 */
const ID_MAP_SIZE = 4096
const ID_MAPS = 4

enum Kind {
  Plain = 1,
  Array = 2,
  Map = 3,
  Set = 4,
  Date = 5,
  RegExp = 6,
  ArrayBuffer = 7,
  View = 8,
  Error = 9,
  Boxed = 10,
  NodeBuffer = 11,
}

/** What to do with an object, by its exact prototype. Anything else is a class (registered or refused). */
const KIND_BY_PROTOTYPE = new Map<object, Kind>([
  [Object.prototype, Kind.Plain],
  [Array.prototype, Kind.Array],
  [Map.prototype, Kind.Map],
  [Set.prototype, Kind.Set],
  [Date.prototype, Kind.Date],
  [RegExp.prototype, Kind.RegExp],
  [ArrayBuffer.prototype, Kind.ArrayBuffer],
  [Number.prototype, Kind.Boxed],
  [String.prototype, Kind.Boxed],
  [Boolean.prototype, Kind.Boxed],
  [BigInt.prototype, Kind.Boxed],
  [Symbol.prototype, Kind.Boxed],
])
const VIEW_KIND = new Map<object, number>()
for (const [i, cls] of VIEW_CLASSES.entries()) {
  VIEW_KIND.set(cls.prototype, i)
  KIND_BY_PROTOTYPE.set(cls.prototype, Kind.View)
}
const ERROR_KIND = new Map<object, number>()
for (const [i, cls] of ERROR_CLASSES.entries()) {
  ERROR_KIND.set(cls.prototype, i)
  KIND_BY_PROTOTYPE.set(cls.prototype, Kind.Error)
}
if (hasBuffer) KIND_BY_PROTOTYPE.set(Buffer.prototype, Kind.NodeBuffer)

/** The brand check for each kind: an object with Map.prototype that is not a Map is not encoded as one. */
function hasBrand(kind: Kind, value: object): boolean {
  switch (kind) {
    case Kind.Plain:
      return true
    case Kind.Array:
      return Array.isArray(value)
    case Kind.Map:
      return types.isMap(value)
    case Kind.Set:
      return types.isSet(value)
    case Kind.Date:
      return types.isDate(value)
    case Kind.RegExp:
      return types.isRegExp(value)
    case Kind.ArrayBuffer:
      return types.isArrayBuffer(value)
    case Kind.View:
      return ArrayBuffer.isView(value)
    case Kind.Error:
      return types.isNativeError(value)
    case Kind.Boxed:
      return types.isBoxedPrimitive(value)
    case Kind.NodeBuffer:
      return types.isUint8Array(value)
  }
}

/**
 * Writes one value in the structured format. Objects are numbered as they are first met; a second
 * meeting writes a back-reference, so shared references and cycles survive. Refusals are thrown as
 * `Refusal`s that collect their path on the way out.
 */
export class StructuredEncoder extends ScratchWriter {
  private registry: ClassRegistry | undefined
  private maxDepth = 0
  /**
   * Object → id, in maps of at most ID_MAP_SIZE entries but the last (see there), searched in turn.
   */
  private idMaps: Map<object, number>[] = [new Map()]
  /** The same for arrays: an object is an array or not for good, so each is looked up in one list. */
  private arrayIdMaps: Map<object, number>[] = [new Map()]
  private idCount = 0
  /** Ids of instances whose `reduce` data is being written: a reference to one cannot be rebuilt. */
  private pending = new Set<number>()
  private keyIds = new Map<string, number>()
  /** The keys of the last object written whose keys were looked up, and their key numbers. */
  private lastKeys: readonly string[] = []
  private lastKeyIds: number[] = []

  /**
   * Encodes `value`. The encoder is reused from call to call (its scratch buffer stays allocated),
   * so it must not be re-entered: a `reduce` or getter that encodes during `encode` needs another
   * encoder. Returns a plain Uint8Array with a buffer of its own.
   */
  encode(value: unknown, registry: ClassRegistry | undefined, maxDepth: number): Uint8Array {
    this.registry = registry
    this.maxDepth = maxDepth
    this.pos = 0
    try {
      for (const byte of HEADER) this.bytes[this.pos++] = byte
      this.value(value, 0)
      return this.finish('a buffer')
    } finally {
      // Keep nothing of the value alive until the next call. New maps cost less than clear().
      if (this.idCount > 0) {
        this.idMaps = [new Map()]
        this.arrayIdMaps = [new Map()]
        this.idCount = 0
      }
      if (this.keyIds.size > 0) {
        this.keyIds = new Map()
        this.lastKeys = []
        this.lastKeyIds = []
      }
      if (this.pending.size > 0) this.pending = new Set()
      this.registry = undefined
      this.release()
    }
  }

  private idOf(value: object, isArray: boolean): number | undefined {
    const maps = isArray ? this.arrayIdMaps : this.idMaps
    for (let i = 0; i < maps.length; i++) {
      const id = (maps[i] as Map<object, number>).get(value)
      if (id !== undefined) return id
    }
    return undefined
  }

  private addId(value: object, isArray: boolean): number {
    const id = this.idCount++
    const maps = isArray ? this.arrayIdMaps : this.idMaps
    let map = maps[maps.length - 1] as Map<object, number>
    if (map.size >= ID_MAP_SIZE && maps.length < ID_MAPS) {
      map = new Map()
      maps.push(map)
    }
    map.set(value, id)
    return id
  }

  private byte(value: number): void {
    if (this.pos >= this.capacity) this.ensure(1)
    this.bytes[this.pos++] = value
  }

  private varint(value: number): void {
    if (value < 0x80 && this.pos < this.capacity) {
      this.bytes[this.pos++] = value
      return
    }
    this.ensure(8)
    const bytes = this.bytes
    if (value < 0x80000000) {
      while (value > 0x7f) {
        bytes[this.pos++] = (value & 0x7f) | 0x80
        value >>>= 7
      }
    } else {
      while (value > 0x7f) {
        bytes[this.pos++] = (value % 128) | 0x80
        value = Math.floor(value / 128)
      }
    }
    bytes[this.pos++] = value
  }

  private rawBytes(source: Uint8Array): void {
    this.varint(source.byteLength)
    this.byteRun(source)
  }

  private value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'number':
        this.number(value)
        return
      case 'string':
        this.byte(Tag.String)
        this.string(value)
        return
      case 'object':
        if (value === null) this.byte(Tag.Null)
        else this.object(value, depth)
        return
      case 'boolean':
        this.byte(value ? Tag.True : Tag.False)
        return
      case 'undefined':
        this.byte(Tag.Undefined)
        return
      case 'bigint':
        this.bigint(value, Tag.BigInt, Tag.NegBigInt)
        return
      case 'function':
        throw new Refusal(`a function cannot be serialized${value.name ? ` (${value.name})` : ''}`)
      case 'symbol':
        throw new Refusal(`a symbol cannot be serialized (${String(value)})`)
    }
  }

  private number(value: number): void {
    if (this.pos + 10 > this.capacity) this.ensure(10)
    const bytes = this.bytes
    if ((value & 0x7f) === value && (value !== 0 || 1 / value > 0)) bytes[this.pos++] = Tag.SmallInt | value
    else if ((value | 0) === value && value !== 0) {
      // An int32 (the common case), written inline.
      bytes[this.pos++] = value > 0 ? Tag.Int : Tag.NegInt
      let n = value > 0 ? value : -value
      while (n > 0x7f) {
        bytes[this.pos++] = (n & 0x7f) | 0x80
        n >>>= 7
      }
      bytes[this.pos++] = n
    } else if (Math.floor(value) === value && value <= MAX_SAFE && value >= -MAX_SAFE && value !== 0) {
      bytes[this.pos++] = value > 0 ? Tag.Int : Tag.NegInt
      this.varint(value > 0 ? value : -value)
    } else {
      bytes[this.pos++] = Tag.Float64
      this.view.setFloat64(this.pos, value, true)
      this.pos += 8
    }
  }

  /** Tag, varint byte count, magnitude little-endian with no high zero byte. */
  private bigint(value: bigint, positiveTag: number, negativeTag: number): void {
    const negative = value < 0n
    this.byte(negative ? negativeTag : positiveTag)
    const magnitude = negative ? -value : value
    if (magnitude <= 0x1fffffffffffffn) {
      let n = Number(magnitude)
      let length = 0
      for (let m = n; m > 0; m = Math.floor(m / 256)) length++
      this.varint(length)
      this.ensure(length)
      for (let i = 0; i < length; i++) {
        this.bytes[this.pos++] = n % 256
        n = Math.floor(n / 256)
      }
      return
    }
    let hex = magnitude.toString(16)
    if (hex.length % 2) hex = `0${hex}`
    const length = hex.length / 2
    this.varint(length)
    this.ensure(length)
    for (let i = 0; i < length; i++) {
      const at = hex.length - 2 * (i + 1)
      this.bytes[this.pos++] = Number.parseInt(hex.slice(at, at + 2), 16)
    }
  }

  /** varint (length << 1 | utf16), then Latin-1 bytes or UTF-16LE code units: exact for any string. */
  private string(value: string): void {
    const length = value.length
    if (length < 16 || !hasBuffer) {
      this.ensure(8 + length * 2)
      const bytes = this.bytes
      const headerAt = this.pos
      this.varint(length << 1)
      let p = this.pos
      let i = 0
      for (; i < length; i++) {
        const code = value.charCodeAt(i)
        if (code > 0xff) break
        bytes[p++] = code
      }
      if (i === length) {
        this.pos = p
        return
      }
      this.pos = headerAt
      this.varint((length << 1) | 1)
      p = this.pos
      for (let j = 0; j < length; j++) {
        const code = value.charCodeAt(j)
        bytes[p++] = code & 0xff
        bytes[p++] = code >> 8
      }
      this.pos = p
      return
    }
    const utf16 = NON_LATIN1.test(value)
    this.varint(length * 2 + (utf16 ? 1 : 0))
    this.ensure(utf16 ? length * 2 : length)
    this.pos += (this.text as Buffer).write(value, this.pos, utf16 ? 'utf16le' : 'latin1')
  }

  /** An object key or class name: written once, then by its number. */
  private key(key: string): number {
    const known = this.keyIds.get(key)
    if (known !== undefined) {
      this.varint(known + 1)
      return known
    }
    const id = this.keyIds.size
    this.keyIds.set(key, id)
    this.byte(0)
    this.string(key)
    return id
  }

  private object(value: object, depth: number): void {
    const isArray = Array.isArray(value)
    const id = this.idOf(value, isArray)
    if (id !== undefined) {
      if (this.pending.size > 0 && this.pending.has(id)) {
        throw new Refusal(
          'this object refers back to an instance whose reduce() output is being written; a revive() could not rebuild that cycle',
        )
      }
      this.byte(Tag.Ref)
      this.varint(id)
      return
    }
    if (depth >= this.maxDepth) throw new Refusal(`nesting deeper than ${this.maxDepth} levels`)
    if (types.isProxy(value)) throw new Refusal('a Proxy cannot be serialized')
    const proto = Object.getPrototypeOf(value) as object | null
    const kind =
      proto === Object.prototype
        ? Kind.Plain
        : proto === Array.prototype
          ? Kind.Array
          : proto === null
            ? undefined
            : KIND_BY_PROTOTYPE.get(proto)
    if (kind !== undefined && !hasBrand(kind, value)) {
      throw new Refusal(`an object with ${kindName(value)}.prototype that is not really a ${kindName(value)}`)
    }
    if (kind === undefined && proto !== null) {
      this.instance(value, proto, depth, isArray)
      return
    }
    this.addId(value, isArray)
    switch (kind) {
      case undefined:
        this.byte(Tag.NullProtoObject)
        this.properties(value, depth)
        return
      case Kind.Plain:
        this.byte(Tag.Object)
        this.properties(value, depth)
        return
      case Kind.Array:
        this.array(value as unknown[], depth)
        return
      case Kind.Map:
        this.map(value as Map<unknown, unknown>, depth)
        return
      case Kind.Set:
        this.set(value as Set<unknown>, depth)
        return
      case Kind.Date:
        noOwnProperties(value, 'Date')
        this.byte(Tag.Date)
        this.ensure(8)
        this.view.setFloat64(this.pos, (value as Date).getTime(), true)
        this.pos += 8
        return
      case Kind.RegExp:
        this.regexp(value as RegExp)
        return
      case Kind.ArrayBuffer:
        if ((value as { resizable?: boolean }).resizable) {
          throw new Refusal('a resizable ArrayBuffer cannot be serialized exactly')
        }
        this.byte(Tag.ArrayBuffer)
        this.rawBytes(new Uint8Array(value as ArrayBuffer))
        return
      case Kind.View:
        this.arrayView(value as ArrayBufferView, proto as object, depth)
        return
      case Kind.Error:
        this.byte(Tag.Error)
        this.byte(ERROR_KIND.get(proto as object) as number)
        this.errorBody(value as Error, depth)
        return
      case Kind.Boxed:
        this.boxed(value)
        return
      case Kind.NodeBuffer:
        this.byte(Tag.NodeBuffer)
        this.rawBytes(value as Uint8Array)
        return
    }
  }

  /** Own enumerable string-keyed properties; refuses symbol keys and non-enumerable ones. */
  private checkedKeys(obj: object): string[] {
    const keys = Object.keys(obj)
    if (Object.getOwnPropertyNames(obj).length !== keys.length) {
      const hidden = Object.getOwnPropertyNames(obj).find(
        (k) => !Object.prototype.propertyIsEnumerable.call(obj, k),
      )
      throw withStep(new Refusal('a non-enumerable property would be dropped'), hidden ?? '?')
    }
    const symbols = Object.getOwnPropertySymbols(obj)
    if (symbols.length > 0) throw new Refusal(`symbol keys cannot be serialized (${String(symbols[0])})`)
    return keys
  }

  private properties(obj: object, depth: number, keys: string[] = this.checkedKeys(obj)): void {
    const count = keys.length
    this.varint(count)
    // The same keys as the last object written (records in a list, nodes of a graph): their key
    // numbers are known, no lookups. Keys are internalized strings, so === compares pointers.
    const lastKeys = this.lastKeys
    let same = lastKeys.length === count
    for (let i = 0; same && i < count; i++) same = lastKeys[i] === keys[i]
    const ids = same ? this.lastKeyIds : new Array<number>(count)
    let key = ''
    try {
      for (let i = 0; i < count; i++) {
        key = keys[i] as string
        if (same) this.varint((ids[i] as number) + 1)
        else ids[i] = this.key(key)
        const item = (obj as Record<string, unknown>)[key]
        if (typeof item === 'number') this.number(item)
        else this.value(item, depth + 1)
      }
    } catch (error) {
      throw withStep(error, key)
    }
    if (!same) {
      this.lastKeys = keys
      this.lastKeyIds = ids
    }
  }

  private array(array: unknown[], depth: number): void {
    const length = array.length
    this.byte(Tag.Array)
    this.varint(length)
    let i = 0
    try {
      for (; i < length; i++) {
        const item = array[i]
        if (typeof item === 'number') this.number(item)
        else if (item === undefined && !(i in array)) break
        else this.value(item, depth + 1)
      }
    } catch (error) {
      throw withStep(error, i)
    }
    if (i < length) this.sparseTail(array, i, depth)
  }

  /** From the first hole on: present elements by their indices (cheap even for length 2^32 - 1), holes as runs. */
  private sparseTail(array: unknown[], from: number, depth: number): void {
    let next = from
    let index = from
    try {
      for (const key of Object.keys(array)) {
        index = arrayIndex(key)
        if (index < 0) break // named properties come after the indices
        if (index < from) continue
        if (index > next) {
          this.byte(Tag.Holes)
          this.varint(index - next)
        }
        this.value(array[index], depth + 1)
        next = index + 1
      }
    } catch (error) {
      throw withStep(error, index)
    }
    if (next < array.length) {
      this.byte(Tag.Holes)
      this.varint(array.length - next)
    }
  }

  private map(map: Map<unknown, unknown>, depth: number): void {
    noOwnProperties(map, 'Map')
    this.byte(Tag.Map)
    this.varint(map.size)
    writeMapEntries(map, (item) => this.value(item, depth + 1))
  }

  private set(set: Set<unknown>, depth: number): void {
    noOwnProperties(set, 'Set')
    this.byte(Tag.Set)
    this.varint(set.size)
    let i = 0
    try {
      for (const item of set) {
        this.value(item, depth + 1)
        i++
      }
    } catch (error) {
      throw withStep(error, { note: `element ${i}` })
    }
  }

  private regexp(regexp: RegExp): void {
    if (Object.getOwnPropertyNames(regexp).length !== 1 || Object.getOwnPropertySymbols(regexp).length > 0) {
      throw new Refusal('properties on a RegExp would be dropped')
    }
    const lastIndex = regexp.lastIndex as unknown
    if (!Number.isSafeInteger(lastIndex) || (lastIndex as number) < 0) {
      throw new Refusal('RegExp lastIndex is not a non-negative integer')
    }
    this.byte(Tag.RegExp)
    this.string(regexp.source)
    this.string(regexp.flags)
    this.varint(lastIndex as number)
  }

  private arrayView(view: ArrayBufferView, proto: object, depth: number): void {
    const buffer = view.buffer
    if (!types.isArrayBuffer(buffer))
      throw new Refusal('a view onto a SharedArrayBuffer cannot be serialized')
    const kind = VIEW_KIND.get(proto) as number
    this.byte(Tag.View)
    this.byte(kind)
    try {
      this.object(buffer, depth + 1)
    } catch (error) {
      throw withStep(error, 'buffer')
    }
    this.varint(view.byteOffset)
    this.varint(types.isDataView(view) ? view.byteLength : (view as Uint8Array).length)
  }

  /** Field byte, the non-enumerable message/stack/cause/errors present, then own enumerable properties. */
  private errorBody(error: Error, depth: number): void {
    const names = Object.getOwnPropertyNames(error)
    const symbols = Object.getOwnPropertySymbols(error)
    if (symbols.length > 0) throw new Refusal(`symbol keys cannot be serialized (${String(symbols[0])})`)
    let fields = 0
    const props: string[] = []
    for (const name of names) {
      const descriptor = Object.getOwnPropertyDescriptor(error, name) as PropertyDescriptor
      if (descriptor.enumerable) props.push(name)
      else {
        const bit = ERROR_FIELD_NAMES.indexOf(name as (typeof ERROR_FIELD_NAMES)[number])
        if (bit < 0) throw withStep(new Refusal('a non-enumerable property would be dropped'), name)
        fields |= 1 << bit
      }
    }
    this.byte(fields)
    for (const [bit, name] of ERROR_FIELD_NAMES.entries()) {
      if (!(fields & (1 << bit))) continue
      try {
        this.value((error as unknown as Record<string, unknown>)[name], depth + 1)
      } catch (e) {
        throw withStep(e, name)
      }
    }
    this.properties(error, depth, props)
  }

  private boxed(box: object): void {
    if (types.isSymbolObject(box)) throw new Refusal('a boxed Symbol cannot be serialized')
    const own = Object.getOwnPropertyNames(box).length + Object.getOwnPropertySymbols(box).length
    const expected = types.isStringObject(box) ? (box as string).length + 1 : 0 // indices and length
    if (own !== expected) throw new Refusal('properties on a boxed primitive would be dropped')
    this.byte(Tag.Boxed)
    if (types.isNumberObject(box)) {
      this.byte(BoxedKind.Number)
      this.ensure(8)
      this.view.setFloat64(this.pos, Number.prototype.valueOf.call(box), true)
      this.pos += 8
    } else if (types.isStringObject(box)) {
      this.byte(BoxedKind.String)
      this.string(String.prototype.valueOf.call(box))
    } else if (types.isBooleanObject(box)) {
      this.byte(BoxedKind.Boolean)
      this.byte(Boolean.prototype.valueOf.call(box) ? 1 : 0)
    } else {
      this.byte(BoxedKind.BigInt)
      this.bigint(BigInt.prototype.valueOf.call(box), 0, 1)
    }
  }

  /** An instance of a class: written under its registered name, or refused. */
  private instance(value: object, proto: object, depth: number, isArray: boolean): void {
    const entry = this.registry?.byPrototype(proto)
    if (entry === undefined) throw new Refusal(this.unsupported(value, proto))
    const id = this.addId(value, isArray)
    this.byte(Tag.Class)
    this.key(entry.name)
    if (entry.reduce !== undefined) {
      this.byte(ClassMode.Reduced)
      this.reduced(value, entry, id, depth)
    } else if (entry.errorBase !== undefined) {
      this.byte(ClassMode.Error)
      this.errorBody(value as Error, depth)
    } else {
      this.byte(ClassMode.Props)
      this.properties(value, depth)
    }
  }

  private reduced(value: object, entry: RegisteredClass, id: number, depth: number): void {
    let data: unknown
    try {
      data = (entry.reduce as (instance: object) => unknown)(value)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new Refusal(`reduce() of class ${entry.name} threw: ${reason}`)
    }
    this.pending.add(id)
    try {
      this.value(data, depth + 1)
    } catch (error) {
      throw withStep(error, { note: `reduce() of ${entry.name}` })
    }
    this.pending.delete(id)
  }

  private unsupported(value: object, proto: object): string {
    if (types.isPromise(value)) return 'a Promise cannot be serialized'
    if (types.isWeakMap(value) || types.isWeakSet(value) || value instanceof WeakRef) {
      return `a ${kindName(value)} cannot be serialized (its contents cannot be listed)`
    }
    if (types.isSharedArrayBuffer(value)) return 'a SharedArrayBuffer cannot be serialized'
    if (types.isGeneratorObject(value)) return 'a generator cannot be serialized'
    const name = kindName(value)
    let parent = Object.getPrototypeOf(proto) as object | null
    while (parent !== null && this.registry?.byPrototype(parent) === undefined)
      parent = Object.getPrototypeOf(parent)
    const parentNote =
      parent === null
        ? ''
        : ` (its parent class is registered as ${JSON.stringify(this.registry?.byPrototype(parent)?.name)}; a subclass needs its own registration)`
    return `class ${name} is not registered${parentNote}; register it: new ClassRegistry().register(${name}, { name: '${name}' })`
  }
}

function noOwnProperties(value: object, what: string): void {
  if (Reflect.ownKeys(value).length > 0) {
    throw new Refusal(`properties on a ${what} would be dropped`)
  }
}

/** The array index a key names, or -1 when it is not one. */
function arrayIndex(key: string): number {
  const n = Number(key)
  return Number.isInteger(n) && n >= 0 && n < 0xffffffff && String(n) === key ? n : -1
}
