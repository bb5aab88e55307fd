import { backendError, type CairnError } from '@cairn/core'

/** Node's errno code of an error, if any. */
export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** Wraps an I/O failure as CAIRN_BACKEND with the path; a CairnError passes through unchanged (`backendError` does that). */
export function ioError(action: string, path: string, error: unknown): CairnError {
  return backendError(`${action} ${path} failed: ${(error as Error)?.message ?? String(error)}`, error)
}
