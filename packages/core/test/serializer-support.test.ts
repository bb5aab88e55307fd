import { describe, expect, it } from 'vitest'
import {
  CairnError,
  decodeFailure,
  ErrorCode,
  encodeFailure,
  notFound,
  Refusal,
  ScratchWriter,
  withStep,
  writeMapEntries,
} from '../src/index.js'

/** A writer that writes byte runs with a one-byte length, as an encoder built on ScratchWriter would. */
class RunWriter extends ScratchWriter {
  write(runs: Uint8Array[], kind = 'a run'): Uint8Array {
    this.pos = 0
    try {
      for (const run of runs) {
        this.ensure(1)
        this.bytes[this.pos++] = run.byteLength & 0xff
        this.byteRun(run)
      }
      return this.finish(kind)
    } finally {
      this.release()
    }
  }
  get scratchSize(): number {
    return this.capacity
  }
}

const filled = (length: number, byte: number): Uint8Array => new Uint8Array(length).fill(byte)

describe('ScratchWriter', () => {
  it('grows past its first buffer, keeps small and large runs in order, and returns bytes of its own', () => {
    const writer = new RunWriter()
    const runs = [filled(3, 1), filled(70_000, 2), filled(9000, 3), filled(65_536, 4), filled(1, 5)]
    const out = writer.write(runs)
    const expected = new Uint8Array(runs.reduce((n, r) => n + 1 + r.byteLength, 0))
    let at = 0
    for (const run of runs) {
      expected[at++] = run.byteLength & 0xff
      expected.set(run, at)
      at += run.byteLength
    }
    expect(out).toStrictEqual(expected)
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype)
    expect([out.byteOffset, out.buffer.byteLength]).toStrictEqual([0, out.byteLength])
    // The next result is separate from this one.
    writer.write([filled(3, 9)])
    expect(out).toStrictEqual(expected)
  })

  it('drops a buffer grown past 1 MiB after the call, keeps a small one', () => {
    const writer = new RunWriter()
    writer.write([filled(100, 1)])
    expect(writer.scratchSize).toBe(8192)
    const chunks = Array.from({ length: 40 }, () => filled(40_000, 7))
    // Runs under 64 KiB are copied into the scratch buffer, which grows to 2 MiB for them.
    expect(writer.write(chunks).byteLength).toBe(40 * 40_001)
    expect(writer.scratchSize).toBe(8192)
  })

  it('refuses a large run detached before the result is put together, and recovers', () => {
    const writer = new RunWriter()
    const victim = filled(70_000, 1)
    class DetachingWriter extends RunWriter {
      protected override finish(kind: string): Uint8Array {
        structuredClone(victim.buffer, { transfer: [victim.buffer as ArrayBuffer] })
        return super.finish(kind)
      }
    }
    let refusal: unknown
    try {
      new DetachingWriter().write([victim], 'the victim')
    } catch (error) {
      refusal = error
    }
    expect((refusal as Refusal).reason).toBe('the victim was detached or resized during encode')
    expect(writer.write([filled(2, 3)])).toStrictEqual(new Uint8Array([2, 3, 3]))
  })
})

describe('encodeFailure and decodeFailure', () => {
  it('give every encode failure CAIRN_UNSERIALIZABLE, a refusal with its path', () => {
    const refusal = new Refusal('no form')
    withStep(refusal, 'b')
    withStep(refusal, 0)
    expect(encodeFailure(refusal)).toMatchObject({
      code: ErrorCode.Unserializable,
      message: '$[0].b: no form',
    })
    const thrown = new TypeError('getter broke')
    expect(encodeFailure(thrown)).toMatchObject({ code: ErrorCode.Unserializable, cause: thrown })
    expect(encodeFailure(new RangeError('Maximum call stack size exceeded')).message).toMatch(/too deeply/)
    const coded = notFound('x')
    expect(encodeFailure(coded)).toBe(coded)
  })

  it('give malformed bytes CAIRN_CORRUPT and a stack overflow CAIRN_UNSERIALIZABLE (a limit, like maxDepth)', () => {
    const thrown = new TypeError('x is undefined')
    expect(decodeFailure(thrown, 'valid msgpack')).toMatchObject({
      code: ErrorCode.Corrupt,
      message: 'bytes are not valid msgpack: x is undefined',
      cause: thrown,
    })
    expect(decodeFailure(new RangeError('Maximum call stack size exceeded'), 'x').code).toBe(
      ErrorCode.Unserializable,
    )
    const coded = new CairnError(ErrorCode.Corrupt, 'truncated')
    expect(decodeFailure(coded, 'x')).toBe(coded)
  })

  it('writeMapEntries names the entry a refusal comes from', () => {
    const map = new Map<unknown, unknown>([
      [1, 'a'],
      [2, 'bad'],
    ])
    const seen: unknown[] = []
    let caught: unknown
    try {
      writeMapEntries(map, (item) => {
        if (item === 'bad') throw new Refusal('bad value')
        seen.push(item)
      })
    } catch (error) {
      caught = error
    }
    expect(seen).toStrictEqual([1, 'a', 2])
    expect(encodeFailure(caught).message).toBe('$<value 1>: bad value')
  })
})
