import { CairnError, ErrorCode } from '../errors.js'
import type { Packager } from '../protocols/packager.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Strings as raw UTF-8 (short ones stay inline in the commit before this is asked). A string with a
 * lone surrogate cannot be UTF-8 and is left to the serializer (which keeps it exactly or refuses it).
 */
export const textPackager: Packager<string> = {
  id: 'text',
  version: '1',
  priority: 40,
  artifactTypes: { pack: ['text'], unpack: ['text'] },
  handles: (value) => typeof value === 'string' && value.isWellFormed(),
  pack: (value) => ({
    artifactType: 'text',
    bytes: encoder.encode(value),
    instructions: { encoding: 'utf-8' },
  }),
  unpack: (bytes, instructions) => {
    if (instructions.encoding !== 'utf-8') {
      throw new CairnError(
        ErrorCode.Unsupported,
        `text artifact in encoding ${String(instructions.encoding)}`,
      )
    }
    try {
      return decoder.decode(bytes)
    } catch (error) {
      throw new CairnError(ErrorCode.Corrupt, 'text artifact is not valid UTF-8', { cause: error })
    }
  },
}
