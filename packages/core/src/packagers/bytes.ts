import type { Packager } from '../protocols/packager.js'

/** `Uint8Array` and Node `Buffer` stored as they are; a Buffer comes back a Buffer. */
export const bytesPackager: Packager<Uint8Array> = {
  id: 'bytes',
  version: '1',
  priority: 50,
  types: [Uint8Array],
  subclasses: true,
  artifactTypes: { pack: ['bytes'], unpack: ['bytes'] },
  handles: (value) => value instanceof Uint8Array && (isBuffer(value) || value.constructor === Uint8Array),
  pack: (value) => ({
    artifactType: 'bytes',
    bytes: value,
    instructions: { class: isBuffer(value) ? 'Buffer' : 'Uint8Array' },
  }),
  unpack: (bytes, instructions) =>
    instructions.class === 'Buffer' && typeof Buffer !== 'undefined'
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes,
}

function isBuffer(value: Uint8Array): boolean {
  return typeof Buffer !== 'undefined' && Buffer.isBuffer(value)
}
