import { expectCodeSync, expectDetachedLaterRefused, expectOwnedBytes } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { ClassRegistry, createStructuredSerializer, structuredSerializer } from '../src/index.js'
import { graphDifference } from './compare.js'

// The shortcuts taken for speed (README "Speed"): a reused encoder, large buffers copied once into
// the result, object ids in several small maps.

const { encode, decode } = structuredSerializer

class Wrapper {
  constructor(public inner: unknown) {}
}

describe('the reused encoder', () => {
  it('a reduce() that encodes while a value is being encoded gets an encoder of its own', () => {
    const classes = new ClassRegistry().register(Wrapper, {
      name: 'Wrapper',
      reduce: (w) => encode(w.inner),
      revive: (bytes) => new Wrapper(decode(bytes as Uint8Array)),
    })
    const s = createStructuredSerializer({ classes })
    const shared = { tag: 'shared' }
    const value = {
      list: [new Wrapper({ a: [1, 2], d: new Date(5) }), new Wrapper('x')],
      shared,
      again: shared,
    }
    const back = s.decode(s.encode(value))
    expect(graphDifference(back, value)).toBeUndefined()
  })

  it('each result is a plain Uint8Array with a buffer of its own, untouched by later calls', () => {
    const first = encode({ s: 'x'.repeat(100), m: new Map([[1, 2]]) })
    const kept = Uint8Array.from(first)
    encode({ s: 'y'.repeat(100) })
    encode([new ArrayBuffer(70_000), 'z'.repeat(2 << 20)])
    expect(first).toStrictEqual(kept)
    expectOwnedBytes(first)
  })

  it('a refusal halfway leaves no ids or keys behind for the next call', () => {
    const shared = { k: 1 }
    expectCodeSync(() => encode({ a: shared, b: [shared, () => 1] }), ErrorCode.Unserializable)
    // Fresh numbering: the first object is 0 again and the key "k" is written in full.
    expect(decode(encode({ k: shared, again: shared }))).toStrictEqual({ k: { k: 1 }, again: { k: 1 } })
    const back = decode(encode([shared, shared])) as object[]
    expect(back[0]).toBe(back[1])
  })
})

describe('large buffers are copied once, straight into the result', () => {
  it('typed arrays, views onto one buffer, DataViews and Buffers of 64 KiB and more round-trip', () => {
    const buffer = new ArrayBuffer(1 << 17)
    new Uint8Array(buffer).forEach((_, i, a) => {
      a[i] = (i * 7) & 0xff
    })
    const value = {
      head: 'h',
      f64: new Float64Array(buffer, 8, 1000),
      bytes: new Uint8Array(buffer),
      view: new DataView(buffer, 3, 100),
      node: Buffer.alloc(70_000, 5),
      own: Float32Array.from({ length: 30_000 }, (_, i) => i / 4),
      tail: [1, 2, 3],
    }
    const back = decode(encode(value)) as typeof value
    expect(back.f64.buffer).toBe(back.bytes.buffer)
    expect(back.view.buffer).toBe(back.bytes.buffer)
    expect(Buffer.from(back.bytes).equals(Buffer.from(value.bytes))).toBe(true)
    expect(Buffer.isBuffer(back.node) && back.node.equals(value.node)).toBe(true)
    expect(Buffer.from(back.own.buffer).equals(Buffer.from(value.own.buffer))).toBe(true)
    expect([back.head, back.tail, back.f64.byteOffset, back.view.byteOffset]).toStrictEqual([
      'h',
      [1, 2, 3],
      8,
      3,
    ])
  })

  it('a buffer detached by a getter that runs later is refused, never written as garbage', () => {
    expectDetachedLaterRefused(structuredSerializer, new Float64Array(10_000))
  })
})

describe('object ids past the first maps', () => {
  it('identity holds between objects first met early and referred to after 40 000 others', () => {
    const objects = Array.from({ length: 40_000 }, (_, i) => (i % 2 ? { i } : [i]))
    const value = { objects, reversed: [...objects].reverse(), first: objects[0], last: objects[39_999] }
    const back = decode(encode(value)) as typeof value
    expect(back.reversed[0]).toBe(back.objects[39_999])
    expect(back.reversed[39_999]).toBe(back.objects[0])
    expect(back.first).toBe(back.objects[0])
    expect(back.last).toBe(back.objects[39_999])
    expect(back.reversed.every((o, i) => o === back.objects[39_999 - i])).toBe(true)
  })
})
