import { CairnError, ErrorCode } from '../errors.js'
import type { Packager } from '../protocols/packager.js'

/** The default: anything, encoded by the client's serializer (which refuses what it cannot keep exactly). */
export const objectPackager: Packager<unknown> = {
  id: 'object',
  version: '1',
  priority: 0,
  artifactTypes: { pack: ['object'], unpack: ['object'] },
  handles: () => true,
  pack: (value, { serializer }) => ({ artifactType: 'object', bytes: serializer.encode(value), serializer }),
  unpack: (bytes, instructions, { serializers }) => {
    const id = instructions.serializer?.id
    const serializer = id === undefined ? undefined : serializers.get(id)
    if (!serializer) {
      throw new CairnError(
        ErrorCode.Unsupported,
        `output was written by serializer "${id}", which this client does not have; pass it in options.serializers`,
        { details: { serializer: id } },
      )
    }
    return serializer.decode(bytes)
  },
}
