import { expectCodeSync, expectValueOrCode, seededBytes, toHex } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { ClassRegistry, createStructuredSerializer, structuredSerializer } from '../src/index.js'

const { encode, decode } = structuredSerializer

// Wire bytes written by hand (see README: the wire format).
const HEADER = [0x43, 0x52, 0x4e, 0x53, 0x01]
const T = {
  Undefined: 0x00,
  Null: 0x01,
  True: 0x03,
  Int: 0x04,
  NegInt: 0x05,
  Float64: 0x06,
  String: 0x07,
  BigInt: 0x08,
  NegBigInt: 0x09,
  Ref: 0x0a,
  Holes: 0x0b,
  Array: 0x10,
  Object: 0x11,
  Map: 0x13,
  Set: 0x14,
  Date: 0x15,
  RegExp: 0x16,
  ArrayBuffer: 0x17,
  View: 0x18,
  Error: 0x19,
  Class: 0x1a,
  Boxed: 0x1b,
} as const

function varint(n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n % 128) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}
/** A Latin-1 string payload. */
function str(text: string): number[] {
  return [...varint(text.length * 2), ...Array.from(text, (c) => c.charCodeAt(0))]
}
/** A new key. */
function key(text: string): number[] {
  return [0, ...str(text)]
}
function float64(n: number): number[] {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setFloat64(0, n, true)
  return [...bytes]
}
function wire(...parts: (number | number[])[]): Uint8Array {
  return new Uint8Array([...HEADER, ...parts.flat()])
}

/**
 * A refusal of random bytes is CAIRN_CORRUPT, or CAIRN_UNSERIALIZABLE where they happen to form a
 * well-formed encoding this decoder is set up not to read (a class not registered, another format
 * version, deeper than maxDepth): README, "Decoding untrusted bytes".
 */
const REFUSALS = [ErrorCode.Corrupt, ErrorCode.Unserializable]
function decodesToCodedErrorOrValue(bytes: Uint8Array): void {
  expectValueOrCode(decode, bytes, REFUSALS)
}

describe('hand-written wire bytes decode as the README says', () => {
  it('primitives, objects, arrays, references', () => {
    expect(decode(wire(0x85))).toBe(5)
    expect(decode(wire(T.NegInt, varint(300)))).toBe(-300)
    expect(decode(wire(T.String, str('hi')))).toBe('hi')
    expect(decode(wire(T.String, varint(3), 0x3d, 0xd8))).toBe('\ud83d')
    expect(decode(wire(T.BigInt, varint(2), 0x00, 0x01))).toBe(256n)
    expect(
      decode(wire(T.Object, varint(2), key('a'), 0x81, key('b'), T.Array, varint(1), T.Ref, varint(0))),
    ).toStrictEqual(
      (() => {
        const o: Record<string, unknown> = { a: 1 }
        o.b = [o]
        return o
      })(),
    )
    // [{k: 1}, {k: 2}]: the second "k" is key number 0, written as 1.
    expect(decode(wire(T.Array, varint(2), T.Object, 1, key('k'), 0x81, T.Object, 1, 1, 0x82))).toStrictEqual(
      [{ k: 1 }, { k: 2 }],
    )
    // biome-ignore lint/suspicious/noSparseArray: holes are the point
    expect(decode(wire(T.Array, varint(4), 0x81, T.Holes, varint(2), 0x84))).toStrictEqual([1, , , 4])
  })

  it('arrays keep leading, middle and trailing holes and their length', () => {
    // biome-ignore lint/suspicious/noSparseArray: holes are the point
    expect(decode(wire(T.Array, varint(3), 0x81, T.Holes, varint(2)))).toStrictEqual([1, , ,])
    const trailing = decode(
      wire(T.Array, varint(15), T.Holes, varint(3), 0x81, T.Holes, varint(11)),
    ) as unknown[]
    expect(trailing).toHaveLength(15)
    expect(Object.keys(trailing)).toStrictEqual(['3'])
    const long = decode(wire(T.Array, varint(16), T.Holes, varint(15), 0x82)) as unknown[]
    expect(long).toHaveLength(16)
    expect(Object.keys(long)).toStrictEqual(['15'])
  })

  it('encode writes exactly these bytes', () => {
    expect(encode({ a: 1 })).toStrictEqual(wire(T.Object, 1, key('a'), 0x81))
    expect(encode([-0, 2 ** 40])).toStrictEqual(
      wire(T.Array, 2, T.Float64, float64(-0), T.Int, varint(2 ** 40)),
    )
    // The README's example: { a: 1, b: [the object itself] }.
    const o: Record<string, unknown> = { a: 1 }
    o.b = [o]
    expect(toHex(encode(o))).toBe('43 52 4e 53 01 11 02 00 02 61 81 00 02 62 10 01 0a 00')
  })
})

