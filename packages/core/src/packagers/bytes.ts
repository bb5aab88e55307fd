import type { Packager } from '../protocols/packager.js'

type Bytes = Uint8Array | DataView

/**
 * `Uint8Array`, Node `Buffer` and `DataView` stored as they are (a view: only its own bytes). The
 * class is recorded, so a Buffer comes back a Buffer and a DataView a DataView. Other Uint8Array
 * subclasses are not taken (they would come back as a plain Uint8Array): they fall to the default.
 */
export const bytesPackager: Packager<Bytes> = {
  id: 'bytes',
  version: '1',
  priority: 50,
  types: [Uint8Array, DataView],
  subclasses: true,
  artifactTypes: { pack: ['bytes'], unpack: ['bytes'] },
  handles: (value) =>
    value instanceof DataView
      ? value.constructor === DataView
      : value instanceof Uint8Array && (isBuffer(value) || value.constructor === Uint8Array),
  pack: (value) => ({
    artifactType: 'bytes',
    bytes:
      value instanceof DataView ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value,
    instructions: {
      class: value instanceof DataView ? 'DataView' : isBuffer(value) ? 'Buffer' : 'Uint8Array',
    },
  }),
  unpack: (bytes, instructions) => {
    if (instructions.class === 'DataView')
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return instructions.class === 'Buffer' && typeof Buffer !== 'undefined'
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes
  },
}

function isBuffer(value: Uint8Array): boolean {
  return typeof Buffer !== 'undefined' && Buffer.isBuffer(value)
}
