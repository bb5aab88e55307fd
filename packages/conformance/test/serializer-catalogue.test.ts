import { describe, expect, it } from 'vitest'
import {
  COMBINED_CATALOGUE,
  EDGE_CATALOGUE,
  PROTO_KEY_PAYLOADS,
  REFUSED_CATALOGUE,
  VALUE_CATALOGUE,
  valueDifference,
} from '../src/index.js'
import { catalogueLabels } from '../src/serializer-values.js'

const same = (a: unknown, b: unknown, identity = false) => valueDifference(a, b, { identity })

describe('valueDifference', () => {
  it('finds equal what is equal: -0 and NaN by Object.is, cycles, invalid dates, holes', () => {
    const cyclic = () => {
      const a: Record<string, unknown> = { n: [1, Number.NaN, -0] }
      a.self = a
      return a
    }
    expect(same(cyclic(), cyclic(), true)).toBeUndefined()
    expect(same(new Date(Number.NaN), new Date(Number.NaN))).toBeUndefined()
    // biome-ignore lint/suspicious/noSparseArray: holes on both sides
    expect(same([1, , 3], [1, , 3])).toBeUndefined()
    expect(same(new Map([[{ k: 1 }, new Set([1n])]]), new Map([[{ k: 1 }, new Set([1n])]]))).toBeUndefined()
  })

  it('tells apart what a serializer can lose', () => {
    const error = new Error('m', { cause: 'c' })
    const sans = (key: string) => {
      const copy = new Error('m', { cause: 'c' })
      Object.defineProperty(copy, 'stack', { value: error.stack, writable: true, configurable: true })
      delete (copy as unknown as Record<string, unknown>)[key]
      return copy
    }
    const cases: [unknown, unknown, RegExp][] = [
      [0, -0, /-0 came back as 0/],
      [{ b: 1, a: 2 }, { a: 2, b: 1 }, /keys \[a,b\] came back as \[b,a\]/],
      [{ a: 1 }, Object.defineProperty({}, 'a', { value: 1, enumerable: false, configurable: true }), /keys/],
      // biome-ignore lint/suspicious/noSparseArray: a hole against undefined
      [[1, undefined, 3], [1, , 3], /keys \[0,2\] came back as \[0,1,2\]/],
      [{ a: 1 }, Object.assign(Object.create(null), { a: 1 }), /prototype null came back as Object/],
      [sans('stack'), error, /own keys \[stack,message,cause\] came back as \[message,cause\]/],
      [sans('cause'), error, /came back as \[stack,message\]/],
      [Object(1), Object(2), /boxed 2 came back as 1/],
      [
        new Map([
          [2, 0],
          [1, 0],
        ]),
        new Map([
          [1, 0],
          [2, 0],
        ]),
        /<key 0>: 1 came back as 2/,
      ],
      [
        Object.assign(/x/g, { lastIndex: 0 }),
        Object.assign(/x/g, { lastIndex: 2 }),
        /lastIndex: 2 came back as 0/,
      ],
      [new Uint16Array([1]), new Int16Array([1]), /prototype Int16Array came back as Uint16Array/],
      [new Uint8Array([1, 2]), new Uint8Array([1, 3]), /byte 1 is 2, expected 3/],
    ]
    for (const [actual, expected, message] of cases) expect(same(actual, expected)).toMatch(message)
  })

  it('checks identity: merged objects always, copied shared objects and moved views only with identity', () => {
    const x = { a: 1 }
    expect(same([x, x], [{ a: 1 }, { a: 1 }])).toMatch(/identity merged/)
    expect(same([{ a: 1 }, { a: 1 }], [x, x])).toBeUndefined()
    expect(same([{ a: 1 }, { a: 1 }], [x, x], true)).toMatch(
      /\$\[1\]: a shared object came back as a separate copy/,
    )
    const buffer = new ArrayBuffer(8)
    const views = [new Uint8Array(buffer, 0, 2), new Uint8Array(buffer, 4, 2)]
    const apart = [new Uint8Array(8).subarray(0, 2), new Uint8Array(8).subarray(4, 6)]
    expect(same(apart, views)).toBeUndefined()
    expect(same(apart, views, true)).toMatch(/\$\[1\]\.buffer: a shared object came back as a separate copy/)
    expect(same([new Uint8Array(2)], [new Uint8Array(buffer, 4, 2)], true)).toMatch(
      /byte offset 4 came back as 0/,
    )
    // A Node.js Buffer's pool is not part of its value.
    expect(same([Buffer.from([1, 2])], [Buffer.from([1, 2])], true)).toBeUndefined()
  })
})

describe('the catalogues', () => {
  it('label every sample uniquely', () => {
    const labels = catalogueLabels()
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([])
  })

  it('make a fresh, equal value on every call', () => {
    const samples = [
      ...Object.values(VALUE_CATALOGUE).flat(),
      ...COMBINED_CATALOGUE.map(([, sample]) => sample),
      ...EDGE_CATALOGUE,
      ...PROTO_KEY_PAYLOADS,
    ]
    for (const [label, make] of samples) {
      // One call site, so that errors get the same stack.
      const [a, b] = [0, 1].map(() => make())
      expect(same(a, b), label).toBeUndefined()
      // (not `expect(a).not.toBe(b)`, which compares 2 MiB arrays deeply for its message)
      if (a !== null && typeof a === 'object') expect(a !== b, label).toBe(true)
    }
    expect(REFUSED_CATALOGUE.length).toBeGreaterThan(5)
  })
})
