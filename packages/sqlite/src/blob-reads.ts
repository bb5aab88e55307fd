/** Reading blobs whole: rows as plain bytes, files into a buffer of their recorded size. */

/**
 * A row's BLOB as a plain Uint8Array: a view when the Buffer owns its whole ArrayBuffer (no copy of a
 * large row), a copy when it is a slice of a shared pool.
 */
export function plainBytes(data: Buffer): Uint8Array {
  return data.byteOffset === 0 && data.buffer.byteLength === data.byteLength
    ? new Uint8Array(data.buffer)
    : new Uint8Array(data)
}

export type ReadAt = (buffer: Uint8Array, offset: number, length: number, position: number) => number

/** Fills `bytes` from position 0, then reads one byte past it: how much there was, and whether more. */
export function readWhole(bytes: Uint8Array, read: ReadAt): { offset: number; beyond: number } {
  let offset = 0
  while (offset < bytes.byteLength) {
    const n = read(bytes, offset, bytes.byteLength - offset, offset)
    if (n === 0) break
    offset += n
  }
  return { offset, beyond: read(new Uint8Array(1), 0, 1, bytes.byteLength) }
}

export async function readWholeAsync(
  bytes: Uint8Array,
  read: (...args: Parameters<ReadAt>) => Promise<number>,
): Promise<{ offset: number; beyond: number }> {
  let offset = 0
  while (offset < bytes.byteLength) {
    const n = await read(bytes, offset, bytes.byteLength - offset, offset)
    if (n === 0) break
    offset += n
  }
  return { offset, beyond: await read(new Uint8Array(1), 0, 1, bytes.byteLength) }
}