describe('truncated input', () => {
  it('every cut of several encodings is CAIRN_CORRUPT', () => {
    const shared = new ArrayBuffer(8)
    const cyclic: Record<string, unknown> = { name: 'c' }
    cyclic.self = cyclic
    const encodings = [
      encode({
        a: [1, 'two', { b: null }],
        c: 'x'.repeat(50),
        big: -(2n ** 70n),
        d: new Date(5),
        re: /x+/gi,
      }),
      encode([
        new Uint8Array(shared, 1, 3),
        new Uint16Array(shared, 2, 3),
        new DataView(shared),
        cyclic,
        cyclic,
      ]),
      encode(
        new Map<unknown, unknown>([
          [1, new Set(['日本', '\ud800'])],
          [{}, new TypeError('t', { cause: 1 })],
        ]),
      ),
      // biome-ignore lint/suspicious/noSparseArray: holes are the point
      encode([1, , , 4, Object(2n), Object('s'), Buffer.from('buf'), Object.create(null)]),
    ]
    for (const full of encodings) {
      decode(full)
      for (let cut = 0; cut < full.byteLength; cut++) {
        expectCodeSync(() => decode(full.slice(0, cut)), ErrorCode.Corrupt)
      }
    }
  })

  it('trailing bytes are CAIRN_CORRUPT', () => {
    expect(
      expectCodeSync(() => decode(new Uint8Array([...encode(1), 0])), ErrorCode.Corrupt).message,
    ).toMatch(/after/)
  })
})

describe('random bytes', () => {
  it('10k seeded random buffers, with and without a valid header, give a value or a coded error', () => {
    for (let seed = 1; seed <= 10_000; seed++) {
      const noise = seededBytes(1 + (seed % 80), seed)
      decodesToCodedErrorOrValue(noise)
      decodesToCodedErrorOrValue(new Uint8Array([...HEADER, ...noise]))
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('random bytes inside a valid prefix', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const prefix = [...HEADER, T.Object, 2, ...key('a'), T.Array, 3, 0x81]
      decodesToCodedErrorOrValue(new Uint8Array([...prefix, ...seededBytes(1 + (seed % 50), seed)]))
    }
  })

  it('single-byte corruptions of a real encoding', () => {
    const full = encode({
      list: [1, 2.5, 'three', null, undefined, [4]],
      when: new Date(1),
      map: new Map([[1, 2]]),
    })
    for (let at = 0; at < full.byteLength; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bytes = full.slice()
        bytes[at] = (bytes[at] as number) ^ flip
        decodesToCodedErrorOrValue(bytes)
      }
    }
  })
})

