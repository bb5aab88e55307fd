import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import { type Hash, isHash, sha256Hex } from '../hash.js'

export const CANONICAL_VERSION: 1 = 1
export const CONTENT_REF: unique symbol = Symbol.for('cairn.contentRef') as never
/** Deepest nesting encoded; deeper values are refused (well within the JS stack on every runtime). */
export const MAX_DEPTH: number = 512

enum Tag {
  Undefined = 0x00,
  Null = 0x01,
  False = 0x02,
  True = 0x03,
  Number = 0x04,
  BigInt = 0x05,
  String = 0x06,
  Array = 0x07,
  Hole = 0x08,
  Object = 0x09,
  Map = 0x0a,
  Set = 0x0b,
  Date = 0x0c,
  RegExp = 0x0d,
  TypedArray = 0x0e,
  ArrayBuffer = 0x0f,
  DataView = 0x10,
  ContentRef = 0x11,
  Registered = 0x12,
}

const TYPED_ARRAYS: [string, number][] = [
  ['Int8Array', 1],
  ['Uint8Array', 2],
  ['Uint8ClampedArray', 3],
  ['Int16Array', 4],
  ['Uint16Array', 5],
  ['Int32Array', 6],
  ['Uint32Array', 7],
  ['Float32Array', 8],
  ['Float64Array', 9],
  ['BigInt64Array', 10],
  ['BigUint64Array', 11],
  ['Float16Array', 12],
]
const TYPED_ARRAY_CODES = new Map<Function, number>()
for (const [name, code] of TYPED_ARRAYS) {
  const ctor = (globalThis as Record<string, unknown>)[name]
  if (typeof ctor === 'function') TYPED_ARRAY_CODES.set(ctor, code)
}
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

interface Registration {
  name: string
  toData(value: object): unknown
}
const registry = new Map<Function, Registration>()
const registeredNames = new Map<string, Function>()

export function registerHashable<T extends object>(
  cls: abstract new (...args: any[]) => T,
  spec: { name: string; toData(value: T): unknown },
): void {
  if (typeof cls !== 'function') throw invalidArgument('registerHashable needs a class')
  if (typeof spec?.name !== 'string' || spec.name === '')
    throw invalidArgument('registerHashable needs a name')
  const existing = registeredNames.get(spec.name)
  if (existing && existing !== cls) {
    throw invalidArgument(`another class is already registered as ${JSON.stringify(spec.name)}`)
  }
  registry.set(cls, spec as Registration)
  registeredNames.set(spec.name, cls)
}

export function unregisterHashable(cls: abstract new (...args: any[]) => unknown): void {
  const reg = registry.get(cls)
  if (reg) registeredNames.delete(reg.name)
  registry.delete(cls)
}

class Writer {
  buf = new Uint8Array(256)
  view = new DataView(this.buf.buffer)
  pos = 0
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }
  varint(n: number): void {
    this.ensure(10)
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[this.pos++] = n
  }
  float(n: number): void {
    this.ensure(8)
    if (Number.isNaN(n)) {
      this.view.setUint32(this.pos, 0x7ff80000)
      this.view.setUint32(this.pos + 4, 0)
    } else this.view.setFloat64(this.pos, n)
    this.pos += 8
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

const utf8 = new TextEncoder()

function unhashable(path: string, what: string): CairnError {
  return new CairnError(ErrorCode.Unserializable, `${path}: ${what}`, { details: { path } })
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

function writeString(w: Writer, s: string, path: string): void {
  if (!s.isWellFormed())
    throw unhashable(path, 'string contains a lone surrogate and cannot be encoded as UTF-8')
  const encoded = utf8.encode(s)
  w.varint(encoded.length)
  w.bytes(encoded)
}

function littleEndianBytes(view: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  const width = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1
  if (LITTLE_ENDIAN_HOST || width === 1) return bytes
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i += width)
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j] as number
  return out
}

