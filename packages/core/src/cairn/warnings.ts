import type { Hash } from '../hash.js'
import type { PackagingMismatch } from '../packagers/checks.js'
import type { CairnWarning } from './types.js'

/** The client's warnings, each said once per client (a loop of identical calls warns once, not per call). */
export class Warnings {
  readonly #emit: (warning: CairnWarning) => void
  readonly #said = new Set<string>()

  constructor(emit: (warning: CairnWarning) => void = emitProcessWarning) {
    this.#emit = emit
  }

  /** An output unpacked with another packager, serializer, library or runtime version than it was packed with. */
  packagingMismatch(commit: Hash, packager: string, mismatch: PackagingMismatch): void {
    if (!this.#first(`${packager}:${mismatch.field}:${mismatch.recorded}`)) return
    this.#emit({
      code: 'CAIRN_PACKAGING_MISMATCH',
      commit,
      packager,
      ...mismatch,
      message: `output of commit ${commit.slice(0, 12)}: artifact packed by "${packager}" with ${mismatch.field} ${mismatch.recorded}, unpacked with ${mismatch.current}`,
    })
  }

  /** A task failed and its failed commit could not be written (said every time: each is a lost record). */
  failureNotRecorded(task: string, fingerprint: string, recordError: unknown): void {
    this.#emit({
      code: 'CAIRN_FAILURE_NOT_RECORDED',
      task,
      fingerprint,
      cause: recordError,
      message: `task "${task}" failed, and recording the failure failed too: ${(recordError as Error)?.message ?? String(recordError)}`,
    })
  }

  #first(key: string): boolean {
    if (this.#said.has(key)) return false
    this.#said.add(key)
    return true
  }
}

function emitProcessWarning(warning: CairnWarning): void {
  process.emitWarning(warning.message, { code: warning.code })
}
