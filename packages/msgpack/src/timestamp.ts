/**
 * The msgpack timestamp extension (type -1), in its three sizes: 32-bit seconds, 64-bit
 * (30-bit nanoseconds, 34-bit seconds) and 96-bit (32-bit nanoseconds, signed 64-bit seconds).
 * The smallest size that holds the time is written, as the spec recommends.
 */

const TWO_32 = 2 ** 32
const TWO_34 = 2 ** 34
/** The largest |time| a JavaScript Date holds, in milliseconds. */
export const MAX_DATE_MS = 8.64e15

/** Writes the timestamp for `time` (ms since the epoch, an integer) at `pos`; returns the new position. */
export function writeTimestamp(bytes: Uint8Array, view: DataView, pos: number, time: number): number {
  const seconds = Math.floor(time / 1000)
  const nanos = (time - seconds * 1000) * 1e6
  if (nanos === 0 && seconds >= 0 && seconds < TWO_32) {
    bytes[pos] = 0xd6
    bytes[pos + 1] = 0xff
    view.setUint32(pos + 2, seconds)
    return pos + 6
  }
  if (seconds >= 0 && seconds < TWO_34) {
    bytes[pos] = 0xd7
    bytes[pos + 1] = 0xff
    const high = Math.floor(seconds / TWO_32)
    view.setUint32(pos + 2, nanos * 4 + high)
    view.setUint32(pos + 6, seconds - high * TWO_32)
    return pos + 10
  }
  bytes[pos] = 0xc7
  bytes[pos + 1] = 12
  bytes[pos + 2] = 0xff
  view.setUint32(pos + 3, nanos)
  const high = Math.floor(seconds / TWO_32)
  view.setInt32(pos + 7, high)
  view.setUint32(pos + 11, seconds - high * TWO_32)
  return pos + 15
}

export type TimestampResult = { ok: true; time: number } | { ok: false; reason: string }

/** Reads a timestamp extension's data (4, 8 or 12 bytes at `pos`) as ms since the epoch. */
export function readTimestamp(view: DataView, pos: number, length: number): TimestampResult {
  let seconds: number
  let nanos: number
  if (length === 4) {
    seconds = view.getUint32(pos)
    nanos = 0
  } else if (length === 8) {
    const word = view.getUint32(pos)
    nanos = word >>> 2
    seconds = (word & 3) * TWO_32 + view.getUint32(pos + 4)
  } else if (length === 12) {
    nanos = view.getUint32(pos)
    const high = view.getInt32(pos + 4)
    // Beyond ±2^21 * 2^32 seconds the time is far outside a Date's range anyway.
    if (high > 0x200000 || high < -0x200000) {
      return { ok: false, reason: 'timestamp is outside the range of a JavaScript Date' }
    }
    seconds = high * TWO_32 + view.getUint32(pos + 8)
  } else {
    return { ok: false, reason: `timestamp extension with ${length} bytes (expected 4, 8 or 12)` }
  }
  if (nanos >= 1e9) return { ok: false, reason: `timestamp nanoseconds ${nanos} ≥ 10^9` }
  if (nanos % 1e6 !== 0) {
    return {
      ok: false,
      reason: 'timestamp has sub-millisecond precision, which a JavaScript Date would drop',
    }
  }
  const time = seconds * 1000 + nanos / 1e6
  if (time > MAX_DATE_MS || time < -MAX_DATE_MS) {
    return { ok: false, reason: 'timestamp is outside the range of a JavaScript Date' }
  }
  return { ok: true, time }
}
