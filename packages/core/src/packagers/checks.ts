import { CairnError, ErrorCode } from '../errors.js'
import type { Packager, PackInstructions } from '../protocols/packager.js'
import type { Serializer } from '../protocols/serializer.js'

export interface PackagingMismatch {
  /** What differs: the packager's, the serializer's or the library's version, or the runtime's major version. */
  field: 'packager' | 'serializer' | 'library' | 'runtime'
  recorded: string
  current: string
}

/** The runtime packing happens on, recorded in every instruction set. */
export function currentRuntime(): { name: string; version: string } {
  return typeof process !== 'undefined' && process.versions?.node
    ? { name: 'node', version: process.versions.node }
    : { name: 'unknown', version: '0' }
}

const major = (version: string) => version.split('.')[0]

/** Differences between how an artifact was packed and what this client would unpack it with. */
export function mismatches(
  instructions: PackInstructions,
  packager: Packager<any>,
  serializer: Serializer | undefined,
): PackagingMismatch[] {
  const found: PackagingMismatch[] = []
  if (instructions.packager.version !== packager.version) {
    found.push({ field: 'packager', recorded: instructions.packager.version, current: packager.version })
  }
  if (instructions.serializer && serializer && instructions.serializer.version !== serializer.version) {
    found.push({
      field: 'serializer',
      recorded: instructions.serializer.version,
      current: serializer.version,
    })
  }
  if (instructions.library && packager.library && instructions.library.version !== packager.library.version) {
    found.push({
      field: 'library',
      recorded: instructions.library.version,
      current: packager.library.version,
    })
  }
  const runtime = currentRuntime()
  const recorded = instructions.runtime
  if (recorded && (recorded.name !== runtime.name || major(recorded.version) !== major(runtime.version))) {
    found.push({
      field: 'runtime',
      recorded: `${recorded.name} ${recorded.version}`,
      current: `${runtime.name} ${runtime.version}`,
    })
  }
  return found
}

export function mismatchMessage(packagerId: string, m: PackagingMismatch): string {
  return `artifact packed by "${packagerId}" with ${m.field} ${m.recorded}, unpacked with ${m.current}`
}

export function mismatchError(packagerId: string, m: PackagingMismatch): CairnError {
  return new CairnError(ErrorCode.VersionMismatch, `${mismatchMessage(packagerId, m)} (strict packaging)`, {
    details: { packager: packagerId, ...m },
  })
}
