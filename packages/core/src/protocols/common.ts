/** Options every async protocol method accepts. */
export interface OpOptions {
  /**
   * Cancels the operation. A signal that has already fired makes the call throw `CAIRN_ABORTED`
   * before anything changes; one that fires mid-way throws `CAIRN_ABORTED` as soon as the
   * implementation can stop safely (a write is then either fully done or not visible at all).
   */
  signal?: AbortSignal
}

/** The protocol version this build of `@cairn/core` speaks. Implementations report the one they were written for. */
export const SPEC_VERSION = '1.0' as const
export type SpecVersion = typeof SPEC_VERSION