function encodeInto(w: Writer, value: unknown, path: string, stack: Set<object>, depth: number): void {
  if (depth > MAX_DEPTH) throw unhashable(path, `nesting is deeper than ${MAX_DEPTH} levels`)
  switch (typeof value) {
    case 'undefined':
      w.byte(Tag.Undefined)
      return
    case 'boolean':
      w.byte(value ? Tag.True : Tag.False)
      return
    case 'number':
      w.byte(Tag.Number)
      w.float(value)
      return
    case 'string':
      w.byte(Tag.String)
      writeString(w, value, path)
      return
    case 'bigint': {
      w.byte(Tag.BigInt)
      w.byte(value < 0n ? 1 : 0)
      let magnitude = value < 0n ? -value : value
      const digits: number[] = []
      while (magnitude > 0n) {
        digits.push(Number(magnitude & 0xffn))
        magnitude >>= 8n
      }
      w.varint(digits.length)
      for (let i = digits.length - 1; i >= 0; i--) w.byte(digits[i] as number)
      return
    }
    case 'function':
      throw unhashable(
        path,
        'is a function; functions are not hashable arguments — declare it in deps instead',
      )
    case 'symbol':
      throw unhashable(path, 'is a symbol; symbols are not hashable')
  }
  if (value === null) {
    w.byte(Tag.Null)
    return
  }
  const obj = value as object
  if (stack.has(obj)) throw unhashable(path, 'cycle: this object contains itself')
  const ref = (obj as { [CONTENT_REF]?: unknown })[CONTENT_REF]
  if (ref !== undefined) {
    if (!isHash(ref)) throw unhashable(path, 'content reference does not carry a valid hash')
    w.byte(Tag.ContentRef)
    for (let i = 0; i < 64; i += 2) w.byte(Number.parseInt(ref.slice(i, i + 2), 16))
    return
  }
  stack.add(obj)
  try {
    encodeObject(w, obj, path, stack, depth)
  } finally {
    stack.delete(obj)
  }
}