describe('length headers that claim more than the input holds fail at once, before allocating', () => {
  it.each([
    ['an object of 2^40 properties', wire(T.Object, varint(2 ** 40), key('a'), 1)],
    ['a Map of 4 billion entries', wire(T.Map, varint(2 ** 32), 1, 1)],
    ['a Set of 4 billion elements', wire(T.Set, varint(2 ** 32), 1)],
    ['a 4 GiB ArrayBuffer', wire(T.ArrayBuffer, varint(2 ** 32), 1, 2, 3)],
    ['a string of 2^50 characters', wire(T.String, varint(2 ** 51), 0x61)],
    ['a UTF-16 string of 2^40 units', wire(T.String, varint(2 ** 41 + 1), 0x61, 0)],
    ['a BigInt of 2^45 bytes', wire(T.BigInt, varint(2 ** 45), 1)],
    ['an array of 4 billion (holes allowed, elements missing)', wire(T.Array, varint(2 ** 32 - 1), 0x81)],
    ['an array longer than 2^32 - 1', wire(T.Array, varint(2 ** 32), T.Holes, varint(2 ** 32))],
    ['a run of holes past the end of its array', wire(T.Array, varint(3), T.Holes, varint(4))],
  ])('%s', (_label, bytes) => {
    const started = performance.now()
    expectCodeSync(() => decode(bytes), ErrorCode.Corrupt)
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('a length-4e9 array made only of holes is a legitimate sparse array (no allocation per element)', () => {
    const back = decode(wire(T.Array, varint(2 ** 32 - 1), T.Holes, varint(2 ** 32 - 1))) as unknown[]
    expect(back.length).toBe(2 ** 32 - 1)
    expect(Object.keys(back)).toStrictEqual([])
  })
})

describe('nesting bombs', () => {
  it('a million nested arrays is refused by depth, with no stack overflow', () => {
    const bomb = new Uint8Array(HEADER.length + 2_000_000)
    bomb.set(HEADER)
    for (let i = HEADER.length; i < bomb.length; i += 2) {
      bomb[i] = T.Array
      bomb[i + 1] = 1
    }
    expect(expectCodeSync(() => decode(bomb), ErrorCode.Unserializable).message).toMatch(/deeper than 2000/)
  })

  it('a million nested objects, error causes and views too', () => {
    const repeat = (unit: number[], first: number[] = unit): Uint8Array => {
      const out = new Uint8Array(HEADER.length + first.length + unit.length * 1_000_000)
      out.set(HEADER)
      out.set(first, HEADER.length)
      for (let at = HEADER.length + first.length; at < out.length; at += unit.length) out.set(unit, at)
      return out
    }
    // {k: {k: {k: ...}}}: the first "k" is new, then key number 0.
    expectCodeSync(
      () => decode(repeat([T.Object, 1, 1], [T.Object, 1, ...key('k')])),
      ErrorCode.Unserializable,
    )
    // new Error() whose cause is an error whose cause is ...
    expectCodeSync(() => decode(repeat([T.Error, 0, 4])), ErrorCode.Unserializable)
    // a view whose buffer is a view whose buffer is ...
    expectCodeSync(() => decode(repeat([T.View, 1])), ErrorCode.Unserializable)
    expectCodeSync(() => decode(repeat([T.Map, 1])), ErrorCode.Unserializable)
  })
})

describe('prototype pollution', () => {
  it('__proto__, constructor and prototype keys become own data properties', () => {
    const payload = wire(
      T.Object,
      3,
      key('__proto__'),
      T.Object,
      1,
      key('polluted'),
      T.True,
      key('constructor'),
      T.Object,
      1,
      key('prototype'),
      T.Object,
      1,
      1 + 1, // "polluted" is key number 1
      T.True,
      4, // "prototype" is key number 3
      0x81,
    )
    const value = decode(payload) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toStrictEqual(['__proto__', 'constructor', 'prototype'])
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toStrictEqual({ polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(value.polluted).toBeUndefined()
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false)
    expect(encode(value)).toStrictEqual(payload)
  })

  it('__proto__ in an error body or a class instance is defined too', () => {
    class Plain {}
    const s = createStructuredSerializer({ classes: new ClassRegistry().register(Plain, { name: 'Plain' }) })
    const instance = s.decode(wire(T.Class, key('Plain'), 0, 1, key('__proto__'), T.Object, 0)) as object
    expect(Object.getPrototypeOf(instance)).toBe(Plain.prototype)
    expect(Object.hasOwn(instance, '__proto__')).toBe(true)
    const error = decode(wire(T.Error, 0, 0, 1, key('__proto__'), T.Null)) as Error
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype)
    expect(Object.hasOwn(error, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('invalid encodings', () => {
  it.each([
    ['no header', new Uint8Array([0x11, 0]), ErrorCode.Corrupt],
    ['a wrong magic', new Uint8Array([0x43, 0x52, 0x4e, 0x54, 1, 1]), ErrorCode.Corrupt],
    ['an empty input', new Uint8Array(0), ErrorCode.Corrupt],
    ['a newer format version', new Uint8Array([0x43, 0x52, 0x4e, 0x53, 2, 1]), ErrorCode.Unserializable],
    ['an unknown tag', wire(0x3f), ErrorCode.Corrupt],
    ['a reference to an object not yet decoded', wire(T.Array, 1, T.Ref, varint(1)), ErrorCode.Corrupt],
    ['a reference with no objects at all', wire(T.Ref, 0), ErrorCode.Corrupt],
    ['a view whose buffer is itself (not built yet)', wire(T.View, 1, T.Ref, 0, 0, 0), ErrorCode.Corrupt],
    ['a view onto an array', wire(T.Array, 2, T.Array, 0, T.View, 1, T.Ref, 1, 0, 0), ErrorCode.Corrupt],
    [
      'a view past the end of its buffer',
      wire(T.View, 5, T.ArrayBuffer, 4, 0, 0, 0, 0, 0, 3),
      ErrorCode.Corrupt,
    ],
    [
      'a misaligned Uint32Array',
      wire(T.View, 6, T.ArrayBuffer, 8, ...new Array(8).fill(0), 1, 1),
      ErrorCode.Corrupt,
    ],
    ['an unknown view kind', wire(T.View, 40, T.ArrayBuffer, 0, 0, 0), ErrorCode.Corrupt],
    ['a key number never defined', wire(T.Object, 1, 5, 1), ErrorCode.Corrupt],
    ['a duplicate key', wire(T.Object, 2, key('a'), 1, 1, 1), ErrorCode.Corrupt],
    ['a duplicate Map key', wire(T.Map, 2, 0x81, 1, 0x81, 1), ErrorCode.Corrupt],
    ['a duplicate Set element', wire(T.Set, 2, T.String, str('x'), T.String, str('x')), ErrorCode.Corrupt],
    ['a -0 Map key', wire(T.Map, 1, T.Float64, float64(-0), 1), ErrorCode.Corrupt],
    ['a -0 Set element', wire(T.Set, 1, T.Float64, float64(-0)), ErrorCode.Corrupt],
    ['a fractional Date', wire(T.Date, float64(1.5)), ErrorCode.Corrupt],
    ['a Date out of range', wire(T.Date, float64(9e15)), ErrorCode.Corrupt],
    ['a -0 Date', wire(T.Date, float64(-0)), ErrorCode.Corrupt],
    ['an invalid RegExp source', wire(T.RegExp, str('('), str(''), 0), ErrorCode.Corrupt],
    ['invalid RegExp flags', wire(T.RegExp, str('a'), str('gg'), 0), ErrorCode.Corrupt],
    ['an unknown error kind', wire(T.Error, 9, 0, 0), ErrorCode.Corrupt],
    ['unknown error fields', wire(T.Error, 0, 0x10, 0), ErrorCode.Corrupt],
    [
      'an error property repeating its message',
      wire(T.Error, 0, 1, T.String, str('m'), 1, key('message'), 1),
      ErrorCode.Corrupt,
    ],
    ['an unknown boxed kind', wire(T.Boxed, 7, 0), ErrorCode.Corrupt],
    ['a boxed Boolean of 2', wire(T.Boxed, 2, 2), ErrorCode.Corrupt],
    [
      'a varint of 9 bytes',
      wire(T.Int, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
      ErrorCode.Corrupt,
    ],
    ['a varint above 2^53', wire(T.Int, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), ErrorCode.Corrupt],
    ['a varint with a redundant zero', wire(T.Int, 0x81, 0x00), ErrorCode.Corrupt],
    ['negative integer zero', wire(T.NegInt, 0), ErrorCode.Corrupt],
    ['negative BigInt zero', wire(T.NegBigInt, 0), ErrorCode.Corrupt],
    ['a BigInt with a redundant zero byte', wire(T.BigInt, 2, 1, 0), ErrorCode.Corrupt],
    ['holes outside an array', wire(T.Holes, 1), ErrorCode.Corrupt],
    ['a run of zero holes', wire(T.Array, 2, T.Holes, 0, 1, 1), ErrorCode.Corrupt],
    ['a class that is not registered', wire(T.Class, key('Evil'), 0, 0), ErrorCode.Unserializable],
  ])('%s', (_label, bytes, code) => {
    expectCodeSync(() => decode(bytes), code)
  })

  it('a Buffer input at an offset decodes, and decoded buffers do not alias the input', () => {
    const bytes = encode({ ab: new Uint8Array([1, 2, 3]), s: 'x'.repeat(40) })
    const pool = Buffer.alloc(bytes.byteLength + 7)
    pool.set(bytes, 7)
    const value = decode(pool.subarray(7)) as { ab: Uint8Array }
    expect(Object.getPrototypeOf(value.ab)).toBe(Uint8Array.prototype)
    pool.fill(0)
    expect([...value.ab]).toStrictEqual([1, 2, 3])
  })
})
