/**
 * The scratch-buffer writer @cairn/msgpack's and @cairn/structured's encoders are built on: one
 * buffer kept from call to call, grown by doubling, large byte arrays copied once into the result
 * instead of twice, and the result in bytes the caller owns.
 */
import { assembleDeferred, type DeferredBytes, ownedCopy } from './serializer-support.js'

const hasBuffer = typeof Buffer === 'function'
/** Starting size of a writer's scratch buffer. */
const MIN_CAPACITY = 8192
/** A scratch buffer grown past this is dropped after the call rather than kept for the next one. */
const KEEP_CAPACITY = 1 << 20
/**
 * Byte arrays at least this long are not copied into the scratch buffer but straight into the result
 * when it is put together: one copy of their bytes instead of two.
 */
const DEFER_BYTES = 1 << 16

/**
 * An encoder's output so far. Subclasses write `bytes[pos++]` directly (after `ensure`), multi-byte
 * numbers through `view`, long strings through `text`; `finish` makes the result and `release`
 * readies the writer for the next call. Not re-entrant: a nested encode needs another writer.
 */
export class ScratchWriter {
  /** The scratch buffer the value is written into; the result is a copy of its first `pos` bytes. */
  protected bytes: Uint8Array = new Uint8Array(0)
  /** A Buffer over the same memory, for its string writers (undefined outside Node.js). */
  protected text: Buffer | undefined
  protected view: DataView = new DataView(this.bytes.buffer)
  /** `bytes.byteLength`, kept in a field: reading it from the array is slower. */
  protected capacity = 0
  protected pos = 0
  /** Large byte arrays to copy into the result at their place (see DEFER_BYTES). */
  protected readonly deferred: DeferredBytes[] = []

  constructor() {
    this.useScratch(MIN_CAPACITY)
  }

  /** A fresh scratch buffer of `size` bytes (uninitialized: only bytes written are ever read). */
  protected useScratch(size: number): void {
    const buffer = hasBuffer ? Buffer.allocUnsafeSlow(size) : undefined
    this.bytes = buffer ? new Uint8Array(buffer.buffer, buffer.byteOffset, size) : new Uint8Array(size)
    this.text = buffer
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size)
    this.capacity = size
  }

  /** Makes room for `extra` more bytes at `pos`. */
  protected ensure(extra: number): void {
    if (this.pos + extra > this.capacity) this.grow(this.pos + extra)
  }

  private grow(needed: number): void {
    let size = this.capacity * 2
    while (size < needed) size *= 2
    const old = this.bytes
    this.useScratch(size)
    this.bytes.set(old.subarray(0, this.pos))
  }

  /** The bytes of `source` at `pos` (its length header is the caller's); large ones are deferred. */
  protected byteRun(source: Uint8Array): void {
    const length = source.byteLength
    if (length >= DEFER_BYTES) {
      this.deferred.push({ at: this.pos, bytes: source, length })
      return
    }
    this.ensure(length)
    this.bytes.set(source, this.pos)
    this.pos += length
  }

  /**
   * The result: `bytes[0..pos)` with the deferred byte arrays in place, in bytes the caller owns. A
   * deferred array detached or resized meanwhile is refused, naming it as `kind` ('a Uint8Array').
   */
  protected finish(kind: string): Uint8Array {
    return this.deferred.length === 0
      ? ownedCopy(this.bytes, 0, this.pos)
      : assembleDeferred(this.bytes, this.pos, this.deferred, kind)
  }

  /** After each call, success or not: keeps no byte array of the value alive, drops an outsized buffer. */
  protected release(): void {
    // Setting `length` costs a builtin call even when it changes nothing.
    if (this.deferred.length !== 0) this.deferred.length = 0
    if (this.capacity > KEEP_CAPACITY) this.useScratch(MIN_CAPACITY)
  }
}