function encodeObject(w: Writer, obj: object, path: string, stack: Set<object>, depth: number): void {
  if (Array.isArray(obj)) {
    if (Object.getPrototypeOf(obj) !== Array.prototype)
      throw unhashable(path, 'array subclass instances are not hashable')
    w.byte(Tag.Array)
    w.varint(obj.length)
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) w.byte(Tag.Hole)
      else {
        const desc = Object.getOwnPropertyDescriptor(obj, i)
        if (desc && !('value' in desc))
          throw unhashable(`${path}[${i}]`, 'is an accessor property; reading it would run code')
        encodeInto(w, obj[i], `${path}[${i}]`, stack, depth + 1)
      }
    }
    return
  }
  if (ArrayBuffer.isView(obj)) {
    if (obj instanceof DataView) {
      w.byte(Tag.DataView)
      const b = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength)
      w.varint(b.length)
      w.bytes(b)
      return
    }
    let proto = Object.getPrototypeOf(obj)
    // A Node Buffer (or any subclass of a typed array) hashes as its base typed array.
    while (proto && !TYPED_ARRAY_CODES.has(proto.constructor)) proto = Object.getPrototypeOf(proto)
    const code = proto ? TYPED_ARRAY_CODES.get(proto.constructor) : undefined
    if (code === undefined) throw unhashable(path, 'unknown typed array kind')
    w.byte(Tag.TypedArray)
    w.byte(code)
    const bytes = littleEndianBytes(obj)
    w.varint(bytes.length)
    w.bytes(bytes)
    return
  }
  if (obj instanceof ArrayBuffer) {
    w.byte(Tag.ArrayBuffer)
    w.varint(obj.byteLength)
    w.bytes(new Uint8Array(obj))
    return
  }
  const proto = Object.getPrototypeOf(obj)
  if (proto === Object.prototype || proto === null) {
    if (Object.getOwnPropertySymbols(obj).length > 0)
      throw unhashable(path, 'has symbol keys, which are not hashable')
    const entries: [Uint8Array, string][] = []
    for (const key of Object.keys(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, key) as PropertyDescriptor
      if (!('value' in desc))
        throw unhashable(keyPath(path, key), 'is an accessor property; reading it would run code')
      if (!key.isWellFormed()) throw unhashable(path, 'has a key with a lone surrogate')
      entries.push([utf8.encode(key), key])
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]))
    w.byte(Tag.Object)
    w.varint(entries.length)
    for (const [bytes, key] of entries) {
      w.varint(bytes.length)
      w.bytes(bytes)
      encodeInto(w, (obj as Record<string, unknown>)[key], keyPath(path, key), stack, depth + 1)
    }
    return
  }
  if (obj instanceof Map) {
    const entries: [Uint8Array, Uint8Array][] = []
    for (const [k, v] of obj) {
      const kw = new Writer()
      encodeInto(kw, k, `${path}<map key>`, stack, depth + 1)
      const vw = new Writer()
      const label = typeof k === 'string' || typeof k === 'number' ? JSON.stringify(k) : typeof k
      encodeInto(vw, v, `${path}<map value for key ${label}>`, stack, depth + 1)
      entries.push([kw.result(), vw.result()])
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]))
    w.byte(Tag.Map)
    w.varint(entries.length)
    for (const [k, v] of entries) {
      w.bytes(k)
      w.bytes(v)
    }
    return
  }
  if (obj instanceof Set) {
    const items: Uint8Array[] = []
    for (const item of obj) {
      const iw = new Writer()
      encodeInto(iw, item, `${path}<set element>`, stack, depth + 1)
      items.push(iw.result())
    }
    items.sort(compareBytes)
    w.byte(Tag.Set)
    w.varint(items.length)
    for (const item of items) w.bytes(item)
    return
  }
  if (obj instanceof Date) {
    w.byte(Tag.Date)
    w.float(obj.getTime())
    return
  }
  if (obj instanceof RegExp) {
    w.byte(Tag.RegExp)
    writeString(w, obj.source, path)
    writeString(w, obj.flags, path)
    return
  }
  const registration = registry.get(obj.constructor)
  if (registration && Object.getPrototypeOf(obj) === obj.constructor.prototype) {
    w.byte(Tag.Registered)
    writeString(w, registration.name, path)
    encodeInto(w, registration.toData(obj), `${path}<${registration.name} data>`, stack, depth + 1)
    return
  }
  if (obj instanceof Promise) throw unhashable(path, 'is a Promise; await it first')
  if (obj instanceof WeakMap || obj instanceof WeakSet)
    throw unhashable(path, 'WeakMap and WeakSet cannot be hashed (not iterable)')
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) {
    throw unhashable(path, 'boxed primitives are not hashable; pass the primitive')
  }
  const name = (obj.constructor as { name?: string } | undefined)?.name || 'an anonymous class'
  throw unhashable(
    path,
    `class instance of ${name} is not hashable; register it with registerHashable or pass plain data`,
  )
}

export function encodeCanonical(value: unknown, options: { rootPath?: string } = {}): Uint8Array {
  const w = new Writer()
  guardStack(options.rootPath ?? '$', () => encodeInto(w, value, options.rootPath ?? '$', new Set(), 0))
  return w.result()
}

/** A caller already deep in its own stack may still overflow before MAX_DEPTH: report that with a code too. */
function guardStack(path: string, encode: () => void): void {
  try {
    encode()
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new CairnError(ErrorCode.Unserializable, `${path}: value is nested too deeply to encode`, {
        cause: error,
        details: { path },
      })
    }
    throw error
  }
}

export function canonicalHash(value: unknown, options: { rootPath?: string } = {}): Hash {
  return sha256Hex(encodeCanonical(value, options))
}

export function hashArgs(args: readonly unknown[]): Hash {
  if (!Array.isArray(args)) throw invalidArgument('hashArgs needs an array of arguments')
  const w = new Writer()
  w.byte(Tag.Array)
  w.varint(args.length)
  const stack = new Set<object>([args])
  guardStack('args', () => {
    for (let i = 0; i < args.length; i++) encodeInto(w, args[i], `args[${i}]`, stack, 1)
  })
  return sha256Hex(w.result())
}
